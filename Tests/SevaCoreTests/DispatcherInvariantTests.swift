import Testing
@testable import SevaCore

/// Thousands of seeded random sequences of pings, availability changes, bookings, answers,
/// completions, cancellations, ratings and time steps, under each policy; after every step the invariants of DESIGN.md §3
/// must hold.
@Suite struct DispatcherInvariantTests {
    @Test func randomSequencesKeepTheInvariants() {
        var reached: Set<JobState> = []
        var rated = 0
        for seed in 0..<400 {
            var random = SeededGenerator(seed: UInt64(seed))
            var rules = DispatchRules()
            rules.accept = seed % 5 == 0 ? .auto : .offer
            rules.maxOffers = 1 + Int(random.next() % 5)
            rules.policy = [NearestFairPolicy(), NearestPolicy(), FairSharePolicy(metresPerJob: 800)][seed % 3]
            var world = DispatcherTests.World(rules: rules)
            let workers = (0..<8).map { "w\($0)" }
            for worker in workers { world.worker(worker, metres: Double(random.next() % 6_000)) }
            for step in 0..<60 {
                apply(randomAction(&random, workers: workers, world: world), to: &world)
                if let broken = violation(in: world) {
                    Issue.record("seed \(seed), step \(step): \(broken)")
                    return
                }
            }
            for job in world.dispatcher.jobs.values { reached.formUnion(job.events.map(\.state)) }
            rated += world.dispatcher.jobs.values.count(where: \.rated)
        }
        #expect(rated > 20, "the sequences rate completed jobs: \(rated)")
        #expect(reached == Set(JobState.allCases).subtracting([.scheduled]), "the sequences reach every state: \(reached)")
    }

    enum Action {
        case ping(String, Double), avail(String, Availability), book, accept(String), decline(String)
        case progress(String), cancel(Int64), rate(Int64, Int), wait(Double)
    }

    func randomAction(_ random: inout SeededGenerator, workers: [String], world: DispatcherTests.World) -> Action {
        let worker = workers[Int(random.next() % UInt64(workers.count))]
        switch random.next() % 11 {
        case 0, 1: return .ping(worker, Double(random.next() % 8_000))
        case 2: return .avail(worker, [.on, .on, .off, .break][Int(random.next() % 4)])
        case 3: return .book
        case 4: return .accept(worker)
        case 5: return .decline(worker)
        case 6: return .progress(worker)
        case 9:
            // A worker on a job, when there is one: completions are rare otherwise.
            let working = workers.filter { world.dispatcher.activeJob(of: $0) != nil }
            return .progress(working.isEmpty ? worker : working[Int(random.next() % UInt64(working.count))])
        case 7: return .cancel(Int64(1 + random.next() % UInt64(max(1, world.dispatcher.lastJobID))))
        case 8: return .rate(Int64(1 + random.next() % UInt64(max(1, world.dispatcher.lastJobID))), 1 + Int(random.next() % 5))
        default: return .wait(Double(random.next() % 45))
        }
    }

    func apply(_ action: Action, to world: inout DispatcherTests.World) {
        let now = world.now
        switch action {
        case .ping(let worker, let metres): world.move(worker, metres: metres)
        case .avail(let worker, let availability):
            world.registry.setAvailability(worker, availability, now: now)
            if availability != .on {
                world.dispatcher.workerUnavailable(worker, reason: "signed off", registry: &world.registry, now: now,
                                                   into: &world.outcome)
            }
        case .book: _ = world.book(metres: Double(Int(now) % 3_000))
        case .accept(let worker):
            // Sometimes the worker's own offer, sometimes any job: both must be safe.
            let id = world.dispatcher.offeredJob(of: worker) ?? world.dispatcher.lastJobID
            _ = world.dispatcher.accept(id, by: worker, registry: &world.registry, now: now, into: &world.outcome)
        case .decline(let worker):
            let id = world.dispatcher.offeredJob(of: worker) ?? world.dispatcher.lastJobID
            _ = world.dispatcher.decline(id, by: worker, reason: "busy", registry: &world.registry, now: now, into: &world.outcome)
        case .progress(let worker):
            let id = world.dispatcher.activeJob(of: worker) ?? world.dispatcher.lastJobID
            switch world.dispatcher.job(id)?.state {
            case .assigned: _ = world.dispatcher.arrived(id, by: worker, registry: &world.registry, now: now, into: &world.outcome)
            case .arrived: _ = world.dispatcher.start(id, by: worker, registry: &world.registry, now: now, into: &world.outcome)
            default: _ = world.dispatcher.done(id, by: worker, registry: &world.registry, now: now, into: &world.outcome)
            }
        case .cancel(let id): _ = world.dispatcher.cancel(id, reason: "", registry: &world.registry, now: now, into: &world.outcome)
        case .rate(let id, let stars):
            _ = world.dispatcher.rate(id, stars: stars, comment: nil, registry: &world.registry, now: now, into: &world.outcome)
        case .wait(let seconds): world.advance(seconds)
        }
    }

    /// The first broken invariant, or nil.
    func violation(in world: DispatcherTests.World) -> String? {
        let dispatcher = world.dispatcher
        var holders: [String: Int64] = [:]
        var ratedStars: [String: Int] = [:]
        for job in dispatcher.jobs.values {
            guard let last = job.events.last(where: { $0.kind == .transition }), last.state == job.state else { return "job \(job.id): history ends elsewhere" }
            guard job.events.first?.state == .searching || job.events.first?.state == .scheduled else {
                return "job \(job.id) began \(String(describing: job.events.first?.state))"
            }
            let ratings = job.events.filter { $0.kind == .rated }
            guard ratings.count == (job.rated ? 1 : 0) else { return "job \(job.id) rated \(ratings.count) times" }
            if let rating = ratings.first {
                guard rating.state == .completed, rating == job.events.last,
                      job.events.dropLast().last?.state == .completed else { return "job \(job.id) rated before it was completed" }
                if let worker = rating.worker { ratedStars[worker, default: 0] += stars(rating) }
            }
            let transitions = job.events.filter { $0.kind == .transition }
            for (before, after) in zip(transitions, transitions.dropFirst()) {
                guard before.state.allows(after.state) else { return "job \(job.id): \(before.state) → \(after.state)" }
                guard before.seq < after.seq else { return "job \(job.id): seq not increasing" }
            }
            guard job.state == .offered || job.state.hasWorker else {
                if job.worker != nil && job.state != .cancelled && job.state != .completed {
                    return "job \(job.id) is \(job.state) with worker \(job.worker!)"
                }
                continue
            }
            guard let worker = job.worker else { return "job \(job.id) is \(job.state) without a worker" }
            if let other = holders[worker] { return "worker \(worker) holds jobs \(other) and \(job.id)" }
            holders[worker] = job.id
            let expected = job.state == .offered ? Engagement.offered : .busy
            guard let handle = world.registry.handles.find(worker, in: world.registry.records),
                  world.registry.live[handle].engagement == expected else {
                return "worker \(worker) on job \(job.id) (\(job.state)) is not \(expected) in the registry"
            }
            guard job.tried.filter({ $0 == worker }).count <= 1 else { return "job \(job.id) offered to \(worker) twice" }
        }
        for worker in ["w0", "w1", "w2", "w3", "w4", "w5", "w6", "w7"] {
            guard world.registry.profile(worker)?.ratingSum == ratedStars[worker] ?? 0 else {
                return "worker \(worker)'s rating does not add up to the stars of the jobs rated"
            }
            guard holders[worker] == nil else { continue }
            guard let handle = world.registry.handles.find(worker, in: world.registry.records),
                  world.registry.live[handle].engagement == .free else { return "worker \(worker) is engaged with no job" }
        }
        return nil
    }

    /// The stars a `rated` event recorded.
    func stars(_ event: JobEvent) -> Int {
        for field in event.detail.fields where field.key == "stars" { if case .integer(let stars) = field.value { return stars } }
        return 0
    }
}
