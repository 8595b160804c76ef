/// Where one handle lives: its absolute pool slot, its leaf and the leaf's depth and cell —
/// everything a move needs to decide, from this entry alone, whether it stays in the leaf.
struct HandleEntry: Sendable {
    /// Absolute index into the slot pool.
    var slot: UInt32
    /// Leaf node index in the upper 27 bits, the leaf's depth in the lower 5.
    private var leafAndDepth: UInt32
    /// The south-west corner of the leaf's cell.
    private var cell: GridPoint

    static let absent = HandleEntry(slot: 0, leafAndDepth: .max, cell: GridPoint(x: 0, y: 0))
    /// Largest node index an entry can name.
    static let maxLeaf = (1 << 27) - 2

    /// The entry of a point at `position` stored in `slot` of `leaf`, whose depth is `depth`.
    init(slot: UInt32, leaf: Int, depth: UInt8, position: GridPoint) {
        precondition(leaf <= Self.maxLeaf, "quadtree node space exhausted")
        self.slot = slot
        leafAndDepth = UInt32(leaf) << 5 | UInt32(depth)
        let shift = UInt64(32 - Int(depth))
        cell = GridPoint(x: UInt32(truncatingIfNeeded: (UInt64(position.x) >> shift) << shift),
                         y: UInt32(truncatingIfNeeded: (UInt64(position.y) >> shift) << shift))
    }

    private init(slot: UInt32, leafAndDepth: UInt32, cell: GridPoint) {
        self.slot = slot
        self.leafAndDepth = leafAndDepth
        self.cell = cell
    }

    var isPresent: Bool { leafAndDepth != .max }
    var leaf: Int { Int(leafAndDepth >> 5) }
    var depth: Int { Int(leafAndDepth & 31) }

    /// True when `point` lies in this entry's leaf.
    func leafHolds(_ point: GridPoint) -> Bool { point.sharesCell(with: cell, atDepth: depth) }
}
