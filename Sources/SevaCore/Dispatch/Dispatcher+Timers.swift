/// Time passing: offers that run out, scheduled jobs whose search begins, and searches left
/// over from before a restart.
extension Dispatcher {
    /// Everything due at `now`. The engine calls it several times a second.
    public mutating func tick(registry: inout WorkerRegistry, now: Double, into outcome: inout DispatchOutcome) {
        let leftOver = pendingSearches
        pendingSearches = []
        for id in leftOver { search(id, registry: &registry, now: now, into: &outcome) }
        while let next = deadlines.top, next.at <= now {
            _ = deadlines.pop()
            guard let job = jobs[next.job], job.state == .offered, job.offersMade == next.offer,
                  let worker = job.worker else { continue }
            expire(job.id, worker: worker, registry: &registry, now: now, into: &outcome)
        }
        while let next = starts.top, next.at <= now {
            _ = starts.pop()
            guard var job = jobs[next.job], job.state == .scheduled else { continue }
            transition(&job, to: .searching, worker: nil, detail: EventDetail().adding("scheduled_search", .flag(true)),
                       now: now, into: &outcome)
            search(job.id, registry: &registry, now: now, into: &outcome)
        }
    }

    /// The next moment something is due, if anything is.
    public var nextDue: Double? {
        if !pendingSearches.isEmpty { return -.infinity }
        return [deadlines.top?.at, starts.top?.at].compactMap { $0 }.min()
    }

    private mutating func expire(_ id: Int64, worker: String, registry: inout WorkerRegistry, now: Double,
                                 into outcome: inout DispatchOutcome) {
        releaseOffer(of: worker, registry: &registry, now: now)
        counters.offersExpired += 1
        outcome.notices.append(.offerWithdrawn(worker: worker, job: id, reason: "expired"))
        var day = day(of: worker, now: now)
        day.timeoutsInRow += 1
        var detail = EventDetail().adding("expired_for", .text(worker))
        if day.timeoutsInRow >= rules.timeoutsToAway {
            day.timeoutsInRow = 0
            registry.setAvailability(worker, .break, now: now)
            outcome.changes.append(.availability(worker: worker, .break))
            detail.add("worker_set_to_break", .flag(true))
        }
        workerDays[worker] = day
        cascade(id, detail: detail, registry: &registry, now: now, into: &outcome)
    }
}
