/// The live registry of workers: their profiles, their choices, what dispatch has them doing,
/// and where they are — with the spatial index kept in step, so that a query for "the nearest
/// available, verified plumber" only ever sees workers who may take the job now.
///
/// Storage is by handle (a small integer reused after removal): the packed profile
/// (`WorkerRecord`), the hot live state (`LiveState`), and the position in the index itself,
/// about 140 bytes a worker in all.
///
/// Pure and deterministic: every method that depends on time takes `now` (Unix seconds) from
/// the caller's clock. One owner (the engine's event loop) uses it.
public struct WorkerRegistry: Sendable {
    public let catalogue: SkillCatalogue
    public var rules: RegistryRules

    var records = PagedArray<WorkerRecord>()
    var live = PagedArray<LiveState>()
    var handles = WorkerIDTable()
    var freeHandles: [Int32] = []
    var districts = DistrictNames()
    var index = QuadTree()
    /// Handles whose `moved` flag is set, for the periodic position snapshot.
    var movedHandles: [Int32] = []
    /// The moved handles the snapshot's current round still has to take (see `takeMovedPositions`).
    var roundHandles: [Int32] = []
    /// Where the incremental staleness sweep goes on from.
    var sweepCursor = 0
    var listing = IDListing()
    /// Workers in each status, as of their last change or staleness sweep.
    public internal(set) var statusCounts = StatusCounts()
    public internal(set) var counters = FixCounters()

    /// Index tag bits: the worker has a fresh position; the worker may take a job now. The
    /// low bits carry the skills of every worker with a fresh position, so that a search for
    /// one skill prunes subtrees whatever the status it asks for: `visible | skill` for
    /// `all=yes`, `dispatchable | skill` otherwise. A point's tags answer either exactly; a
    /// subtree's summary (an OR) may pass a dispatchable query on a dispatchable worker of
    /// another skill beside a busy one of this skill, which the leaf's own tags then reject.
    static let visibleTag: UInt32 = 1 << 31
    static let dispatchableTag: UInt32 = 1 << 30

    public init(catalogue: SkillCatalogue, rules: RegistryRules = RegistryRules()) {
        self.catalogue = catalogue
        self.rules = rules
    }

    /// Workers registered.
    public var count: Int { handles.count }

    /// Handles in use or free for reuse: the length of one round of the staleness sweep.
    public var handleCount: Int { live.count }

    /// Adds a worker or replaces the profile of an existing one; returns true when added.
    @discardableResult
    public mutating func upsert(_ profile: WorkerProfile, now: Double) -> Bool {
        precondition(!profile.id.isEmpty, "worker ids are never empty")
        let record = WorkerRecord(profile, districts: &districts)
        if let handle = handles.find(profile.id, in: records) {
            records[handle] = record
            refresh(handle, now: now)
            return false
        }
        let handle: Int
        if let reused = freeHandles.popLast() {
            handle = Int(reused)
            records[handle] = record
            live[handle] = LiveState()
        } else {
            handle = records.count
            records.append(record)
            live.append(LiveState())
        }
        handles.insert(profile.id, handle: handle, records: records)
        statusCounts[.offline] += 1
        listing.added()
        return true
    }

    /// Removes a worker; returns false when unknown.
    @discardableResult
    public mutating func remove(_ id: String) -> Bool {
        guard let handle = handles.remove(id, records: records) else { return false }
        statusCounts[live[handle].counted] -= 1
        records[handle] = .free
        live[handle] = LiveState()
        index.remove(handle)
        freeHandles.append(Int32(handle))
        listing.removed(handle)
        return true
    }

    public func profile(_ id: String) -> WorkerProfile? {
        handles.find(id, in: records).map { records[$0].profile(districts: districts) }
    }

    /// The worker's live view, or nil when unknown.
    public func snapshot(_ id: String, now: Double) -> WorkerSnapshot? {
        handles.find(id, in: records).map { snapshot(handle: $0, now: now) }
    }

    /// Records `AVAIL on|off|break`; returns false when the worker is unknown.
    @discardableResult
    public mutating func setAvailability(_ id: String, _ availability: Availability, now: Double) -> Bool {
        guard let handle = handles.find(id, in: records) else { return false }
        live[handle].availability = availability
        refresh(handle, now: now)
        return true
    }

    /// Records what dispatch has the worker doing; returns false when the worker is unknown.
    @discardableResult
    public mutating func setEngagement(_ id: String, _ engagement: Engagement, now: Double) -> Bool {
        guard let handle = handles.find(id, in: records) else { return false }
        live[handle].engagement = engagement
        refresh(handle, now: now)
        return true
    }

    /// The worker's state now (DESIGN.md §3), or nil when unknown.
    public func status(_ id: String, now: Double) -> WorkerStatus? {
        handles.find(id, in: records).map { status(of: $0, now: now) }
    }

    // MARK: - Internals

    func snapshot(handle: Int, now: Double) -> WorkerSnapshot {
        let state = live[handle]
        return WorkerSnapshot(profile: records[handle].profile(districts: districts), status: status(of: handle, now: now),
                              availability: state.availability, position: position(of: handle),
                              ageSeconds: state.lastFix.map { max(0, now - $0) }, accuracyMetres: state.accuracy,
                              suspectFixes: Int(state.suspectFixes))
    }

    /// The worker's last accepted position, as the index holds it (to within a centimetre).
    func position(of handle: Int) -> GeoPoint? { index.gridPosition(of: handle)?.centre }

    func status(of handle: Int, now: Double) -> WorkerStatus {
        let state = live[handle]
        guard state.availability != .off, isFresh(state, now: now) else { return .offline }
        switch state.engagement {
        case .busy: return .busy
        case .offered: return .offered
        case .free: return state.availability == .break ? .break : .available
        }
    }

    func isFresh(_ state: LiveState, now: Double) -> Bool {
        now - state.fixTime <= rules.staleAfterSeconds
    }

    func isDispatchable(_ handle: Int, now: Double) -> Bool {
        guard status(of: handle, now: now) == .available else { return false }
        let record = records[handle]
        guard record.verified else { return false }
        if let accuracy = live[handle].accuracy, accuracy > rules.maxAccuracyMetres { return false }
        return !isBelowRatingFloor(handle)
    }

    /// Brings the worker's status count and index tags in line with its state.
    mutating func refresh(_ handle: Int, now: Double) {
        let status = status(of: handle, now: now)
        let counted = live[handle].counted
        if status != counted {
            statusCounts[counted] -= 1
            statusCounts[status] += 1
            live[handle].counted = status
        }
        let fresh = isFresh(live[handle], now: now)
        live[handle].fresh = fresh
        guard index.contains(handle) else { return }
        index.setTags(handle, indexTags(handle, fresh: fresh, now: now))
    }

    /// The index tags the worker's state calls for (`visibleTag`, `dispatchableTag`, skills).
    func indexTags(_ handle: Int, fresh: Bool, now: Double) -> UInt32 {
        guard fresh else { return 0 }
        var tags = Self.visibleTag | records[handle].skills.rawValue
        if isDispatchable(handle, now: now) { tags |= Self.dispatchableTag }
        return tags
    }
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
