/// Re-laying the tree out in memory so that cells near each other in space sit near each
/// other in memory, which is what makes a query's leaves cheap to reach.
extension QuadTree {
    /// Rewrites nodes and leaf storage in depth-first (Z-order) sequence, each leaf's segment
    /// the smallest size class that holds it, no free space left behind. O(n); the daemon
    /// runs it after its start-up load and may run it again when churn has scattered the
    /// layout. Handles, positions, tags and query results are unchanged; the handle map
    /// drops the unused handles above the highest one present.
    public mutating func compact() {
        var newNodes: [Node] = []
        var newParents: [Int32] = []
        newNodes.reserveCapacity(nodes.count - freeBlocks.count * 4)
        newParents.reserveCapacity(nodes.count - freeBlocks.count * 4)
        var newPool = SlotPool()
        newPool.reserve(pool.slotsReserved)
        newNodes.append(nodes[0])
        newParents.append(-1)
        var pending: [(old: Int, new: Int)] = [(0, 0)]
        while let (old, new) = pending.popLast() {
            let node = nodes[old]
            if node.isLeaf {
                relocateLeaf(node, to: new, in: &newNodes, pool: &newPool)
                continue
            }
            let first = newNodes.count
            newNodes[new].link = UInt32(first)
            for quadrant in 0..<4 {
                newNodes.append(nodes[node.firstChild + quadrant])
                newParents.append(Int32(new))
            }
            for quadrant in (0..<4).reversed() {
                pending.append((node.firstChild + quadrant, first + quadrant))
            }
        }
        nodes = newNodes
        parents = newParents
        pool = newPool
        freeBlocks = []
        let used = (entries.lastIndex { $0.isPresent } ?? -1) + 1
        entries.truncate(to: used)
    }

    private mutating func relocateLeaf(_ node: Node, to index: Int, in newNodes: inout [Node], pool newPool: inout SlotPool) {
        let fill = Int(node.count)
        guard fill > 0 else {
            newNodes[index].link = 0
            newNodes[index].sizeClass = SlotPool.noClass
            return
        }
        let sizeClass = SlotPool.sizeClass(holding: fill)
        let base = Int(newPool.append(SlotPool.capacity(of: sizeClass)))
        newNodes[index].link = UInt32(base)
        newNodes[index].sizeClass = sizeClass
        let oldBase = Int(node.link)
        for offset in 0..<fill {
            newPool.positions[base + offset] = pool.positions[oldBase + offset]
            newPool.tags[base + offset] = pool.tags[oldBase + offset]
            let handle = pool.handles[oldBase + offset]
            newPool.handles[base + offset] = handle
            entries[Int(handle)] = HandleEntry(slot: UInt32(base + offset), leaf: index, depth: node.depth,
                                               position: pool.positions[oldBase + offset])
        }
    }
}
