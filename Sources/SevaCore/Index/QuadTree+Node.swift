extension QuadTree {
    /// One square cell of the tree. Children come in blocks of four consecutive nodes,
    /// ordered by quadrant (bit 0: east half, bit 1: north half).
    struct Node: Sendable {
        /// Index of the first of four children, or -1 for a leaf.
        var firstChild: Int32 = -1
        /// Index of the parent, or -1 for the root.
        var parent: Int32
        /// South-west corner of the cell on the grid.
        var x0: UInt32
        var y0: UInt32
        /// Leaf only: first slot of its segment in the pool, and the slots in use.
        var base: UInt32 = 0
        var fill: UInt32 = 0
        /// Points in this subtree.
        var count: UInt32 = 0
        /// OR of the tags of the points in this subtree.
        var tags: UInt32 = 0
        var depth: UInt8
        /// Leaf only: the pool size class of its segment, or `SlotPool.noClass`.
        var sizeClass: UInt8 = SlotPool.noClass

        init(parent: Int32, x0: UInt32, y0: UInt32, depth: UInt8) {
            self.parent = parent
            self.x0 = x0
            self.y0 = y0
            self.depth = depth
        }

        var isLeaf: Bool { firstChild < 0 }

        /// log2 of the cell's side in grid steps.
        var shift: Int { 32 - Int(depth) }

        /// True when `point` lies inside this cell.
        func holds(_ point: GridPoint) -> Bool {
            let shift = UInt64(self.shift)
            return UInt64(point.x) >> shift == UInt64(x0) >> shift
                && UInt64(point.y) >> shift == UInt64(y0) >> shift
        }

        /// The quadrant (0...3) of a child cell that holds `point`.
        func quadrant(of point: GridPoint) -> Int {
            let bit = UInt32(shift - 1)
            return Int((point.x >> bit) & 1) | Int(((point.y >> bit) & 1) << 1)
        }
    }
}
