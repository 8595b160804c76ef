import Foundation
import SevaCore
import SevaStore
import SevaWire

/// The dispatcher inside the engine: its rules from `[dispatch]`, its jobs to and from the
/// store, and the periodic tick.
extension Engine {
    /// The dispatcher's rules from `[dispatch]`, with the day's offset of `dispatch.timezone` at `now`.
    static func dispatchRules(_ configuration: Configuration.Dispatch, now: Double) -> DispatchRules {
        var rules = DispatchRules()
        rules.policy = configuration.policy == .nearest ? NearestPolicy()
            : NearestFairPolicy(bandRatio: configuration.fairBandRatio, bandMetres: configuration.fairBandMetres)
        rules.accept = configuration.accept == .auto ? .auto : .offer
        rules.offerTimeoutSeconds = configuration.offerTimeoutSeconds
        rules.maxOffers = configuration.maxOffers
        rules.radiiKm = configuration.radiiKm
        rules.arriveRadiusMetres = configuration.arriveRadiusMetres
        rules.speedKmh = configuration.speedKmh
        rules.timeoutsToAway = configuration.timeoutsToAway
        rules.leadSeconds = configuration.leadSeconds
        rules.dayOffsetSeconds = configuration.dayOffsetSeconds(at: now)
        return rules
    }

    /// The registry's rules (who is dispatchable) from `[dispatch]`; the rest keep their defaults.
    static func registryRules(_ configuration: Configuration.Dispatch) -> RegistryRules {
        var rules = RegistryRules()
        rules.staleAfterSeconds = configuration.staleAfterSeconds
        rules.maxAccuracyMetres = configuration.maxAccuracyMetres
        rules.maxSpeedKmh = configuration.maxSpeedKmh
        rules.minRating = configuration.minRating
        rules.minRatings = configuration.minRatings
        return rules
    }

    /// The start of the local day, Unix milliseconds: `jobs_today` counts from it.
    static func dayStartMs(now: Double, offsetSeconds: Double) -> Int64 {
        let local = now + offsetSeconds
        return Int64(((local / 86_400).rounded(.down) * 86_400 - offsetSeconds) * 1000)
    }

    var dayStartMs: Int64 { Self.dayStartMs(now: now, offsetSeconds: dispatcher.rules.dayOffsetSeconds) }

    /// Open jobs back into the dispatcher with their histories, and today's completions.
    func restoreJobs(_ state: RecoveredState, now: Double) {
        var histories: [Int64: [JobEvent]] = [:]
        for stored in state.openJobEvents {
            histories[stored.job, default: []].append(Self.event(stored))
        }
        for stored in state.openJobs {
            guard let job = job(stored, events: histories[stored.id] ?? []) else { continue }
            dispatcher.restore(job, registry: &registry, now: now)
        }
        for (worker, count) in state.completedToday {
            dispatcher.restoreJobsToday(worker, count: count, now: now)
        }
    }

    /// Everything due: stale workers lose their offers, offers run out, scheduled jobs begin.
    func tick() {
        guard !rebuild.isRunning else { return }
        timed { runTick() }
    }

    private func runTick() {
        var outcome = DispatchOutcome()
        let moment = now
        for worker in registry.expireStale(now: moment, examining: registry.handleCount / EngineTuning.sweepShare + 1) {
            dispatcher.workerUnavailable(worker, reason: "offline", registry: &registry, now: moment, into: &outcome)
        }
        if let due = dispatcher.nextDue, due <= moment {
            dispatcher.tick(registry: &registry, now: moment, into: &outcome)
        }
        if !outcome.isEmpty { commit(outcome, success: nil, reply: nil) }
        endExpiredSessions()
    }

    // MARK: - To and from the store

    /// The store writes for one step's changes, folded: each job's row is written once, as it
    /// ends the step (inserted when the step booked it), then every event in seq order. An
    /// auto-mode booking is one insert and two events, not two writes of the row.
    func storeWrite(_ changes: [DispatchChange]) -> (@Sendable (StoreTransaction) throws -> Void)? {
        guard !changes.isEmpty else { return nil }
        var order: [Int64] = []
        var rows: [Int64: (row: StoredJob, created: Bool)] = [:]
        var entries: [StoredJobEvent] = []
        var availability: [(String, Availability)] = []
        for change in changes {
            switch change {
            case .created(let job, let event), .transition(let job, let event):
                var created = false
                if case .created = change { created = true }
                if let existing = rows[job.id] { created = existing.created } else { order.append(job.id) }
                rows[job.id] = (stored(job), created)
                entries.append(Self.stored(event))
            case .availability(let worker, let state):
                availability.append((worker, state))
            }
        }
        let writes = order.compactMap { rows[$0] }
        let events = entries
        let availabilities = availability
        let at = Int64(now * 1000)
        return { transaction in
            for (row, created) in writes {
                if created { try transaction.insertJob(row) } else { try transaction.updateJob(row) }
            }
            for event in events { try transaction.appendEvent(event) }
            for (worker, state) in availabilities { try transaction.setAvailability(worker: worker, state, atMs: at) }
        }
    }

    func stored(_ job: Job) -> StoredJob {
        var row = StoredJob(skill: job.skill, lat: job.point.latitude, lon: job.point.longitude, state: job.state,
                            createdMs: Int64(job.createdAt * 1000))
        row.id = job.id
        row.client = job.client
        row.ref = job.ref
        row.address = job.address
        row.customer = job.customer
        row.district = job.district
        row.rateInr = job.rateInr
        row.scheduledMs = job.scheduledAt.map { Int64($0 * 1000) }
        row.worker = job.worker
        row.offerDeadlineMs = job.offerDeadline.map { Int64($0 * 1000) }
        row.offersMade = job.offersMade
        row.updatedMs = Int64(job.updatedAt * 1000)
        return row
    }

    static func stored(_ event: JobEvent) -> StoredJobEvent {
        StoredJobEvent(seq: event.seq, job: event.job, atMs: Int64(event.at * 1000), state: event.state,
                       worker: event.worker, detail: JobJSON.detailText(event.detail))
    }

    static func event(_ stored: StoredJobEvent) -> JobEvent {
        JobEvent(seq: stored.seq, job: stored.job, at: Double(stored.atMs) / 1000,
                 state: stored.state, worker: stored.worker,
                 detail: EventDetail(recorded: stored.detail))
    }

    /// A committed job as the dispatcher holds it; nil when its skill or place no longer makes
    /// sense (a skill dropped from the catalogue keeps its name but matches nobody).
    func job(_ stored: StoredJob, events: [JobEvent]) -> Job? { Self.job(stored, events: events, catalogue: catalogue) }

    /// The same, off the loop (for reads answered on the store's read queue).
    static func job(_ stored: StoredJob, events: [JobEvent], catalogue: SkillCatalogue) -> Job? {
        guard let point = try? GeoPoint(latitude: stored.lat, longitude: stored.lon) else { return nil }
        var job = Job(id: stored.id, skill: stored.skill, skillSet: catalogue.skill(stored.skill) ?? SkillSet(),
                      point: point, state: stored.state, createdAt: Double(stored.createdMs) / 1000)
        job.client = stored.client
        job.ref = stored.ref
        job.address = stored.address
        job.customer = stored.customer
        job.district = stored.district
        job.rateInr = stored.rateInr
        job.scheduledAt = stored.scheduledMs.map { Double($0) / 1000 }
        job.worker = stored.worker
        job.offerDeadline = stored.offerDeadlineMs.map { Double($0) / 1000 }
        job.offersMade = stored.offersMade
        job.updatedAt = Double(stored.updatedMs) / 1000
        job.events = events
        job.tried = events.filter { $0.state == .offered || ($0.state == .assigned && $0.worker != nil) }
            .compactMap(\.worker).reduce(into: []) { tried, worker in if !tried.contains(worker) { tried.append(worker) } }
        return job
    }
}
