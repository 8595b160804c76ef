/// The periodic work on the registry: taking stale workers out of dispatch, and handing the
/// moved positions to the snapshot.
extension WorkerRegistry {
    /// Takes workers whose last fix has grown stale out of dispatch; returns their ids, so the
    /// engine can withdraw their offers. Looks at every worker.
    public mutating func expireStale(now: Double) -> [String] {
        sweepCursor = 0
        return expireStale(now: now, examining: live.count)
    }

    /// The same, for the next `examining` handles after where the last call stopped, going
    /// round, and stopping early once `expiring` have gone stale: the engine calls it often
    /// with a slice, so no call holds its loop for long — not even when a whole district's
    /// phones fall silent at once and every one of them expires (each costs a dispatch step).
    public mutating func expireStale(now: Double, examining: Int, expiring: Int = .max) -> [String] {
        var expired: [String] = []
        guard !live.isEmpty else { return expired }
        for _ in 0..<min(examining, live.count) where expired.count < expiring {
            if sweepCursor >= live.count { sweepCursor = 0 }
            let handle = sweepCursor
            sweepCursor += 1
            let state = live[handle]
            guard state.fresh, !isFresh(state, now: now) else { continue }
            refresh(handle, now: now)
            expired.append(records[handle].id)
        }
        return expired
    }

    /// Up to `limit` of the positions that changed since they were last taken, in handle order
    /// within the chunk, for the periodic snapshot to the store. A limited call takes from the
    /// current round — the positions that had moved when it began — and begins one when none
    /// is open, so a snapshot ends even while workers keep moving; moves after a round began
    /// wait for the next. `final` (at shutdown) takes from every moved position, round or not.
    public mutating func takeMovedPositions(limit: Int = .max, final: Bool = false) -> [WorkerPosition] {
        if roundHandles.isEmpty || final {
            roundHandles += movedHandles
            movedHandles.removeAll(keepingCapacity: true)
        }
        let count = min(limit, roundHandles.count)
        let chunk = roundHandles.suffix(count).sorted()
        roundHandles.removeLast(count)
        return chunk.compactMap { handle in
            let handle = Int(handle)
            guard live[handle].moved else { return nil }
            live[handle].moved = false
            guard let point = position(of: handle), let fixTime = live[handle].lastFix else { return nil }
            return WorkerPosition(worker: records[handle].id, point: point, accuracyMetres: live[handle].accuracy, at: fixTime)
        }
    }

    /// True while positions moved since they were last taken wait to be taken.
    public var hasMovedPositions: Bool { !roundHandles.isEmpty || !movedHandles.isEmpty }

    /// True while the round the last limited take began still has positions to hand out.
    public var isPositionRoundOpen: Bool { !roundHandles.isEmpty }
}
