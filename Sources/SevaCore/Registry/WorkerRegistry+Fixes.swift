/// Position fixes: the GPS filters of DESIGN.md §2 (LOC).
extension WorkerRegistry {
    /// What became of a fix.
    public enum FixOutcome: Sendable, Equatable {
        /// Used: the worker is there now.
        case accepted
        /// Not newer than the worker's last fix: ignored (the client still gets OK).
        case older
        /// Implies a speed above `dispatch.max_speed_kmh` from the last accepted fix (a spoofed
        /// or glitched GPS): counted, not used.
        case suspect(impliedKmh: Double)
        /// Timestamped more than `maxFutureSeconds` ahead of now: not used.
        case future
    }

    /// Applies one fix for worker `id`, taken at `timestamp` (nil: now); nil when the worker
    /// is unknown.
    public mutating func recordFix(_ id: String, at point: GeoPoint, accuracyMetres: Double? = nil,
                                   timestamp: Double? = nil, now: Double) -> FixOutcome? {
        guard let handle = handles[id], let worker = workers[handle] else { return nil }
        let fixTime = timestamp ?? now
        if fixTime > now + rules.maxFutureSeconds {
            counters.future += 1
            return .future
        }
        if let last = worker.fixTime, fixTime <= last {
            counters.older += 1
            return .older
        }
        if let previous = worker.position, let last = worker.fixTime {
            let kmh = GeoMath.distanceMetres(previous, point) / (fixTime - last) * 3.6
            if kmh > rules.maxSpeedKmh {
                counters.suspect += 1
                workers[handle]?.suspectFixes += 1
                return .suspect(impliedKmh: kmh)
            }
        }
        counters.accepted += 1
        workers[handle]?.position = point
        workers[handle]?.fixTime = fixTime
        workers[handle]?.accuracyMetres = accuracyMetres
        if worker.position == nil {
            index.insert(handle, at: point, tags: 0)
        } else {
            index.move(handle, to: point)
        }
        retag(handle, now: now)
        moved.insert(handle)
        if !worker.queuedForExpiry {
            workers[handle]?.queuedForExpiry = true
            expiries.push(Expiry(deadline: fixTime + rules.staleAfterSeconds, handle: handle, generation: worker.generation))
        }
        return .accepted
    }
}

/// NEAR and the dispatch engine's candidate search.
extension WorkerRegistry {
    /// One worker found near a point.
    public struct Nearby: Sendable, Equatable {
        public let id: String
        public let metres: Double
        public let position: GeoPoint
        public let status: WorkerStatus
        public let ageSeconds: Double
    }

    /// The nearest workers to `center` within `radiusMetres`, nearest first (ties by
    /// registration). By default only those who may take a job now; with `includeAll`, every
    /// worker with a fresh position. `skill` narrows either to one skill.
    public func nearest(to center: GeoPoint, skill: SkillSet? = nil, radiusMetres: Double, limit: Int,
                        includeAll: Bool = false, now: Double) -> [Nearby] {
        var requiring = includeAll ? Self.visibleTag : Self.dispatchableTag
        if let skill, !includeAll { requiring |= skill.rawValue }
        let hits = index.nearest(to: center, k: limit, withinMetres: radiusMetres, requiring: requiring) { handle in
            // The index is retagged when state changes and stale workers are swept every
            // second or so; this keeps answers exact in between.
            guard let worker = workers[handle], isFresh(worker, now: now) else { return false }
            if let skill, !worker.profile.skills.isSuperset(of: skill) { return false }
            return includeAll || isDispatchable(worker, now: now)
        }
        return hits.compactMap { hit in
            guard let worker = workers[hit.handle], let position = worker.position else { return nil }
            return Nearby(id: worker.profile.id, metres: hit.metres, position: position,
                          status: status(of: worker, now: now), ageSeconds: max(0, now - (worker.fixTime ?? now)))
        }
    }
}
