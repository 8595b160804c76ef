/// JOB RATE (DESIGN.md §3): the household's stars for a completed job, once, recorded as a
/// `rated` event in the job's history and added to the worker's rating, which
/// `dispatch.min_rating` weighs.
extension Dispatcher {
    public mutating func rate(_ id: Int64, stars: Int, comment: String?, registry: inout WorkerRegistry, now: Double,
                              into outcome: inout DispatchOutcome) -> Result<Job, DispatchError> {
        guard (1...5).contains(stars) else { return .failure(.badRequest(argument: "stars", reason: "must be 1-5")) }
        guard var job = jobs[id] else { return .failure(.noJob(id)) }
        guard job.state == .completed, let worker = job.worker else {
            return .failure(.conflict(job: id, state: job.state, wanted: "RATE (only a completed job is rated)"))
        }
        guard !job.rated else { return .failure(.alreadyRated(job: id)) }
        var detail = EventDetail().adding("stars", .integer(stars))
        if let comment, !comment.isEmpty { detail.add("comment", .text(comment)) }
        let event = JobEvent(seq: nextSeq(), job: id, at: now, state: .completed, worker: worker, detail: detail, kind: .rated)
        job.rated = true
        job.events.append(event)
        jobs[id] = job
        registry.addRating(worker, stars: stars, now: now)
        outcome.changes.append(.rated(event, worker: worker, stars: stars))
        outcome.notices.append(.jobChanged(event, skill: job.skill, district: job.district, client: job.client, worker: worker))
        return .success(job)
    }

    /// Takes back a closed job read from the store (to rate it): it is held as recently
    /// closed from now on, so a second JOB RATE finds it rated without reading again.
    public mutating func recall(_ job: Job) {
        guard jobs[job.id] == nil, !job.state.isOpen else { return }
        jobs[job.id] = job
        if let ref = job.ref { refs[ClientRef(client: job.client, ref: ref)] = job.id }
        close(job)
    }
}
