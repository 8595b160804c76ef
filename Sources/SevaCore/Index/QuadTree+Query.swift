/// Queries: k nearest, everything within a radius, and counting within a radius.
///
/// `requiring` names tags a point must all carry (`tags & requiring == requiring`; 0 takes
/// every point); subtrees whose tag summary lacks one are skipped whole. `where` is an extra
/// test on the handle, asked only of points that would otherwise enter the result.
extension QuadTree {
    /// The `k` nearest points to `center` within `radiusMetres`, nearest first.
    public func nearest(
        to center: GeoPoint, k: Int, withinMetres radiusMetres: Double = .infinity,
        requiring: UInt32 = 0, where accept: (Int) -> Bool = { _ in true }
    ) -> [NearbyHit] {
        guard k > 0, count > 0, nodes[0].tags & requiring == requiring else { return [] }
        let probe = DistanceProbe(center)
        let limit = GeoMath.key(forMetres: radiusMetres)
        var frontier = BinaryHeap<Frontier>(capacity: 64)
        var best = BinaryHeap<Reverse<NearbyHit>>(capacity: k)
        frontier.push(Frontier(bound: 0, cell: entryCell(around: center, radiusMetres: radiusMetres)))
        nodes.withUnsafeBufferPointer { nodes in
            pool.positions.withUnsafeBufferPointer { positions in
                pool.tags.withUnsafeBufferPointer { tags in
                    while let next = frontier.pop() {
                        if next.bound > limit { break }
                        if best.count == k, let worst = best.top, next.bound > worst.value.key { break }
                        let node = nodes[Int(next.cell.node)]
                        if node.isLeaf {
                            let base = Int(node.link)
                            for slot in base..<(base + Int(node.count)) where tags[slot] & requiring == requiring {
                                let key = probe.key(positions[slot])
                                guard key <= limit else { continue }
                                let hit = NearbyHit(handle: Int(pool.handles[slot]), key: key)
                                if best.count == k {
                                    guard let worst = best.top, hit < worst.value, accept(hit.handle) else { continue }
                                    best.replaceTop(Reverse(value: hit))
                                } else if accept(hit.handle) {
                                    best.push(Reverse(value: hit))
                                }
                            }
                            continue
                        }
                        let childShift = node.shift - 1
                        for quadrant in 0..<4 {
                            let child = nodes[node.firstChild + quadrant]
                            guard child.count > 0, child.tags & requiring == requiring else { continue }
                            let cell = next.cell.child(quadrant, first: node.firstChild, depth: node.depth)
                            let bound = probe.lowerBound(x0: cell.x0, y0: cell.y0, shift: childShift)
                            guard bound <= limit else { continue }
                            if best.count == k, let worst = best.top, bound > worst.value.key { continue }
                            frontier.push(Frontier(bound: bound, cell: cell))
                        }
                    }
                }
            }
        }
        return best.elements.map(\.value).sorted()
    }

    /// Every point within `radiusMetres` of `center`, nearest first.
    public func within(
        metres radiusMetres: Double, of center: GeoPoint,
        requiring: UInt32 = 0, where accept: (Int) -> Bool = { _ in true }
    ) -> [NearbyHit] {
        let probe = DistanceProbe(center)
        let limit = GeoMath.key(forMetres: radiusMetres)
        var hits: [NearbyHit] = []
        let circle = CircleTest(probe: probe, center: center, radiusMetres: radiusMetres)
        var cells = CellWalk(circle: circle, requiring: requiring, from: entryCell(for: circle))
        while let node = cells.next(in: nodes) {
            let base = Int(node.link)
            for slot in base..<(base + Int(node.count)) where pool.tags[slot] & requiring == requiring {
                let key = probe.key(pool.positions[slot])
                let handle = Int(pool.handles[slot])
                if key <= limit && accept(handle) { hits.append(NearbyHit(handle: handle, key: key)) }
            }
        }
        return hits.sorted()
    }

    /// How many points lie within `radiusMetres` of `center`. Without `requiring`, cells
    /// wholly inside the circle are counted from their summary without being visited.
    public func count(withinMetres radiusMetres: Double, of center: GeoPoint, requiring: UInt32 = 0) -> Int {
        let probe = DistanceProbe(center)
        let circle = CircleTest(probe: probe, center: center, radiusMetres: radiusMetres)
        var total = 0
        var cells = CellWalk(circle: circle, requiring: requiring, from: entryCell(for: circle),
                             takesWholeCells: requiring == 0)
        pool.positions.withUnsafeBufferPointer { positions in
            pool.tags.withUnsafeBufferPointer { tags in
                while let node = cells.next(in: nodes) {
                    if cells.lastWasWhole {
                        total += Int(node.count)
                        continue
                    }
                    let slots = Int(node.link)..<(Int(node.link) + Int(node.count))
                    if requiring == 0 {
                        for slot in slots where circle.contains(positions[slot]) { total += 1 }
                    } else {
                        for slot in slots where tags[slot] & requiring == requiring && circle.contains(positions[slot]) {
                            total += 1
                        }
                    }
                }
            }
        }
        return total
    }

    /// Where a walk bounded by `circle` starts: the deepest cell holding its box.
    private func entryCell(for circle: CircleTest) -> Cell {
        guard circle.bounded else { return .root }
        return entryCell(southWest: GridPoint(x: circle.xMin, y: circle.yMin),
                         northEast: GridPoint(x: circle.xMax, y: circle.yMax))
    }

    /// Depth-first walk over the cells that may hold points within `limit` of a centre:
    /// yields each leaf reached and, when `takesWholeCells`, each cell wholly inside the
    /// limit (flagged by `lastWasWhole`) instead of descending into it.
    struct CellWalk {
        let circle: CircleTest
        let requiring: UInt32
        let takesWholeCells: Bool
        private(set) var lastWasWhole = false
        private var stack: [Cell]

        init(circle: CircleTest, requiring: UInt32, from start: Cell, takesWholeCells: Bool = false) {
            stack = [start]
            stack.reserveCapacity(128)
            self.circle = circle
            self.requiring = requiring
            self.takesWholeCells = takesWholeCells
        }

        mutating func next(in nodes: [Node]) -> Node? {
            let probe = circle.probe
            let limit = circle.limit
            while let cell = stack.popLast() {
                let node = nodes[Int(cell.node)]
                guard node.count > 0, node.tags & requiring == requiring,
                      !circle.cellOutsideBox(x0: cell.x0, y0: cell.y0, shift: node.shift),
                      probe.lowerBound(x0: cell.x0, y0: cell.y0, shift: node.shift) <= limit else { continue }
                if takesWholeCells && probe.cellWithin(x0: cell.x0, y0: cell.y0, shift: node.shift, limit: limit) {
                    lastWasWhole = true
                    return node
                }
                if node.isLeaf {
                    lastWasWhole = false
                    return node
                }
                for quadrant in 0..<4 { stack.append(cell.child(quadrant, first: node.firstChild, depth: node.depth)) }
            }
            return nil
        }
    }

    /// A cell waiting in the best-first search, with a lower bound of its keys.
    struct Frontier: Comparable {
        var bound: Double
        var cell: Cell
        static func < (lhs: Frontier, rhs: Frontier) -> Bool { lhs.bound < rhs.bound }
        static func == (lhs: Frontier, rhs: Frontier) -> Bool { lhs.bound == rhs.bound }
    }
}
