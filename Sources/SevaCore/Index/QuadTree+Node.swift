extension QuadTree {
    /// One square cell of the tree, 16 bytes so that a block of four siblings is one cache
    /// line's worth. Children come in blocks of four consecutive nodes ordered by quadrant
    /// (bit 0: east half, bit 1: north half). A node does not store its cell's corner:
    /// traversals carry it (`Cell`), and structural changes compare grid prefixes instead.
    /// Parent links live apart, in `QuadTree.parents`, since only structural changes use them.
    struct Node: Sendable {
        /// Internal node: index of the first of its four children. Leaf: first pool slot.
        var link: UInt32 = 0
        /// Points in this subtree (for a leaf, also the slots in use).
        var count: UInt32 = 0
        /// OR of the tags of the points in this subtree.
        var tags: UInt32 = 0
        var depth: UInt8
        var isLeaf = true
        /// Leaf only: the pool size class of its segment, or `SlotPool.noClass`.
        var sizeClass: UInt8 = SlotPool.noClass

        init(depth: UInt8) { self.depth = depth }

        /// log2 of the cell's side in grid steps.
        var shift: Int { 32 - Int(depth) }

        var firstChild: Int { Int(link) }

        /// The quadrant (0...3) of the child cell that holds `point`.
        func quadrant(of point: GridPoint) -> Int {
            let bit = UInt32(shift - 1)
            return Int((point.x >> bit) & 1) | Int(((point.y >> bit) & 1) << 1)
        }
    }

    /// A node together with its cell's south-west corner, as traversals carry it.
    struct Cell: Sendable {
        var node: Int32
        var x0: UInt32
        var y0: UInt32

        static let root = Cell(node: 0, x0: 0, y0: 0)

        /// The cell of the child in `quadrant` of a node of depth `depth`.
        func child(_ quadrant: Int, first: Int, depth: UInt8) -> Cell {
            let half = UInt32(31 - Int(depth))
            return Cell(node: Int32(first + quadrant),
                        x0: x0 | (UInt32(quadrant & 1) << half), y0: y0 | (UInt32(quadrant >> 1) << half))
        }
    }
}

extension GridPoint {
    /// True when both points fall in the same cell of the tree at `depth`.
    func sharesCell(with other: GridPoint, atDepth depth: Int) -> Bool {
        let shift = UInt64(32 - depth)
        return UInt64(x ^ other.x) >> shift == 0 && UInt64(y ^ other.y) >> shift == 0
    }
}
