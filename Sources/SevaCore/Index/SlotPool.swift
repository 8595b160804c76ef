/// Leaf storage of the quadtree: three parallel arrays of slots — positions (read by every
/// distance test), tags (read by every filter) and handles (read only for hits) — carved
/// into segments of 4·2^c slots for size class c, with a free list per class.
struct SlotPool: Sendable {
    static let noClass: UInt8 = .max
    static let smallestCapacity = 4

    var positions: [GridPoint] = []
    var tags: [UInt32] = []
    var handles: [UInt32] = []
    private var freeSegments: [[UInt32]] = []

    /// Slots in a segment of `sizeClass`.
    static func capacity(of sizeClass: UInt8) -> Int {
        sizeClass == noClass ? 0 : smallestCapacity << Int(sizeClass)
    }

    /// The smallest size class holding `count` slots.
    static func sizeClass(holding count: Int) -> UInt8 {
        var sizeClass: UInt8 = 0
        while capacity(of: sizeClass) < count { sizeClass += 1 }
        return sizeClass
    }

    /// Slots allocated and not on a free list, for memory accounting.
    var slotsReserved: Int {
        var free = 0
        for (sizeClass, segments) in freeSegments.enumerated() {
            free += segments.count * Self.capacity(of: UInt8(sizeClass))
        }
        return positions.count - free
    }

    /// Bytes one slot takes.
    static let bytesPerSlot = MemoryLayout<GridPoint>.stride + 2 * MemoryLayout<UInt32>.stride

    /// Reserves room for `count` slots before a bulk fill.
    mutating func reserve(_ count: Int) {
        positions.reserveCapacity(count)
        tags.reserveCapacity(count)
        handles.reserveCapacity(count)
    }

    /// Takes a segment of `sizeClass`, reusing a released one when there is one.
    mutating func allocate(_ sizeClass: UInt8) -> UInt32 {
        let index = Int(sizeClass)
        if index < freeSegments.count, let base = freeSegments[index].popLast() { return base }
        return append(Self.capacity(of: sizeClass))
    }

    /// Appends a segment of `count` slots at the end of the pool.
    mutating func append(_ count: Int) -> UInt32 {
        let base = positions.count
        precondition(base + count < Int(UInt32.max), "quadtree slot pool exhausted")
        positions.append(contentsOf: repeatElement(GridPoint(x: 0, y: 0), count: count))
        tags.append(contentsOf: repeatElement(0, count: count))
        handles.append(contentsOf: repeatElement(0, count: count))
        return UInt32(base)
    }

    /// Returns a segment to its class's free list.
    mutating func release(_ base: UInt32, _ sizeClass: UInt8) {
        guard sizeClass != Self.noClass else { return }
        let index = Int(sizeClass)
        while freeSegments.count <= index { freeSegments.append([]) }
        freeSegments[index].append(base)
    }

    /// Copies one slot to another.
    mutating func copy(_ from: Int, to: Int) {
        positions[to] = positions[from]
        tags[to] = tags[from]
        handles[to] = handles[from]
    }
}
