/// What workers do: ACCEPT, DECLINE, ARRIVED, START, DONE — each only on their own offer or
/// job — and what their phones tell without asking: going offline, moving.
extension Dispatcher {
    public mutating func accept(_ id: Int64, by worker: String, registry: inout WorkerRegistry, now: Double,
                                into outcome: inout DispatchOutcome) -> Result<Job, DispatchError> {
        guard var job = jobs[id] else { return .failure(.noJob(id)) }
        guard job.state == .offered else { return .failure(.conflict(job: id, state: job.state, wanted: "ACCEPT")) }
        guard job.worker == worker else { return .failure(.notYours(job: id, worker: worker)) }
        offers[worker] = nil
        var day = day(of: worker, now: now)
        day.timeoutsInRow = 0
        workerDays[worker] = day
        counters.offersAccepted += 1
        assign(&job, to: worker, detail: EventDetail().adding("accepted", .flag(true)), registry: &registry, now: now,
               into: &outcome)
        return .success(job)
    }

    public mutating func decline(_ id: Int64, by worker: String, reason: String, registry: inout WorkerRegistry,
                                 now: Double, into outcome: inout DispatchOutcome) -> Result<Job, DispatchError> {
        guard let job = jobs[id] else { return .failure(.noJob(id)) }
        guard job.state == .offered else { return .failure(.conflict(job: id, state: job.state, wanted: "DECLINE")) }
        guard job.worker == worker else { return .failure(.notYours(job: id, worker: worker)) }
        releaseOffer(of: worker, registry: &registry, now: now)
        var day = day(of: worker, now: now)
        day.timeoutsInRow = 0
        workerDays[worker] = day
        counters.offersDeclined += 1
        var detail = EventDetail().adding("declined_by", .text(worker))
        if !reason.isEmpty { detail.add("reason", .text(reason)) }
        cascade(id, detail: detail, registry: &registry, now: now, into: &outcome)
        return .success(jobs[id] ?? job)
    }

    /// ARRIVED, by the worker (or by the geofence: `automatically`).
    public mutating func arrived(_ id: Int64, by worker: String, automatically: Bool = false, metres: Double? = nil,
                                 registry: inout WorkerRegistry, now: Double,
                                 into outcome: inout DispatchOutcome) -> Result<Job, DispatchError> {
        var detail = EventDetail().adding("geofence", .flag(automatically))
        if let metres { detail.add("dist_m", .integer(Int(metres.rounded()))) }
        return step(id, by: worker, from: .assigned, to: .arrived, verb: "mark ARRIVED", detail: detail, now: now,
                    into: &outcome)
    }

    public mutating func start(_ id: Int64, by worker: String, registry: inout WorkerRegistry, now: Double,
                               into outcome: inout DispatchOutcome) -> Result<Job, DispatchError> {
        step(id, by: worker, from: .arrived, to: .started, verb: "START", detail: EventDetail(), now: now, into: &outcome)
    }

    public mutating func done(_ id: Int64, by worker: String, registry: inout WorkerRegistry, now: Double,
                              into outcome: inout DispatchOutcome) -> Result<Job, DispatchError> {
        let result = step(id, by: worker, from: .started, to: .completed, verb: "mark DONE", detail: EventDetail(),
                          now: now, into: &outcome)
        if case .success = result {
            releaseWorker(worker, registry: &registry, now: now)
            var day = day(of: worker, now: now)
            day.jobsToday += 1
            workerDays[worker] = day
            spread.moved(from: day.jobsToday - 1, to: day.jobsToday, day: day.day)
        }
        return result
    }

    private mutating func step(_ id: Int64, by worker: String, from: JobState, to: JobState, verb: String,
                               detail: EventDetail, now: Double,
                               into outcome: inout DispatchOutcome) -> Result<Job, DispatchError> {
        guard var job = jobs[id] else { return .failure(.noJob(id)) }
        guard job.worker == worker, job.state != .offered else { return .failure(.notYours(job: id, worker: worker)) }
        guard job.state == from else { return .failure(.conflict(job: id, state: job.state, wanted: verb)) }
        transition(&job, to: to, worker: worker, detail: detail, now: now, into: &outcome)
        return .success(job)
    }

    /// The worker can no longer take offers (went offline, signed off, on break): a pending
    /// offer is withdrawn and the job cascades at once. A job they are on stays theirs.
    public mutating func workerUnavailable(_ worker: String, reason: String, registry: inout WorkerRegistry, now: Double,
                                           into outcome: inout DispatchOutcome) {
        guard let id = offers[worker] else { return }
        releaseOffer(of: worker, registry: &registry, now: now)
        counters.offersWithdrawn += 1
        outcome.notices.append(.offerWithdrawn(worker: worker, job: id, reason: reason))
        cascade(id, detail: EventDetail().adding("withdrawn_from", .text(worker)).adding("reason", .text(reason)),
                registry: &registry, now: now, into: &outcome)
    }

    /// A new position for a worker on a job: the arrival geofence, and the live track for
    /// the job's watchers (at most one a second).
    public mutating func workerMoved(_ worker: String, to point: GeoPoint, registry: inout WorkerRegistry, now: Double,
                                     into outcome: inout DispatchOutcome) {
        guard let id = active[worker], let job = jobs[id] else { return }
        let metres = GeoMath.distanceMetres(point, job.point)
        if job.state == .assigned && metres <= rules.arriveRadiusMetres {
            _ = arrived(id, by: worker, automatically: true, metres: metres, registry: &registry, now: now, into: &outcome)
        }
        guard now - (lastTrack[id] ?? -.infinity) >= 1 else { return }
        lastTrack[id] = now
        let eta = metres / (max(1, rules.speedKmh) / 3.6)
        outcome.notices.append(.track(job: id, worker: worker, point: point, metres: metres, etaSeconds: eta))
    }
}
