import SevaCore
import SevaStore
import SevaWire

/// JOB, the workers' job steps, WATCH, FEED and SUBSCRIBE, on the engine's loop.
///
/// Whose job it is (DESIGN.md §2): a booker sees and acts on its own client's jobs only — in
/// every verb, listing, feed and replay — and another client's job is `NOTFOUND` to it,
/// exactly as a job that does not exist. Admins and viewers see every job.
extension Engine {
    func runJobCommand(_ command: Command, decision: Permissions.Decision, principal: Principal, reply: ReplyTicket) {
        let scope = principal.jobScope
        switch command {
        case .jobNew(let fields): book(fields, client: scope.client ?? "", reply: reply)
        case .jobGet(let id): reply(jobReply(id, scope: scope))
        case .jobCancel(let id, let reason):
            guard isVisible(id, to: scope) else { return reply(.error(noJob(id))) }
            var outcome = DispatchOutcome()
            switch dispatcher.cancel(id, reason: reason ?? "", registry: &registry, now: now, into: &outcome) {
            case .success: commit(outcome, success: .ok, reply: reply)
            case .failure(.noJob): reply(.error(closedJobError(id, wanted: "cancel")))
            case .failure(let error): reply(.error(Self.wireError(error)))
            }
        case .jobList(let filter): reply(listJobs(filter, scope: scope))
        case .jobStep(let step, _, let id, let reason):
            guard let worker = decision.worker else { return reply(.error(WireError(.internal, "no worker for \(step.rawValue)"))) }
            listen(for: worker, reply: reply)
            var outcome = DispatchOutcome()
            let moment = now
            let result: Result<Job, DispatchError>
            switch step {
            case .accept: result = dispatcher.accept(id, by: worker, registry: &registry, now: moment, into: &outcome)
            case .decline:
                result = dispatcher.decline(id, by: worker, reason: reason ?? "", registry: &registry, now: moment, into: &outcome)
            case .arrived: result = dispatcher.arrived(id, by: worker, registry: &registry, now: moment, into: &outcome)
            case .start: result = dispatcher.start(id, by: worker, registry: &registry, now: moment, into: &outcome)
            case .done: result = dispatcher.done(id, by: worker, registry: &registry, now: moment, into: &outcome)
            }
            switch result {
            case .success: commit(outcome, success: .ok, reply: reply)
            case .failure(.noJob): reply(.error(closedJobError(id, wanted: step.rawValue)))
            case .failure(let error): reply(.error(Self.wireError(error)))
            }
        case .watch(let id):
            guard isVisible(id, to: scope) else { return reply(.error(noJob(id))) }
            events.watch(id, on: reply.batch.sink, exact: principal.seesExactPositions)
            reply(.ok)
        case .unwatch(let id):
            events.unwatch(id, on: reply.batch.sink)
            reply(.ok)
        case .feed(let since, let limit):
            do {
                let rows = try store.reader.events(after: since, limit: limit ?? 100, client: scope.client)
                var json = JSONWriter()
                json.beginArray()
                for row in rows { JobJSON.writeFeedRow(Self.event(row), into: &json) }
                json.endArray()
                reply(.json(json))
            } catch {
                reply(.error(WireError(.unavailable, "the store cannot be read: \(error)")))
            }
        case .subscribe(let subscription): subscribe(subscription, scope: scope, reply: reply)
        case .unsubscribe:
            events.unsubscribe(reply.batch.sink)
            reply(.ok)
        default:
            reply(.error(WireError(.internal, "\(command.verb) is not a job command")))
        }
    }

    /// The connection acting for a worker hears that worker's offers (a gateway that speaks
    /// for many hears them all).
    func listen(for worker: String, reply: ReplyTicket) {
        events.listen(worker: worker, on: reply.batch.sink)
    }

    /// Whether the job exists and `scope` may see it (in memory, else as committed).
    private func isVisible(_ id: Int64, to scope: JobScope) -> Bool {
        if let job = dispatcher.job(id) { return scope.includes(client: job.client) }
        guard let stored = try? store.reader.job(id) else { return false }
        return scope.includes(client: stored.client)
    }

    private func noJob(_ id: Int64) -> WireError { WireError(.notFound, "no job \(id)") }

    private func book(_ fields: JobFields, client: String, reply: ReplyTicket) {
        var point = fields.point
        if point == nil {
            guard let centre = configuration.districts[fields.district] else {
                let known = configuration.districts.keys.sorted().joined(separator: ", ")
                return reply(.error(.badArgument("district", "no centre configured for '\(fields.district)'; [districts] has \(known)")))
            }
            point = centre
        }
        guard let point, catalogue.skill(fields.skill) != nil else {
            return reply(.error(.badArgument("skill", "unknown skill '\(fields.skill)'; the catalogue has \(catalogue.names.joined(separator: ", "))")))
        }
        if let ref = fields.ref, dispatcher.job(ref: ref, client: client) == nil {
            do {
                if let existing = try store.reader.job(ref: ref, client: client) {
                    return reply(created(existing.id, state: existing.state, rate: existing.rateInr))
                }
            } catch {
                return reply(.error(WireError(.unavailable, "the store cannot be read: \(error); nothing was changed")))
            }
        }
        var request = JobRequest(skill: fields.skill, point: point)
        request.client = client
        request.ref = fields.ref
        request.address = fields.address
        request.customer = fields.customer
        request.district = fields.district
        request.rateInr = configuration.rates[fields.skill]
        request.scheduledAt = fields.at
        var outcome = DispatchOutcome()
        switch dispatcher.book(request, registry: &registry, now: now, into: &outcome) {
        case .success(let booking):
            let state = booking.created ? (booking.job.events.first?.state ?? booking.job.state) : booking.job.state
            commit(outcome, success: created(booking.job.id, state: state.rawValue, rate: booking.job.rateInr), reply: reply)
        case .failure(let error):
            reply(.error(Self.wireError(error)))
        }
    }

    private func created(_ id: Int64, state: String, rate: Int?) -> Reply {
        var json = JSONWriter()
        json.beginObject()
        json.key("id"); json.integer(Int(id))
        json.key("state"); json.string(state)
        json.key("rate_inr"); if let rate { json.integer(rate) } else { json.null() }
        json.endObject()
        return .json(json)
    }

    /// JOB GET: the job with its history; a booker's without the match decisions' detail.
    private func jobReply(_ id: Int64, scope: JobScope) -> Reply {
        var json = JSONWriter()
        let explained = scope == .all
        if let job = dispatcher.job(id) {
            guard scope.includes(client: job.client) else { return .error(noJob(id)) }
            JobJSON.write(job, events: job.events, explained: explained, into: &json)
            return .json(json)
        }
        do {
            guard let stored = try store.reader.job(id), scope.includes(client: stored.client),
                  let job = job(stored, events: try store.reader.history(ofJob: id).map(Self.event))
            else { return .error(noJob(id)) }
            JobJSON.write(job, events: job.events, explained: explained, into: &json)
            return .json(json)
        } catch {
            return .error(WireError(.unavailable, "the store cannot be read: \(error)"))
        }
    }

    /// A job the dispatcher no longer holds: ended long ago (CONFLICT, naming its state) or
    /// never booked (NOTFOUND).
    private func closedJobError(_ id: Int64, wanted: String) -> WireError {
        guard let stored = try? store.reader.job(id), let state = JobState(rawValue: stored.state) else {
            return WireError(.notFound, "no job \(id)")
        }
        return Self.wireError(.conflict(job: id, state: state, wanted: wanted))
    }

    /// JOB LIST: the store's committed jobs, with the dispatcher's newer view of those it
    /// holds (and those it has booked whose commit is still on its way).
    private func listJobs(_ filter: JobFilter, scope: JobScope) -> Reply {
        let limit = filter.limit ?? 100
        let after = filter.after ?? 0
        let matches = { (job: Job) in
            (filter.state == nil || job.state.rawValue == filter.state) && (filter.skill == nil || job.skill == filter.skill)
                && scope.includes(client: job.client)
        }
        var rows: [Int64: Job] = [:]
        do {
            for stored in try store.reader.jobs(after: after, state: nil, skill: filter.skill, client: scope.client,
                                                limit: limit * 4 + 100) {
                if let job = dispatcher.job(stored.id) ?? job(stored, events: []) { rows[job.id] = job }
            }
        } catch {
            return .error(WireError(.unavailable, "the store cannot be read: \(error)"))
        }
        for job in dispatcher.jobs.values where job.id > after && rows[job.id] == nil { rows[job.id] = job }
        var json = JSONWriter()
        json.beginArray()
        for job in rows.values.filter(matches).sorted(by: { $0.id < $1.id }).prefix(limit) {
            JobJSON.write(job, events: nil, into: &json)
        }
        json.endArray()
        return .json(json)
    }

    /// SUBSCRIBE jobs: the committed events after `since` are replayed on the connection's
    /// event path, then live ones follow; one already replayed is not sent again when its
    /// own announcement comes (commits complete in seq order, so "after the last replayed"
    /// is exact).
    private func subscribe(_ subscription: JobSubscription, scope: JobScope, reply: ReplyTicket) {
        let sink = reply.batch.sink
        var seen: Int64 = 0
        if let since = subscription.since {
            do {
                let replay = try store.reader.events(after: since, limit: Self.replayLimit + 1, skill: subscription.skill,
                                                     district: subscription.district, client: scope.client)
                guard replay.count <= Self.replayLimit else {
                    return reply(.error(WireError(.limit, "more than \(Self.replayLimit) events since \(since); catch up with FEED first")))
                }
                sink.send(replay.map { JobJSON.jobChanged(Self.event($0)) })
                seen = replay.last?.seq ?? since
            } catch {
                return reply(.error(WireError(.unavailable, "the store cannot be read: \(error)")))
            }
        }
        events.subscribe(sink, subscription, scope: scope, seenUpTo: seen)
        reply(.ok)
    }

    static let replayLimit = 100_000

    static func wireError(_ error: DispatchError) -> WireError {
        switch error {
        case .conflict: WireError(.conflict, error.description)
        case .noJob, .noWorker: WireError(.notFound, error.description)
        case .notYours: WireError(.denied, error.description)
        case .badRequest(let argument, let reason): .badArgument(argument, reason)
        }
    }
}
