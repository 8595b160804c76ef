/// Structural upkeep: placing and detaching points, splitting, merging, resizing leaves.
extension QuadTree {
    /// Points at or below which four sibling leaves merge back into their parent.
    var mergeThreshold: UInt32 { UInt32(bucketCapacity / 2) }

    /// Descends from `start` (which must hold `grid`), counting the point in every node on
    /// the way, and stores it in the leaf that holds it, splitting full leaves.
    mutating func place(_ handle: UInt32, at grid: GridPoint, tags: UInt32, from start: Int) {
        var index = start
        while true {
            if nodes[index].isLeaf {
                let fill = Int(nodes[index].fill)
                if fill >= bucketCapacity && Int(nodes[index].depth) < maxDepth {
                    split(index)
                    continue
                }
                if fill >= SlotPool.capacity(of: nodes[index].sizeClass) {
                    resize(index, to: SlotPool.sizeClass(holding: fill + 1))
                }
                let slot = Int(nodes[index].base) + fill
                pool.slots[slot] = Slot(position: grid, tags: tags)
                pool.handles[slot] = handle
                nodes[index].fill += 1
                nodes[index].count += 1
                nodes[index].tags |= tags
                entries[Int(handle)] = HandleEntry(slot: UInt32(slot), leaf: index, depth: nodes[index].depth)
                return
            }
            nodes[index].count += 1
            nodes[index].tags |= tags
            index = Int(nodes[index].firstChild) + nodes[index].quadrant(of: grid)
        }
    }

    /// Takes `handle` out of its leaf and uncounts it upwards. With a `target`, stops at the
    /// lowest ancestor that holds it (the point is about to be placed again from there) and
    /// returns that ancestor; without, goes to the root and returns 0.
    mutating func detach(_ handle: Int, stopAt target: GridPoint?) -> Int {
        let leaf = entries[handle].leaf
        let slot = Int(entries[handle].slot)
        let last = Int(nodes[leaf].base) + Int(nodes[leaf].fill) - 1
        if slot != last {
            pool.copy(last, to: slot)
            entries[Int(pool.handles[slot])].slot = UInt32(slot)
        }
        nodes[leaf].fill -= 1
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
            if let target, nodes[index].holds(target) { break }
            if index == 0 { break }
            index = Int(nodes[index].parent)
        }
        let stop = index

        shrinkIfSparse(leaf)
        var candidate = Int(nodes[leaf].parent)
        let mergeLimit = target == nil ? -1 : stop
        while candidate >= 0 && candidate != mergeLimit && canMerge(candidate) {
            merge(candidate)
            candidate = Int(nodes[candidate].parent)
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
            index = Int(nodes[index].parent)
        }
    }

    /// The OR of the tags directly below a node: its slots for a leaf, its children otherwise.
    func recountTags(_ index: Int) -> UInt32 {
        let node = nodes[index]
        var tags: UInt32 = 0
        if node.isLeaf {
            let base = Int(node.base)
            for slot in base..<(base + Int(node.fill)) { tags |= pool.slots[slot].tags }
        } else {
            let first = Int(node.firstChild)
            for child in first..<(first + 4) { tags |= nodes[child].tags }
        }
        return tags
    }

    /// Moves a leaf's points into a segment of another size class.
    mutating func resize(_ leaf: Int, to sizeClass: UInt8) {
        let fill = Int(nodes[leaf].fill)
        let oldBase = Int(nodes[leaf].base)
        let newBase = Int(pool.allocate(sizeClass))
        for offset in 0..<fill {
            pool.copy(oldBase + offset, to: newBase + offset)
            entries[Int(pool.handles[newBase + offset])].slot = UInt32(newBase + offset)
        }
        pool.release(UInt32(oldBase), nodes[leaf].sizeClass)
        nodes[leaf].base = UInt32(newBase)
        nodes[leaf].sizeClass = sizeClass
    }

    /// Gives back an empty leaf's segment, or halves one that is at most a quarter full.
    mutating func shrinkIfSparse(_ leaf: Int) {
        let node = nodes[leaf]
        guard node.sizeClass != SlotPool.noClass else { return }
        if node.fill == 0 {
            pool.release(node.base, node.sizeClass)
            nodes[leaf].sizeClass = SlotPool.noClass
            nodes[leaf].base = 0
        } else if node.sizeClass > 0 && Int(node.fill) * 4 <= SlotPool.capacity(of: node.sizeClass) {
            resize(leaf, to: node.sizeClass - 1)
        }
    }

    /// True when `index` has four leaf children holding few enough points to merge.
    func canMerge(_ index: Int) -> Bool {
        let node = nodes[index]
        guard !node.isLeaf, node.count <= mergeThreshold else { return false }
        let first = Int(node.firstChild)
        return nodes[first].isLeaf && nodes[first + 1].isLeaf && nodes[first + 2].isLeaf && nodes[first + 3].isLeaf
    }

    /// Turns a full leaf into an internal node with four leaf children sharing its points.
    mutating func split(_ leaf: Int) {
        let first = takeBlock()
        let parent = nodes[leaf]
        let childShift = UInt32(parent.shift - 1)
        for quadrant in 0..<4 {
            let x0 = parent.x0 | (UInt32(quadrant & 1) << childShift)
            let y0 = parent.y0 | (UInt32(quadrant >> 1) << childShift)
            nodes[first + quadrant] = Node(parent: Int32(leaf), x0: x0, y0: y0, depth: parent.depth + 1)
        }
        let base = Int(parent.base)
        let fill = Int(parent.fill)
        var perQuadrant = (0, 0, 0, 0)
        for slot in base..<(base + fill) {
            switch parent.quadrant(of: pool.slots[slot].position) {
            case 0: perQuadrant.0 += 1
            case 1: perQuadrant.1 += 1
            case 2: perQuadrant.2 += 1
            default: perQuadrant.3 += 1
            }
        }
        for (quadrant, total) in [perQuadrant.0, perQuadrant.1, perQuadrant.2, perQuadrant.3].enumerated()
        where total > 0 {
            let sizeClass = SlotPool.sizeClass(holding: total)
            nodes[first + quadrant].sizeClass = sizeClass
            nodes[first + quadrant].base = pool.allocate(sizeClass)
        }
        for slot in base..<(base + fill) {
            let child = first + parent.quadrant(of: pool.slots[slot].position)
            appendSlot(from: slot, to: child)
        }
        pool.release(parent.base, parent.sizeClass)
        nodes[leaf].firstChild = Int32(first)
        nodes[leaf].fill = 0
        nodes[leaf].base = 0
        nodes[leaf].sizeClass = SlotPool.noClass
    }

    /// Folds four leaf children back into their parent, which becomes a leaf.
    mutating func merge(_ index: Int) {
        let first = Int(nodes[index].firstChild)
        let total = Int(nodes[index].count)
        nodes[index].firstChild = -1
        nodes[index].fill = 0
        nodes[index].count = 0
        nodes[index].tags = 0
        if total > 0 {
            let sizeClass = SlotPool.sizeClass(holding: total)
            nodes[index].sizeClass = sizeClass
            nodes[index].base = pool.allocate(sizeClass)
        }
        for child in first..<(first + 4) {
            let base = Int(nodes[child].base)
            for slot in base..<(base + Int(nodes[child].fill)) { appendSlot(from: slot, to: index) }
            pool.release(nodes[child].base, nodes[child].sizeClass)
        }
        freeBlocks.append(Int32(first))
    }

    /// Copies a pool slot to the end of a leaf whose segment has room, re-pointing its handle.
    private mutating func appendSlot(from slot: Int, to leaf: Int) {
        let position = Int(nodes[leaf].fill)
        let target = Int(nodes[leaf].base) + position
        pool.copy(slot, to: target)
        entries[Int(pool.handles[target])] = HandleEntry(slot: UInt32(target), leaf: leaf, depth: nodes[leaf].depth)
        nodes[leaf].fill += 1
        nodes[leaf].count += 1
        nodes[leaf].tags |= pool.slots[target].tags
    }

    /// Four consecutive free node slots, reused from a merge when possible.
    private mutating func takeBlock() -> Int {
        if let first = freeBlocks.popLast() { return Int(first) }
        let first = nodes.count
        nodes.append(contentsOf: repeatElement(Node(parent: -1, x0: 0, y0: 0, depth: 0), count: 4))
        return first
    }
}
