/// Worker id → handle, as an open-addressing hash table of 4-byte slots (a `Dictionary` of
/// `String` keys costs six times as much per worker). The ids themselves live in the
/// registry's records; the table holds only handles and is probed with the records at hand.
///
/// It grows without a pause: a full table becomes the `draining` one beside a table twice the
/// size, and each insertion moves a few of its entries across (as Redis rehashes its
/// dictionaries), so no single registration rehashes a million ids on the engine loop.
struct WorkerIDTable: Sendable {
    private static let empty: UInt32 = 0
    private static let removed: UInt32 = .max
    /// Slots of the draining table moved to the new one per insertion: it empties long before
    /// the new table fills (it has half as many slots, and the new one is at most half full).
    static let drainStep = 16

    /// 0 = empty, `removed` = a deleted (or moved) entry, otherwise handle + 1.
    private var slots = [UInt32](repeating: 0, count: 16)
    /// The table being emptied into `slots` while it grows; empty otherwise.
    private var draining: [UInt32] = []
    /// Slots of `draining` below this have been moved.
    private var drained = 0
    private(set) var count = 0
    private var tombstones = 0

    /// FNV-1a over the id's bytes, finished with a 64-bit mix so the low bits are good.
    @inline(__always)
    static func hash(_ id: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var text = id
        text.withUTF8 { utf8 in
            for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        }
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        return hash
    }

    init() {}

    /// An empty table sized for `count` ids at most half full, so a bulk load never grows it.
    init(capacity count: Int) {
        slots = [UInt32](repeating: Self.empty, count: Self.size(holding: count))
    }

    /// The table size (a power of two) for `count` entries at ≤ 50 % load.
    private static func size(holding count: Int) -> Int {
        var size = 16
        while size < (count + 1) * 2 { size *= 2 }
        return size
    }

    /// Slots of the table and of the one draining into it, for the memory account.
    var slotCount: Int { slots.count }
    var drainingCount: Int { draining.count }

    /// True while a smaller table is still being emptied into the current one.
    var isGrowing: Bool { !draining.isEmpty }

    func find(_ id: String, in records: PagedArray<WorkerRecord>) -> Int? {
        let hash = Self.hash(id)
        if let position = Self.position(of: id, hash: hash, in: slots, records: records) { return Int(slots[position]) - 1 }
        guard isGrowing, let position = Self.position(of: id, hash: hash, in: draining, records: records) else { return nil }
        return Int(draining[position]) - 1
    }

    /// Adds `handle` for `id`, which must not be in the table.
    mutating func insert(_ id: String, handle: Int, records: PagedArray<WorkerRecord>) {
        if isGrowing {
            drain(Self.drainStep, records: records)
        } else if (count + tombstones + 1) * 10 > slots.count * 7 {
            grow()
        }
        if Self.place(UInt32(handle + 1), hash: Self.hash(id), in: &slots) { tombstones -= 1 }
        count += 1
    }

    /// Removes `id`'s entry; returns its handle, or nil when absent.
    mutating func remove(_ id: String, records: PagedArray<WorkerRecord>) -> Int? {
        let hash = Self.hash(id)
        if let position = Self.position(of: id, hash: hash, in: slots, records: records) {
            let handle = Int(slots[position]) - 1
            slots[position] = Self.removed
            tombstones += 1
            count -= 1
            return handle
        }
        guard isGrowing, let position = Self.position(of: id, hash: hash, in: draining, records: records) else { return nil }
        let handle = Int(draining[position]) - 1
        draining[position] = Self.removed
        count -= 1
        return handle
    }

    /// Where `id` sits in `table`, probing from its hash; nil when absent.
    private static func position(of id: String, hash: UInt64, in table: [UInt32], records: PagedArray<WorkerRecord>) -> Int? {
        let mask = table.count - 1
        var position = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = table[position]
            if slot == empty { return nil }
            if slot != removed, records[Int(slot) - 1].id == id { return position }
            position = (position + 1) & mask
        }
    }

    /// Puts `slot` at the first free place from `hash`; true when it reused a tombstone.
    @discardableResult
    private static func place(_ slot: UInt32, hash: UInt64, in table: inout [UInt32]) -> Bool {
        let mask = table.count - 1
        var position = Int(truncatingIfNeeded: hash) & mask
        while table[position] != empty && table[position] != removed { position = (position + 1) & mask }
        let reused = table[position] == removed
        table[position] = slot
        return reused
    }

    /// Starts growing: the current slots (entries and tombstones) drain into a table sized for
    /// the entries at ≤ 50 % load — twice the size, or the same size when the old one was full
    /// of tombstones. Until drained, both are probed.
    private mutating func grow() {
        draining = slots
        drained = 0
        slots = [UInt32](repeating: Self.empty, count: Self.size(holding: count))
        tombstones = 0
    }

    /// Moves up to `step` slots of the draining table into the current one.
    private mutating func drain(_ step: Int, records: PagedArray<WorkerRecord>) {
        let end = min(draining.count, drained + step)
        for index in drained..<end {
            let slot = draining[index]
            guard slot != Self.empty && slot != Self.removed else { continue }
            Self.place(slot, hash: Self.hash(records[Int(slot) - 1].id), in: &slots)
            draining[index] = Self.removed
        }
        drained = end
        if drained == draining.count {
            draining = []
            drained = 0
        }
    }
}
