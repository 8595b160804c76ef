import SevaCore
import SevaStore
import SevaWire

/// JOB, the workers' job steps, WATCH, FEED and SUBSCRIBE, on the engine's loop.
///
/// Whose job it is (DESIGN.md §2): a booker sees and acts on its own client's jobs only — in
/// every verb, listing, feed and replay — and another client's job is `NOTFOUND` to it,
/// exactly as a job that does not exist. Admins and viewers see every job.
///
/// What the dispatcher holds (open and recently closed jobs) is answered at once; anything
/// else is read from the store off the loop (`read(_:then:)`), and the reply follows through
/// the same in-order path as a commit's.
extension Engine {
    func runJobCommand(_ command: Command, decision: Permissions.Decision, principal: Principal, reply: ReplyTicket) {
        let scope = principal.jobScope
        switch command {
        case .jobNew(let fields): book(fields, client: scope.client ?? "", reply: reply)
        case .jobGet(let id): jobReply(id, scope: scope, reply: reply)
        case .jobCancel(let id, let reason):
            guard let job = dispatcher.job(id) else { return closedJobError(id, wanted: "cancel", scope: scope, reply: reply) }
            guard scope.includes(client: job.client) else { return reply(.error(noJob(id))) }
            var outcome = DispatchOutcome()
            switch dispatcher.cancel(id, reason: reason ?? "", registry: &registry, now: now, into: &outcome) {
            case .success: commit(outcome, success: .ok, reply: reply)
            case .failure(let error): reply(.error(Self.wireError(error)))
            }
        case .jobRate(let id, let stars, let comment): rate(id, stars: stars, comment: comment, scope: scope, reply: reply)
        case .jobList(let filter): listJobs(filter, scope: scope, reply: reply)
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
            case .failure(.noJob): closedJobError(id, wanted: step.rawValue, scope: .all, reply: reply)
            case .failure(let error): reply(.error(Self.wireError(error)))
            }
        case .watch(let id):
            let sink = reply.batch.sink
            let exact = principal.seesExactPositions
            if let job = dispatcher.job(id) {
                guard scope.includes(client: job.client) else { return reply(.error(noJob(id))) }
                events.watch(id, on: sink, exact: exact)
                return reply(.ok)
            }
            read({ reader throws(StoreError) in try reader.job(id) }) { [self] result in
                guard case .success(let stored) = result else { return reply(.error(unreadable(result))) }
                guard let stored, scope.includes(client: stored.client) else { return reply(.error(noJob(id))) }
                events.watch(id, on: sink, exact: exact)
                reply(.ok)
            }
        case .unwatch(let id):
            events.unwatch(id, on: reply.batch.sink)
            reply(.ok)
        case .feed(let since, let limit):
            read({ reader throws(StoreError) in
                let rows = try reader.events(after: since, limit: limit ?? EngineTuning.defaultPageLimit, client: scope.client)
                var json = JSONWriter()
                json.beginArray()
                for event in rows { JobJSON.writeFeedRow(event, into: &json) }
                json.endArray()
                return Reply.json(json)
            }) { [self] result in reply((try? result.get()) ?? .error(unreadable(result))) }
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

    private func noJob(_ id: Int64) -> WireError { WireError(.notFound, "no job \(id)") }

    /// Why a read failed, for the client.
    private func unreadable<Value>(_ result: Result<Value, StoreError>) -> WireError {
        guard case .failure(let error) = result else { return WireError(.internal, "no failure") }
        return WireError(.unavailable, "the store cannot be read: \(error); nothing was changed")
    }

    // MARK: - JOB NEW

    private func book(_ fields: JobFields, client: String, reply: ReplyTicket) {
        guard catalogue.skill(fields.skill) != nil else {
            return reply(.error(.badArgument("skill", "unknown skill '\(fields.skill)'; the catalogue has \(catalogue.names.joined(separator: ", "))")))
        }
        let place: PlaceFinder.JobPlace
        switch places.place(fields) {
        case .success(let found): place = found
        case .failure(let error): return reply(.error(error))
        }
        var request = JobRequest(skill: fields.skill, point: place.point)
        request.client = client
        request.ref = fields.ref
        request.address = fields.address
        request.customer = fields.customer
        request.district = place.district
        request.placed = place.placed
        request.pincode = fields.pincode
        request.rateInr = configuration.rates[fields.skill]
        request.scheduledAt = fields.at
        // A ref the dispatcher does not hold may belong to a job that ended long ago: ask the
        // store, off the loop, and book once it has answered.
        guard let ref = fields.ref, dispatcher.job(ref: ref, client: client) == nil else { return book(request, reply: reply) }
        let key = ClientRef(client: client, ref: ref)
        if refLookups.isSurelyNew(key) { return book(request, reply: reply) }
        refLookups.wait(for: key) { [self] found in
            if let found { return reply(created(found.id, state: found.state, rate: found.rateInr)) }
            book(request, reply: reply)
        }
        lookUpRefs()
    }

    /// Books now: a ref the dispatcher holds returns its job untouched.
    private func book(_ request: JobRequest, reply: ReplyTicket) {
        var outcome = DispatchOutcome()
        switch dispatcher.book(request, registry: &registry, now: now, into: &outcome) {
        case .success(let booking):
            if booking.created, let ref = request.ref { refLookups.booked(ClientRef(client: request.client, ref: ref)) }
            let state = booking.created ? (booking.job.events.first?.state ?? booking.job.state) : booking.job.state
            // The same ref again — a retry whose first reply was lost, perhaps on another
            // connection while the first booking is still committing: the answer goes through
            // the store's queue too, so no job is acknowledged before the commit that made it.
            commit(outcome, also: booking.created ? nil : Self.afterQueuedWrites, success: created(booking.job.id, state: state, rate: booking.job.rateInr),
                   reply: reply)
        case .failure(let error):
            reply(.error(Self.wireError(error)))
        }
    }

    /// A write of nothing: its commit comes after every write queued before it.
    private static let afterQueuedWrites: @Sendable (StoreTransaction) throws -> Void = { _ in }

    /// Sends the refs waiting to the store in one read, unless one is out already.
    private func lookUpRefs() {
        let keys = refLookups.takeBatch()
        guard !keys.isEmpty else { return }
        let pairs = keys.map { (client: $0.client, ref: $0.ref) }
        read({ reader throws(StoreError) in try reader.jobs(refs: pairs) }) { [self] result in
            var found: [ClientRef: StoredRefMatch] = [:]
            for stored in (try? result.get()) ?? [] {
                guard let ref = stored.ref else { continue }
                found[ClientRef(client: stored.client, ref: ref)] = StoredRefMatch(id: stored.id, state: stored.state,
                                                                                   rateInr: stored.rateInr)
            }
            for (key, waiters) in refLookups.finish(keys) {
                for waiter in waiters {
                    if case .failure = result { waiter(nil); continue }
                    waiter(found[key])
                }
            }
            lookUpRefs()
        }
    }

    /// Builds the filter of every ref in the store on the read queue, after start; until it
    /// is ready every ref the dispatcher does not hold is looked up.
    func buildRefFilter() {
        read({ reader throws(StoreError) in
            var filter = RefFilter(capacity: 0)
            try reader.forEachRef(counted: { filter = RefFilter(capacity: max(1_000_000, 2 * $0)) }) { client, ref in
                filter.insert(ClientRef(client: client, ref: ref))
            }
            return filter
        }) { [self] result in
            guard case .success(let filter) = result else {
                return logger.warning("the ref filter could not be built; every JOB NEW ref will be looked up")
            }
            refLookups.filterBuilt(filter, held: dispatcher.refs.keys)
            logger.info("ref filter ready: \(filter.count) refs from the store")
        }
    }

    private func created(_ id: Int64, state: JobState, rate: Int?) -> Reply {
        var json = JSONWriter()
        json.beginObject()
        json.key("id"); json.integer(Int(id))
        json.key("state"); json.string(state.rawValue)
        json.key("rate_inr"); if let rate { json.integer(rate) } else { json.null() }
        json.endObject()
        return .json(json)
    }

    // MARK: - JOB RATE

    /// JOB RATE: a job the dispatcher no longer holds is read from the store off the loop and
    /// recalled into it first, so that the once-only rule is kept in memory from then on.
    private func rate(_ id: Int64, stars: Int, comment: String?, scope: JobScope, reply: ReplyTicket) {
        guard dispatcher.job(id) == nil else { return rateHeld(id, stars: stars, comment: comment, scope: scope, reply: reply) }
        read({ reader throws(StoreError) -> Job? in
            guard var job = try reader.job(id) else { return nil }
            job.restore(history: try reader.history(ofJob: id))
            return job
        }) { [self] result in
            guard case .success(let stored) = result else { return reply(.error(unreadable(result))) }
            guard var stored, scope.includes(client: stored.client) else { return reply(.error(noJob(id))) }
            if dispatcher.job(id) == nil {
                stored.skillSet = catalogue.skill(stored.skill) ?? SkillSet()
                dispatcher.recall(stored)
            }
            rateHeld(id, stars: stars, comment: comment, scope: scope, reply: reply)
        }
    }

    private func rateHeld(_ id: Int64, stars: Int, comment: String?, scope: JobScope, reply: ReplyTicket) {
        guard let job = dispatcher.job(id), scope.includes(client: job.client) else { return reply(.error(noJob(id))) }
        var outcome = DispatchOutcome()
        switch dispatcher.rate(id, stars: stars, comment: comment, registry: &registry, now: now, into: &outcome) {
        case .success: commit(outcome, success: .ok, reply: reply)
        case .failure(let error): reply(.error(Self.wireError(error)))
        }
    }

    // MARK: - Reading jobs

    /// JOB GET: the job with its history; a booker's without the match decisions' detail.
    private func jobReply(_ id: Int64, scope: JobScope, reply: ReplyTicket) {
        let explained = scope == .all
        if let job = dispatcher.job(id) {
            guard scope.includes(client: job.client) else { return reply(.error(noJob(id))) }
            var json = JSONWriter()
            JobJSON.write(job, events: job.events, explained: explained, into: &json)
            return reply(.json(json))
        }
        read({ reader throws(StoreError) -> Reply in
            guard var job = try reader.job(id), scope.includes(client: job.client) else {
                return .error(WireError(.notFound, "no job \(id)"))
            }
            job.restore(history: try reader.history(ofJob: id))
            var json = JSONWriter()
            JobJSON.write(job, events: job.events, explained: explained, into: &json)
            return .json(json)
        }) { [self] result in reply((try? result.get()) ?? .error(unreadable(result))) }
    }

    /// A job the dispatcher no longer holds: ended long ago (CONFLICT, naming its state) or
    /// never booked — or another client's — (NOTFOUND).
    private func closedJobError(_ id: Int64, wanted: String, scope: JobScope, reply: ReplyTicket) {
        read({ reader throws(StoreError) in try reader.job(id) }) { [self] result in
            guard case .success(let stored) = result else { return reply(.error(unreadable(result))) }
            guard let stored, scope.includes(client: stored.client) else { return reply(.error(noJob(id))) }
            reply(.error(Self.wireError(.conflict(job: id, state: stored.state, wanted: wanted))))
        }
    }

    /// JOB LIST: the committed jobs that match, filtered and paged in SQL, with the
    /// dispatcher's newer view of those it holds and the jobs it has booked whose commits are
    /// still on their way. A page the newer view thins out is topped up from the next rows.
    private func listJobs(_ filter: JobFilter, scope: JobScope, reply: ReplyTicket, after: Int64? = nil, found: [Job] = []) {
        let limit = filter.limit ?? EngineTuning.defaultPageLimit
        let from = after ?? filter.after ?? 0
        let wanted = limit - found.count
        let matches = { (job: Job) in
            (filter.state == nil || job.state.rawValue == filter.state) && (filter.skill == nil || job.skill == filter.skill)
                && scope.includes(client: job.client)
        }
        read({ reader throws(StoreError) in
            try reader.jobs(after: from, state: filter.state, skill: filter.skill, client: scope.client, limit: wanted)
        }) { [self] result in
            guard case .success(let stored) = result else { return reply(.error(unreadable(result))) }
            let exhausted = stored.count < wanted
            let through = exhausted ? Int64.max : stored.last?.id ?? from
            var rows: [Int64: Job] = [:]
            for row in stored {
                if case let job = dispatcher.job(row.id) ?? row, matches(job) { rows[job.id] = job }
            }
            for job in dispatcher.jobs.values where job.id > from && job.id <= through && rows[job.id] == nil && matches(job) {
                rows[job.id] = job
            }
            let page = found + rows.values.sorted { $0.id < $1.id }
            guard page.count >= limit || exhausted else {
                return listJobs(filter, scope: scope, reply: reply, after: through, found: page)
            }
            var json = JSONWriter()
            json.beginArray()
            for job in page.prefix(limit) { JobJSON.write(job, events: nil, into: &json) }
            json.endArray()
            reply(.json(json))
        }
    }

    // MARK: - SUBSCRIBE

    /// SUBSCRIBE jobs: live events are held for the connection from now on while the committed
    /// events after `since` are read off the loop; then the replay goes out, then what was held
    /// past the last replayed seq, then live events as they come — nothing missed or repeated.
    private func subscribe(_ subscription: JobSubscription, scope: JobScope, reply: ReplyTicket) {
        let sink = reply.batch.sink
        guard let since = subscription.since else {
            events.subscribe(sink, subscription, scope: scope, seenUpTo: 0)
            return reply(.ok)
        }
        events.subscribe(sink, subscription, scope: scope, seenUpTo: since, replaying: true)
        let limit = EngineTuning.replayLimit
        read({ reader throws(StoreError) in
            try reader.events(after: since, limit: limit + 1, skill: subscription.skill, district: subscription.district,
                              client: scope.client)
        }) { [self] result in
            guard case .success(let replay) = result else {
                events.unsubscribe(sink)
                return reply(.error(unreadable(result)))
            }
            guard replay.count <= limit else {
                events.unsubscribe(sink)
                return reply(.error(WireError(.limit, "more than \(limit) events since \(since); catch up with FEED first")))
            }
            events.replayed(sink, replay.map { (seq: $0.seq, line: JobJSON.jobChanged($0)) })
            reply(.ok)
        }
    }

    static func wireError(_ error: DispatchError) -> WireError {
        switch error {
        case .conflict, .alreadyRated: WireError(.conflict, error.description)
        case .noJob, .noWorker: WireError(.notFound, error.description)
        case .notYours: WireError(.denied, error.description)
        case .badRequest(let argument, let reason): .badArgument(argument, reason)
        }
    }
}
