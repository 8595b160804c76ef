/// Bookings: JOB NEW and JOB CANCEL.
extension Dispatcher {
    /// Books a job; returns it and whether it is new (false: the same client booked the same
    /// `ref` before, and that job is returned untouched). A job due now starts searching at once.
    public mutating func book(_ request: JobRequest, registry: inout WorkerRegistry, now: Double,
                              into outcome: inout DispatchOutcome) -> Result<(job: Job, created: Bool), DispatchError> {
        if let ref = request.ref, let existing = job(ref: ref, client: request.client) { return .success((existing, false)) }
        guard let skillSet = registry.catalogue.skill(request.skill) else {
            return .failure(.badRequest(argument: "skill", reason: "unknown skill '\(request.skill)'"))
        }
        lastJobID += 1
        var job = Job(id: lastJobID, request: request, skillSet: skillSet, createdAt: now)
        if let ref = request.ref { refs[ClientRef(client: request.client, ref: ref)] = job.id }
        let startsAt = (request.scheduledAt ?? now) - rules.leadSeconds
        let scheduled = request.scheduledAt != nil && startsAt > now
        var detail = EventDetail()
        if let at = request.scheduledAt { detail.add("scheduled_for", .integer(Int(at))) }
        transition(&job, to: scheduled ? .scheduled : .searching, worker: nil, detail: detail, now: now,
                   into: &outcome, created: true)
        if scheduled {
            starts.push(ScheduledStart(at: startsAt, job: job.id))
        } else {
            search(job.id, registry: &registry, now: now, into: &outcome)
        }
        return .success((jobs[job.id] ?? job, true))
    }

    /// Cancels an open job: a pending offer is withdrawn, a worker on it is told and freed.
    public mutating func cancel(_ id: Int64, reason: String, registry: inout WorkerRegistry, now: Double,
                                into outcome: inout DispatchOutcome) -> Result<Job, DispatchError> {
        guard var job = jobs[id] else { return .failure(.noJob(id)) }
        guard job.state.allows(.cancelled) else { return .failure(.conflict(job: id, state: job.state, wanted: "cancel")) }
        let worker = job.worker
        if job.state == .offered, let worker {
            releaseOffer(of: worker, registry: &registry, now: now)
            counters.offersWithdrawn += 1
            outcome.notices.append(.offerWithdrawn(worker: worker, job: id, reason: "cancelled"))
        } else if job.state.hasWorker, let worker {
            releaseWorker(worker, registry: &registry, now: now)
        }
        var detail = EventDetail()
        if !reason.isEmpty { detail.add("reason", .text(reason)) }
        transition(&job, to: .cancelled, worker: job.state.hasWorker ? worker : nil, detail: detail, now: now, into: &outcome)
        return .success(job)
    }

    /// Frees a worker's offer (declined, expired, withdrawn, cancelled).
    mutating func releaseOffer(of worker: String, registry: inout WorkerRegistry, now: Double) {
        offers[worker] = nil
        registry.setEngagement(worker, .free, now: now)
    }

    /// Frees a worker from their job (done or cancelled).
    mutating func releaseWorker(_ worker: String, registry: inout WorkerRegistry, now: Double) {
        active[worker] = nil
        var day = day(of: worker, now: now)
        day.idleSince = now
        workerDays[worker] = day
        registry.setEngagement(worker, .free, now: now)
    }
}
