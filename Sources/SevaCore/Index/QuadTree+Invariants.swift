/// Self-check of the whole structure, for tests and for debugging a live daemon.
extension QuadTree {
    /// Describes every broken invariant; an empty array means the tree is sound.
    ///
    /// Checks that every handle sits in exactly one leaf, at the slot its map entry names;
    /// that every point lies inside its leaf's cell; that each node's count and tag summary
    /// equal a recount; that leaves stay within their segment and the bucket (except at
    /// `maxDepth`); that depth and parent links are consistent.
    public func invariantViolations() -> [String] {
        var problems: [String] = []
        var seen = [Bool](repeating: false, count: entries.count)
        var stack: [Cell] = [.root]
        while let cell = stack.popLast() {
            let index = Int(cell.node)
            let node = nodes[index]
            if Int(node.depth) > maxDepth { problems.append("node \(index) deeper than maxDepth") }
            if node.isLeaf {
                checkLeaf(cell, seen: &seen, problems: &problems)
                continue
            }
            var count: UInt32 = 0
            var tags: UInt32 = 0
            for quadrant in 0..<4 {
                let child = node.firstChild + quadrant
                if parents[child] != Int32(index) { problems.append("node \(child) has parent \(parents[child]), not \(index)") }
                if nodes[child].depth != node.depth + 1 { problems.append("node \(child) depth \(nodes[child].depth) under \(node.depth)") }
                count += nodes[child].count
                tags |= nodes[child].tags
                stack.append(cell.child(quadrant, first: node.firstChild, depth: node.depth))
            }
            if count != node.count { problems.append("node \(index) count \(node.count), children hold \(count)") }
            if tags != node.tags { problems.append("node \(index) tags \(node.tags), children have \(tags)") }
        }
        var present = 0
        for handle in 0..<entries.count where entries[handle].isPresent {
            present += 1
            if !seen[handle] { problems.append("handle \(handle) is mapped but in no leaf") }
        }
        if present != count { problems.append("\(present) handles mapped, root counts \(count)") }
        return problems
    }

    private func checkLeaf(_ cell: Cell, seen: inout [Bool], problems: inout [String]) {
        let index = Int(cell.node)
        let node = nodes[index]
        if Int(node.count) > SlotPool.capacity(of: node.sizeClass) {
            problems.append("leaf \(index) overflows its segment")
        }
        if Int(node.count) > bucketCapacity && Int(node.depth) < maxDepth {
            problems.append("leaf \(index) holds \(node.count) above the bucket at depth \(node.depth)")
        }
        let corner = GridPoint(x: cell.x0, y: cell.y0)
        var tags: UInt32 = 0
        let base = Int(node.link)
        for slot in base..<(base + Int(node.count)) {
            let handle = Int(pool.handles[slot])
            tags |= pool.tags[slot]
            guard handle < seen.count else { problems.append("leaf \(index) holds unknown handle \(handle)"); continue }
            if seen[handle] { problems.append("handle \(handle) in more than one slot") }
            seen[handle] = true
            let entry = entries[handle]
            if entry.leaf != index || Int(entry.slot) != slot || entry.depth != Int(node.depth)
                || !entry.leafHolds(pool.positions[slot]) {
                problems.append("handle \(handle) map says \(entry.leaf)/\(entry.slot), found \(index)/\(slot)")
            }
            if !pool.positions[slot].sharesCell(with: corner, atDepth: Int(node.depth)) {
                problems.append("handle \(handle) lies outside leaf \(index)")
            }
        }
        if tags != node.tags { problems.append("leaf \(index) tags \(node.tags), slots have \(tags)") }
    }

    /// Bytes the index holds for its current contents: nodes, slots and handle maps.
    public var memoryFootprintBytes: Int {
        nodes.count * (MemoryLayout<Node>.stride + MemoryLayout<Int32>.stride)
            + pool.slotsReserved * SlotPool.bytesPerSlot
            + entries.count * MemoryLayout<HandleEntry>.stride
    }
}
