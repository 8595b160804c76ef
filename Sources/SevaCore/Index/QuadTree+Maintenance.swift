/// Structural upkeep: placing and detaching points, splitting, merging, resizing leaves.
extension QuadTree {
    /// Points at or below which four sibling leaves merge back into their parent.
    var mergeThreshold: UInt32 { UInt32(bucketCapacity / 2) }

    /// Descends from `start` (whose cell must hold `grid`), counting the point in every node
    /// on the way, and stores it in the leaf that holds it, splitting full leaves.
    mutating func place(_ handle: UInt32, at grid: GridPoint, tags: UInt32, from start: Int) {
        var index = start
        while true {
            if nodes[index].isLeaf {
                let fill = Int(nodes[index].count)
                if fill >= bucketCapacity && Int(nodes[index].depth) < maxDepth {
                    split(index)
                    continue
                }
                if fill >= SlotPool.capacity(of: nodes[index].sizeClass) {
                    resize(index, to: SlotPool.sizeClass(holding: fill + 1))
                }
                let slot = Int(nodes[index].link) + fill
                pool.positions[slot] = grid
                pool.tags[slot] = tags
                pool.handles[slot] = handle
                nodes[index].count += 1
                nodes[index].tags |= tags
                entries[Int(handle)] = HandleEntry(slot: UInt32(slot), leaf: index, depth: nodes[index].depth,
                                                   position: grid)
                return
            }
            nodes[index].count += 1
            nodes[index].tags |= tags
            index = nodes[index].firstChild + nodes[index].quadrant(of: grid)
        }
    }

    /// Takes `handle` out of its leaf and uncounts it upwards. With a `target`, stops at the
    /// lowest ancestor whose cell holds it (the point is about to be placed again from
    /// there) and returns that ancestor; without, goes to the root and returns 0.
    mutating func detach(_ handle: Int, stopAt target: GridPoint?) -> Int {
        let leaf = entries[handle].leaf
        let slot = Int(entries[handle].slot)
        let old = pool.positions[slot]
        let last = Int(nodes[leaf].link) + Int(nodes[leaf].count) - 1
        if slot != last {
            pool.copy(last, to: slot)
            entries[Int(pool.handles[slot])].slot = UInt32(slot)
        }
        entries[handle] = .absent

        var index = leaf
        var tagsMayChange = true
        while true {
            nodes[index].count -= 1
            if tagsMayChange {
                let fresh = recountTags(index)
                tagsMayChange = fresh != nodes[index].tags
                nodes[index].tags = fresh
            }
            if let target, old.sharesCell(with: target, atDepth: Int(nodes[index].depth)) { break }
            if index == 0 { break }
            index = Int(parents[index])
        }
        let stop = index

        shrinkIfSparse(leaf)
        var candidate = Int(parents[leaf])
        let mergeLimit = target == nil ? -1 : stop
        while candidate >= 0 && candidate != mergeLimit && canMerge(candidate) {
            merge(candidate)
            candidate = Int(parents[candidate])
        }
        return stop
    }

    /// Recomputes the tag summary of `start` and of its ancestors while it changes.
    mutating func refreshTags(from start: Int) {
        var index = start
        while index >= 0 {
            let fresh = recountTags(index)
            if fresh == nodes[index].tags { return }
            nodes[index].tags = fresh
            index = Int(parents[index])
        }
    }

    /// The OR of the tags directly below a node: its slots for a leaf, its children otherwise.
    func recountTags(_ index: Int) -> UInt32 {
        let node = nodes[index]
        var tags: UInt32 = 0
        if node.isLeaf {
            let base = Int(node.link)
            for slot in base..<(base + Int(node.count)) { tags |= pool.tags[slot] }
        } else {
            for child in node.firstChild..<(node.firstChild + 4) { tags |= nodes[child].tags }
        }
        return tags
    }

    /// Moves a leaf's points into a segment of another size class.
    mutating func resize(_ leaf: Int, to sizeClass: UInt8) {
        let fill = Int(nodes[leaf].count)
        let oldBase = Int(nodes[leaf].link)
        let newBase = Int(pool.allocate(sizeClass))
        for offset in 0..<fill {
            pool.copy(oldBase + offset, to: newBase + offset)
            entries[Int(pool.handles[newBase + offset])].slot = UInt32(newBase + offset)
        }
        pool.release(UInt32(oldBase), nodes[leaf].sizeClass)
        nodes[leaf].link = UInt32(newBase)
        nodes[leaf].sizeClass = sizeClass
    }

    /// Gives back an empty leaf's segment, or halves one that is at most a quarter full.
    mutating func shrinkIfSparse(_ leaf: Int) {
        let node = nodes[leaf]
        guard node.sizeClass != SlotPool.noClass else { return }
        if node.count == 0 {
            pool.release(node.link, node.sizeClass)
            nodes[leaf].sizeClass = SlotPool.noClass
            nodes[leaf].link = 0
        } else if node.sizeClass > 0 && Int(node.count) * 4 <= SlotPool.capacity(of: node.sizeClass) {
            resize(leaf, to: node.sizeClass - 1)
        }
    }

    /// True when `index` has four leaf children holding few enough points to merge.
    func canMerge(_ index: Int) -> Bool {
        let node = nodes[index]
        guard !node.isLeaf, node.count <= mergeThreshold else { return false }
        let first = node.firstChild
        return nodes[first].isLeaf && nodes[first + 1].isLeaf && nodes[first + 2].isLeaf && nodes[first + 3].isLeaf
    }

    /// Turns a full leaf into an internal node with four leaf children sharing its points.
    mutating func split(_ leaf: Int) {
        let first = takeBlock()
        let parent = nodes[leaf]
        for quadrant in 0..<4 {
            nodes[first + quadrant] = Node(depth: parent.depth + 1)
            parents[first + quadrant] = Int32(leaf)
        }
        let base = Int(parent.link)
        let slots = base..<(base + Int(parent.count))
        var perQuadrant = [0, 0, 0, 0]
        for slot in slots { perQuadrant[parent.quadrant(of: pool.positions[slot])] += 1 }
        for quadrant in 0..<4 where perQuadrant[quadrant] > 0 {
            let sizeClass = SlotPool.sizeClass(holding: perQuadrant[quadrant])
            nodes[first + quadrant].sizeClass = sizeClass
            nodes[first + quadrant].link = pool.allocate(sizeClass)
        }
        for slot in slots { appendSlot(from: slot, to: first + parent.quadrant(of: pool.positions[slot])) }
        pool.release(parent.link, parent.sizeClass)
        nodes[leaf].isLeaf = false
        nodes[leaf].link = UInt32(first)
        nodes[leaf].sizeClass = SlotPool.noClass
    }

    /// Folds four leaf children back into their parent, which becomes a leaf.
    mutating func merge(_ index: Int) {
        let first = nodes[index].firstChild
        let total = Int(nodes[index].count)
        nodes[index].isLeaf = true
        nodes[index].count = 0
        nodes[index].tags = 0
        nodes[index].link = 0
        if total > 0 {
            let sizeClass = SlotPool.sizeClass(holding: total)
            nodes[index].sizeClass = sizeClass
            nodes[index].link = pool.allocate(sizeClass)
        }
        for child in first..<(first + 4) {
            let base = Int(nodes[child].link)
            for slot in base..<(base + Int(nodes[child].count)) { appendSlot(from: slot, to: index) }
            pool.release(nodes[child].link, nodes[child].sizeClass)
        }
        freeBlocks.append(Int32(first))
    }

    /// Copies a pool slot to the end of a leaf whose segment has room, re-pointing its handle.
    private mutating func appendSlot(from slot: Int, to leaf: Int) {
        let target = Int(nodes[leaf].link) + Int(nodes[leaf].count)
        pool.copy(slot, to: target)
        entries[Int(pool.handles[target])] = HandleEntry(slot: UInt32(target), leaf: leaf, depth: nodes[leaf].depth,
                                                         position: pool.positions[target])
        nodes[leaf].count += 1
        nodes[leaf].tags |= pool.tags[target]
    }

    /// Four consecutive free node slots, reused from a merge when possible.
    private mutating func takeBlock() -> Int {
        if let first = freeBlocks.popLast() { return Int(first) }
        let first = nodes.count
        nodes.append(contentsOf: repeatElement(Node(depth: 0), count: 4))
        parents.append(contentsOf: repeatElement(-1, count: 4))
        return first
    }
}
