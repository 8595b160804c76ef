/// Where one handle lives: its absolute pool slot, its leaf, and the leaf's depth — enough
/// to decide whether a move stays in the leaf without touching the node.
struct HandleEntry: Sendable {
    /// Absolute index into the slot pool.
    var slot: UInt32
    /// Leaf node index in the upper 27 bits, the leaf's depth in the lower 5.
    private var leafAndDepth: UInt32

    static let absent = HandleEntry(slot: 0, leafAndDepth: .max)
    /// Largest node index an entry can name.
    static let maxLeaf = (1 << 27) - 2

    init(slot: UInt32, leaf: Int, depth: UInt8) {
        precondition(leaf <= Self.maxLeaf, "quadtree node space exhausted")
        self.slot = slot
        leafAndDepth = UInt32(leaf) << 5 | UInt32(depth)
    }

    private init(slot: UInt32, leafAndDepth: UInt32) {
        self.slot = slot
        self.leafAndDepth = leafAndDepth
    }

    var isPresent: Bool { leafAndDepth != .max }
    var leaf: Int { Int(leafAndDepth >> 5) }
    var depth: Int { Int(leafAndDepth & 31) }

    /// True when `a` and `b` fall in the same cell at this entry's leaf depth.
    func sameLeaf(_ a: GridPoint, _ b: GridPoint) -> Bool { a.sharesCell(with: b, atDepth: depth) }
}
