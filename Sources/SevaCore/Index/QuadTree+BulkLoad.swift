/// Building a whole index at once, for a restart: the points sorted along the Z-order curve
/// (where every cell of the tree is one run of the sorted array), then each cell made a leaf
/// when its run fits a bucket and split into its four quadrants' runs otherwise. The tree is
/// the one inserting the same points one by one would grow — a node is split exactly when it
/// holds more than a bucket above `maxDepth` — without the copies each split and leaf resize
/// makes on the way, and with the leaves' slots laid out in curve order.
extension QuadTree {
    /// One point of a bulk load.
    public struct BulkPoint: Sendable {
        public var handle: Int
        public var point: GeoPoint
        public var tags: UInt32

        public init(handle: Int, point: GeoPoint, tags: UInt32) {
            self.handle = handle
            self.point = point
            self.tags = tags
        }
    }

    /// An index holding `points`, whose handles must be distinct.
    public init(bulk points: [BulkPoint], bucketCapacity: Int = 64, maxDepth: Int = 24) {
        self.init(bucketCapacity: bucketCapacity, maxDepth: maxDepth)
        guard !points.isEmpty else { return }
        var sorted = points.indices.map { index in
            let grid = GridPoint(points[index].point)
            return (key: Self.mortonKey(grid), index: UInt32(index))
        }
        sorted.sort { $0.key < $1.key }
        let largestHandle = points.reduce(0) { max($0, $1.handle) }
        precondition(largestHandle < Int(UInt32.max), "handle out of range")
        entries.grow(to: largestHandle + 1, filling: .absent)
        pool.reserve(points.count * 2)
        build(node: 0, run: 0..<sorted.count, sorted: sorted, points: points)
    }

    /// The point's place on the Z-order curve: the grid's bits interleaved from the top, y's
    /// above x's — at every depth the two bits are the quadrant `Node.quadrant(of:)` names.
    static func mortonKey(_ grid: GridPoint) -> UInt64 {
        spread(grid.x) | spread(grid.y) << 1
    }

    /// The 32 bits of `value` moved to the even bits of a 64-bit word.
    private static func spread(_ value: UInt32) -> UInt64 {
        var bits = UInt64(value)
        bits = (bits | bits << 16) & 0x0000_FFFF_0000_FFFF
        bits = (bits | bits << 8) & 0x00FF_00FF_00FF_00FF
        bits = (bits | bits << 4) & 0x0F0F_0F0F_0F0F_0F0F
        bits = (bits | bits << 2) & 0x3333_3333_3333_3333
        bits = (bits | bits << 1) & 0x5555_5555_5555_5555
        return bits
    }

    /// Makes `node` (already in `nodes`, with its depth) hold the sorted `run`: a leaf, or an
    /// internal node over four children built from the run's quadrant sub-runs.
    private mutating func build(node: Int, run: Range<Int>, sorted: [(key: UInt64, index: UInt32)], points: [BulkPoint]) {
        let depth = Int(nodes[node].depth)
        nodes[node].count = UInt32(run.count)
        if run.count <= bucketCapacity || depth >= maxDepth {
            fillLeaf(node, run: run, sorted: sorted, points: points)
            return
        }
        let first = nodes.count
        nodes.append(contentsOf: repeatElement(Node(depth: UInt8(depth + 1)), count: 4))
        parents.append(contentsOf: repeatElement(Int32(node), count: 4))
        nodes[node].isLeaf = false
        nodes[node].link = UInt32(first)
        // Below this depth the key's next two bits are the quadrant.
        let shift = UInt64(62 - 2 * depth)
        var start = run.lowerBound
        var tags: UInt32 = 0
        for quadrant in 0..<4 {
            var end = start
            while end < run.upperBound && Int((sorted[end].key >> shift) & 3) == quadrant { end += 1 }
            build(node: first + quadrant, run: start..<end, sorted: sorted, points: points)
            tags |= nodes[first + quadrant].tags
            start = end
        }
        nodes[node].tags = tags
    }

    private mutating func fillLeaf(_ node: Int, run: Range<Int>, sorted: [(key: UInt64, index: UInt32)], points: [BulkPoint]) {
        guard !run.isEmpty else { return }
        let sizeClass = SlotPool.sizeClass(holding: run.count)
        let base = Int(pool.allocate(sizeClass))
        nodes[node].sizeClass = sizeClass
        nodes[node].link = UInt32(base)
        var tags: UInt32 = 0
        for (offset, position) in run.enumerated() {
            let point = points[Int(sorted[position].index)]
            let grid = GridPoint(point.point)
            let slot = base + offset
            pool.positions[slot] = grid
            pool.tags[slot] = point.tags
            pool.handles[slot] = UInt32(point.handle)
            tags |= point.tags
            entries[point.handle] = HandleEntry(slot: UInt32(slot), leaf: node, depth: nodes[node].depth, position: grid)
        }
        nodes[node].tags = tags
    }
}
