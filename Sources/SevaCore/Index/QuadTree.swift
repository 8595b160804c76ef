/// The live spatial index of worker positions: a bucketed PR quadtree over the `GridPoint` grid.
///
/// Points are named by dense integer handles (`0..<n`, chosen by the owner) and carry a
/// 32-bit `tags` word that the owner defines — for dispatch, the skills of a worker who may
/// take a job right now, or 0. Every node keeps the number of points below it and the OR of
/// their tags, so a query that requires some tags skips whole subtrees that lack them and a
/// count over a region adds whole subtrees without visiting them.
///
/// - A `move` that stays inside its leaf rewrites the point in place through the
///   handle → (leaf, slot) map: O(1), no allocation.
/// - Leaves hold up to `bucketCapacity` points before they split (except at `maxDepth`, where
///   they grow); four sibling leaves whose total falls to half of that merge back.
/// - Leaf storage comes from a slot pool in power-of-two size classes that a leaf moves
///   between as it fills and empties, so memory follows the population.
///
/// The index is a value type with no locks: one owner (the engine's event loop) uses it.
public struct QuadTree: Sendable {
    /// Points a leaf holds before it splits.
    public let bucketCapacity: Int
    /// Deepest level; leaves there grow instead of splitting (≈ 2.4 m cells at depth 24).
    public let maxDepth: Int

    var nodes: [Node]
    /// Parent of each node (-1 for the root), beside `nodes` so that queries never load it.
    var parents: [Int32]
    var freeBlocks: [Int32]
    var pool: SlotPool
    var entries: PagedArray<HandleEntry>

    /// Creates an empty index.
    /// - Parameters:
    ///   - bucketCapacity: points per leaf before a split, 4...4096 (default 64).
    ///   - maxDepth: the deepest level, 1...30 (default 24).
    public init(bucketCapacity: Int = 64, maxDepth: Int = 24) {
        precondition((4...4096).contains(bucketCapacity), "bucketCapacity must be in 4...4096")
        precondition((1...30).contains(maxDepth), "maxDepth must be in 1...30")
        self.bucketCapacity = bucketCapacity
        self.maxDepth = maxDepth
        nodes = [Node(depth: 0)]
        parents = [-1]
        freeBlocks = []
        pool = SlotPool()
        entries = PagedArray()
    }

    /// The number of points in the index.
    public var count: Int { Int(nodes[0].count) }

    /// True when `handle` is in the index.
    public func contains(_ handle: Int) -> Bool {
        handle >= 0 && handle < entries.count && entries[handle].isPresent
    }

    /// The stored (quantised) position of `handle`, or nil when it is not in the index.
    public func gridPosition(of handle: Int) -> GridPoint? {
        guard contains(handle) else { return nil }
        return pool.positions[Int(entries[handle].slot)]
    }

    /// The stored position of `handle` in degrees, or nil when it is not in the index.
    public func position(of handle: Int) -> GeoPoint? { gridPosition(of: handle)?.point }

    /// The tags of `handle`, or nil when it is not in the index.
    public func tags(of handle: Int) -> UInt32? {
        guard contains(handle) else { return nil }
        return pool.tags[Int(entries[handle].slot)]
    }

    /// Adds `handle` at `point`; a handle already present is moved there and re-tagged.
    public mutating func insert(_ handle: Int, at point: GeoPoint, tags: UInt32) {
        precondition(handle >= 0 && handle < Int(UInt32.max), "handle out of range")
        if contains(handle) {
            move(handle, to: point)
            setTags(handle, tags)
            return
        }
        if handle >= entries.count {
            entries.grow(to: handle + 1, filling: .absent)
        }
        place(UInt32(handle), at: GridPoint(point), tags: tags, from: 0)
    }

    /// Moves `handle` to `point`. In place when the point stays in its leaf. Returns false
    /// when the handle is not in the index.
    @discardableResult
    public mutating func move(_ handle: Int, to point: GeoPoint) -> Bool {
        guard contains(handle) else { return false }
        let grid = GridPoint(point)
        let entry = entries[handle]
        let slot = Int(entry.slot)
        if entry.leafHolds(grid) {
            pool.positions[slot] = grid
            return true
        }
        let tags = pool.tags[slot]
        let ancestor = detach(handle, stopAt: grid)
        place(UInt32(handle), at: grid, tags: tags, from: ancestor)
        return true
    }

    /// Replaces the tags of `handle`, updating the summaries above it. Returns false when the
    /// handle is not in the index.
    @discardableResult
    public mutating func setTags(_ handle: Int, _ tags: UInt32) -> Bool {
        guard contains(handle) else { return false }
        let leaf = entries[handle].leaf
        let slot = Int(entries[handle].slot)
        let old = pool.tags[slot]
        guard old != tags else { return true }
        pool.tags[slot] = tags
        if tags & old == old {
            var index = leaf
            while index >= 0 && nodes[index].tags & tags != tags {
                nodes[index].tags |= tags
                index = Int(parents[index])
            }
        } else {
            refreshTags(from: leaf)
        }
        return true
    }

    /// Removes `handle`. Returns false when it was not in the index.
    @discardableResult
    public mutating func remove(_ handle: Int) -> Bool {
        guard contains(handle) else { return false }
        _ = detach(handle, stopAt: nil)
        return true
    }
}

extension QuadTree {
    /// The node index of the leaf holding `handle`, or nil. Diagnostics only: it tells an
    /// in-place move (same leaf) from one that went through the tree.
    public func leafIndex(of handle: Int) -> Int? {
        contains(handle) ? entries[handle].leaf : nil
    }
}
