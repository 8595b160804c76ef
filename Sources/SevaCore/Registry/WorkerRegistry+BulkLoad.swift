/// The registry of a restart, built in one pass from what the store committed.
extension WorkerRegistry {
    /// A registry holding `workers` (distinct ids, as the store's primary key keeps them) and
    /// their last `positions`: records appended in order into an id table sized for them all,
    /// then the index built at once (`QuadTree(bulk:)`) with every worker's tags — the state
    /// a registration, an availability and a fix of each would leave, without a million
    /// lookups, splits and re-tags. Loaded positions are what the store holds, so none of them
    /// is "moved": the first snapshot after a restart writes only what changed since.
    /// A position of a worker not in `workers`, or stamped further ahead than
    /// `rules.maxFutureSeconds`, is left out, as `recordFix` would leave it.
    public init(catalogue: SkillCatalogue, rules: RegistryRules = RegistryRules(), workers: [RegisteredWorker],
                positions: [WorkerPosition], now: Double) {
        self.init(catalogue: catalogue, rules: rules)
        handles = WorkerIDTable(capacity: workers.count)
        for worker in workers {
            assert(handles.find(worker.profile.id, in: records) == nil, "duplicate worker \(worker.profile.id)")
            let handle = records.count
            records.append(WorkerRecord(worker.profile, districts: &districts))
            var state = LiveState()
            state.availability = worker.availability
            live.append(state)
            handles.insert(worker.profile.id, handle: handle, records: records)
        }
        var located: [(handle: Int, point: GeoPoint)] = []
        located.reserveCapacity(positions.count)
        // Both lists come in the store's id order, so a position is most often the next
        // worker's, or a little further on; the id table answers when it is not.
        var next = 0
        for position in positions {
            let handle: Int
            if next < records.count && records[next].id == position.worker {
                handle = next
            } else if let found = handles.find(position.worker, in: records) {
                handle = found
            } else {
                continue
            }
            next = handle + 1
            guard live[handle].lastFix == nil else { continue }
            if position.at > now + rules.maxFutureSeconds {
                counters.future += 1
                continue
            }
            counters.accepted += 1
            live[handle].fixTime = position.at
            live[handle].accuracyMetres = position.accuracyMetres.map(Float.init) ?? .nan
            located.append((handle, position.point))
        }
        for handle in 0..<records.count {
            let status = status(of: handle, now: now)
            live[handle].counted = status
            live[handle].fresh = isFresh(live[handle], now: now)
            statusCounts[status] += 1
        }
        index = QuadTree(bulk: located.map { handle, point in
            QuadTree.BulkPoint(handle: handle, point: point, tags: indexTags(handle, fresh: live[handle].fresh, now: now))
        })
        if !records.isEmpty { listing.added() }
    }
}
