/// The live registry of workers: their profiles, their choices, what dispatch has them doing,
/// and where they are — with the spatial index kept in step, so that a query for "the nearest
/// available, verified plumber" only ever sees workers who may take the job now.
///
/// Pure and deterministic: every method that depends on time takes `now` (Unix seconds) from
/// the caller's clock. One owner (the engine's event loop) uses it.
public struct WorkerRegistry: Sendable {
    public let catalogue: SkillCatalogue
    public var rules: RegistryRules

    var workers: [LiveWorker?] = []
    var handles: [String: Int] = [:]
    var freeHandles: [Int] = []
    var index = QuadTree()
    /// When each positioned worker goes stale, earliest first; at most one entry per worker.
    var expiries = BinaryHeap<Expiry>()
    var nextGeneration = 0
    /// Workers whose position changed since the last `takeMovedPositions()`.
    var moved: Set<Int> = []
    public internal(set) var counters = FixCounters()

    /// Index tag bits: the worker has a fresh position; the worker may take a job now. The
    /// low bits carry the skills of a worker who may take a job now.
    static let visibleTag: UInt32 = 1 << 31
    static let dispatchableTag: UInt32 = 1 << 30

    public init(catalogue: SkillCatalogue, rules: RegistryRules = RegistryRules()) {
        self.catalogue = catalogue
        self.rules = rules
    }

    /// Workers registered.
    public var count: Int { handles.count }

    /// The ids of all registered workers, in no particular order.
    public var ids: Dictionary<String, Int>.Keys { handles.keys }

    /// Adds a worker or replaces the profile of an existing one; returns true when added.
    @discardableResult
    public mutating func upsert(_ profile: WorkerProfile, now: Double) -> Bool {
        if let handle = handles[profile.id] {
            workers[handle]?.profile = profile
            retag(handle, now: now)
            return false
        }
        let handle = freeHandles.popLast() ?? workers.count
        if handle == workers.count { workers.append(nil) }
        var worker = LiveWorker(profile: profile)
        worker.generation = nextGeneration
        nextGeneration += 1
        workers[handle] = worker
        handles[profile.id] = handle
        return true
    }

    /// Removes a worker; returns false when unknown.
    @discardableResult
    public mutating func remove(_ id: String) -> Bool {
        guard let handle = handles.removeValue(forKey: id) else { return false }
        workers[handle] = nil
        index.remove(handle)
        moved.remove(handle)
        freeHandles.append(handle)
        return true
    }

    public func profile(_ id: String) -> WorkerProfile? { handles[id].flatMap { workers[$0]?.profile } }

    /// The worker's live view, or nil when unknown.
    public func snapshot(_ id: String, now: Double) -> WorkerSnapshot? {
        guard let handle = handles[id], let worker = workers[handle] else { return nil }
        return WorkerSnapshot(worker, status: status(of: worker, now: now), now: now)
    }

    /// Records `AVAIL on|off|break`; returns false when the worker is unknown.
    @discardableResult
    public mutating func setAvailability(_ id: String, _ availability: Availability, now: Double) -> Bool {
        guard let handle = handles[id] else { return false }
        workers[handle]?.availability = availability
        retag(handle, now: now)
        return true
    }

    /// Records what dispatch has the worker doing; returns false when the worker is unknown.
    @discardableResult
    public mutating func setEngagement(_ id: String, _ engagement: Engagement, now: Double) -> Bool {
        guard let handle = handles[id] else { return false }
        workers[handle]?.engagement = engagement
        retag(handle, now: now)
        return true
    }

    /// The worker's state now (DESIGN.md §3), or nil when unknown.
    public func status(_ id: String, now: Double) -> WorkerStatus? {
        guard let handle = handles[id], let worker = workers[handle] else { return nil }
        return status(of: worker, now: now)
    }

    /// Takes workers whose last fix has grown stale out of dispatch; returns their ids, so the
    /// engine can withdraw their offers. The engine calls it every second or so.
    public mutating func expireStale(now: Double) -> [String] {
        var expired: [String] = []
        while let next = expiries.top, next.deadline <= now {
            _ = expiries.pop()
            guard let worker = workers[next.handle], worker.generation == next.generation else { continue }
            let deadline = (worker.fixTime ?? -.infinity) + rules.staleAfterSeconds
            if deadline <= now {
                workers[next.handle]?.queuedForExpiry = false
                retag(next.handle, now: now)
                expired.append(worker.profile.id)
            } else {
                expiries.push(Expiry(deadline: deadline, handle: next.handle, generation: worker.generation))
            }
        }
        return expired
    }

    /// The positions that changed since the last call, for the periodic snapshot to the store.
    public mutating func takeMovedPositions() -> [(id: String, point: GeoPoint, accuracyMetres: Double?, fixTime: Double)] {
        defer { moved.removeAll(keepingCapacity: true) }
        return moved.sorted().compactMap { handle in
            guard let worker = workers[handle], let point = worker.position, let fixTime = worker.fixTime else { return nil }
            return (worker.profile.id, point, worker.accuracyMetres, fixTime)
        }
    }

    /// How many workers are in each state now.
    public func statusCounts(now: Double) -> [WorkerStatus: Int] {
        var counts = Dictionary(uniqueKeysWithValues: WorkerStatus.allCases.map { ($0, 0) })
        for case let worker? in workers { counts[status(of: worker, now: now), default: 0] += 1 }
        return counts
    }

    // MARK: - Internals

    func status(of worker: LiveWorker, now: Double) -> WorkerStatus {
        guard worker.availability != .off, isFresh(worker, now: now) else { return .offline }
        switch worker.engagement {
        case .busy: return .busy
        case .offered: return .offered
        case .free: return worker.availability == .break ? .break : .available
        }
    }

    func isFresh(_ worker: LiveWorker, now: Double) -> Bool {
        guard let fixTime = worker.fixTime else { return false }
        return now - fixTime <= rules.staleAfterSeconds
    }

    func isDispatchable(_ worker: LiveWorker, now: Double) -> Bool {
        guard status(of: worker, now: now) == .available, worker.profile.verified else { return false }
        if let accuracy = worker.accuracyMetres, accuracy > rules.maxAccuracyMetres { return false }
        if rules.minRating > 0, worker.profile.ratingCount >= rules.minRatings,
           let rating = worker.profile.rating, rating < rules.minRating { return false }
        return true
    }

    /// Brings the worker's index tags in line with its state.
    mutating func retag(_ handle: Int, now: Double) {
        guard let worker = workers[handle], worker.position != nil else { return }
        var tags: UInt32 = 0
        if isFresh(worker, now: now) {
            tags = Self.visibleTag
            if isDispatchable(worker, now: now) { tags |= Self.dispatchableTag | worker.profile.skills.rawValue }
        }
        index.setTags(handle, tags)
    }
}

/// One worker as the registry keeps it.
struct LiveWorker: Sendable {
    var profile: WorkerProfile
    /// New workers are signed off until they say `AVAIL on`.
    var availability = Availability.off
    var engagement = Engagement.free
    var position: GeoPoint?
    /// When the last accepted fix was taken (its `ts`, or when it arrived).
    var fixTime: Double?
    var accuracyMetres: Double?
    var suspectFixes = 0
    var queuedForExpiry = false
    /// Changes when the slot is reused, so a stale expiry entry is recognised.
    var generation = 0

    init(profile: WorkerProfile) { self.profile = profile }
}

/// A worker's live state, for WORKER GET and NEAR.
public struct WorkerSnapshot: Sendable, Equatable {
    public let profile: WorkerProfile
    public let status: WorkerStatus
    public let availability: Availability
    public let position: GeoPoint?
    /// Seconds since the last accepted fix, or nil without one.
    public let ageSeconds: Double?
    public let accuracyMetres: Double?
    public let suspectFixes: Int

    init(_ worker: LiveWorker, status: WorkerStatus, now: Double) {
        profile = worker.profile
        self.status = status
        availability = worker.availability
        position = worker.position
        ageSeconds = worker.fixTime.map { max(0, now - $0) }
        accuracyMetres = worker.accuracyMetres
        suspectFixes = worker.suspectFixes
    }
}

/// A pending staleness check.
struct Expiry: Comparable, Sendable {
    var deadline: Double
    var handle: Int
    var generation: Int
    static func < (lhs: Expiry, rhs: Expiry) -> Bool { lhs.deadline < rhs.deadline }
    static func == (lhs: Expiry, rhs: Expiry) -> Bool { lhs.deadline == rhs.deadline }
}

/// What happened to position fixes, for STATS.
public struct FixCounters: Sendable, Equatable {
    public var accepted = 0
    /// Older than (or as old as) the worker's last fix.
    public var older = 0
    /// Implied a speed above `dispatch.max_speed_kmh`.
    public var suspect = 0
    /// Timestamped more than `maxFutureSeconds` ahead.
    public var future = 0
}
