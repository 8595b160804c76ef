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
        guard let handle = handles.find(id, in: records) else { return nil }
        let fixTime = timestamp ?? now
        if fixTime > now + rules.maxFutureSeconds {
            counters.future += 1
            return .future
        }
        let last = live[handle].fixTime
        if fixTime <= last {
            counters.older += 1
            return .older
        }
        let previous = index.gridPosition(of: handle)
        if let previous, !last.isNaN {
            let kmh = GeoMath.distanceMetres(previous.centre, point) / (fixTime - last) * 3.6
            if kmh > rules.maxSpeedKmh {
                counters.suspect += 1
                live[handle].suspectFixes &+= 1
                return .suspect(impliedKmh: kmh)
            }
        }
        counters.accepted += 1
        live[handle].fixTime = fixTime
        live[handle].accuracyMetres = accuracyMetres.map(Float.init) ?? .nan
        if previous == nil {
            index.insert(handle, at: point, tags: 0)
        } else {
            index.move(handle, to: point)
        }
        if !live[handle].moved {
            live[handle].moved = true
            movedHandles.append(Int32(handle))
        }
        refresh(handle, now: now)
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
        /// How far the worker said they will travel, if they did.
        public let reachKm: Double?
    }

    /// The nearest workers to `center` within `radiusMetres`, nearest first (ties by
    /// registration). By default only those who may take a job now; with `includeAll`, every
    /// worker with a fresh position. `skill` narrows either to one skill.
    public func nearest(to center: GeoPoint, skill: SkillSet? = nil, radiusMetres: Double, limit: Int,
                        includeAll: Bool = false, now: Double) -> [Nearby] {
        var requiring = includeAll ? Self.visibleTag : Self.dispatchableTag
        if let skill { requiring |= skill.rawValue }
        let hits = index.nearest(to: center, k: limit, withinMetres: radiusMetres, requiring: requiring) { handle in
            // The index is retagged when state changes and stale workers are swept every
            // second or so; this keeps answers exact in between.
            guard isFresh(live[handle], now: now) else { return false }
            if let skill, !records[handle].skills.isSuperset(of: skill) { return false }
            return includeAll || isDispatchable(handle, now: now)
        }
        return hits.map { hit in
            Nearby(id: records[hit.handle].id, metres: hit.metres, position: index.gridPosition(of: hit.handle)!.centre,
                   status: status(of: hit.handle, now: now), ageSeconds: max(0, now - live[hit.handle].fixTime),
                   reachKm: records[hit.handle].radiusKm.isNaN ? nil : Double(records[hit.handle].radiusKm))
        }
    }
}
