/// WORKER LIST: workers in id order, a page at a time.
extension WorkerRegistry {
    /// Up to `limit` workers that `include` accepts, in id order, after `after`.
    public mutating func page(after: String?, limit: Int, now: Double,
                              where include: (WorkerSnapshot) -> Bool = { _ in true }) -> [WorkerSnapshot] {
        listing.bringUpToDate(records, live: &live)
        let order = listing.sorted
        var position = 0
        if let after {
            var high = order.count
            while position < high {
                let middle = (position + high) / 2
                if records[Int(order[middle])].id <= after { position = middle + 1 } else { high = middle }
            }
        }
        var page: [WorkerSnapshot] = []
        while position < order.count && page.count < limit {
            let snapshot = snapshot(handle: Int(order[position]), now: now)
            if include(snapshot) { page.append(snapshot) }
            position += 1
        }
        return page
    }
}

/// The handles in id order, kept lazily: additions (workers not yet `listed`) and removals
/// are noted, and the order is brought up to date (one sort of what was added, one merge)
/// only when a page is asked for.
struct IDListing: Sendable {
    private(set) var sorted: [Int32] = []
    private var stale = false
    private var removedHandles: [Int32] = []

    mutating func added() { stale = true }
    mutating func removed(_ handle: Int) {
        stale = true
        removedHandles.append(Int32(handle))
    }

    mutating func bringUpToDate(_ records: PagedArray<WorkerRecord>, live: inout PagedArray<LiveState>) {
        guard stale else { return }
        // A removed handle may have been reused: its old place in the order is wrong either
        // way, and its new worker, if any, is not listed yet.
        let gone = Set(removedHandles)
        let kept = gone.isEmpty ? sorted : sorted.filter { !gone.contains($0) }
        var fresh: [Int32] = []
        for handle in live.indices where !live[handle].listed && !records[handle].isFree {
            live[handle].listed = true
            fresh.append(Int32(handle))
        }
        fresh.sort { records[Int($0)].id < records[Int($1)].id }
        var merged: [Int32] = []
        merged.reserveCapacity(kept.count + fresh.count)
        var left = 0
        var right = 0
        while left < kept.count || right < fresh.count {
            if right == fresh.count || (left < kept.count && records[Int(kept[left])].id < records[Int(fresh[right])].id) {
                merged.append(kept[left])
                left += 1
            } else {
                merged.append(fresh[right])
                right += 1
            }
        }
        sorted = merged
        stale = false
        removedHandles.removeAll()
    }
}
