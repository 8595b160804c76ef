import Testing
@testable import SevaCore

/// The dispatch rules of DESIGN.md §3 on the pure engine, with a manual clock.
@Suite struct DispatcherTests {
    static let catalogue = SkillCatalogue(["electrician", "plumber", "cook"])!
    static let hathras = try! GeoPoint(latitude: 27.5960, longitude: 78.0500)

    /// A registry and dispatcher with helpers to place workers and book jobs.
    struct World {
        var registry = WorkerRegistry(catalogue: DispatcherTests.catalogue)
        var dispatcher: Dispatcher
        var now = 10_000.0
        var outcome = DispatchOutcome()

        init(rules: DispatchRules = DispatchRules()) { dispatcher = Dispatcher(rules: rules) }

        /// A verified, available plumber `metres` east of Hathras.
        mutating func worker(_ id: String, metres: Double, skill: String = "plumber", reachKm: Double? = nil) {
            var profile = WorkerProfile(id: id, skills: DispatcherTests.catalogue.skill(skill)!)
            profile.verified = true
            profile.radiusKm = reachKm
            registry.upsert(profile, now: now)
            registry.setAvailability(id, .on, now: now)
            move(id, metres: metres)
        }

        mutating func move(_ id: String, metres: Double) {
            let point = GeoMath.destination(from: DispatcherTests.hathras, metres: metres, bearingDegrees: 90)
            _ = registry.recordFix(id, at: point, now: now)
            dispatcher.workerMoved(id, to: point, registry: &registry, now: now, into: &outcome)
        }

        mutating func book(_ skill: String = "plumber", ref: String? = nil, client: String = "", at: Double? = nil,
                           metres: Double = 0) -> Job {
            var request = JobRequest(skill: skill, point: GeoMath.destination(from: DispatcherTests.hathras, metres: metres,
                                                                                bearingDegrees: 90))
            request.client = client
            request.ref = ref
            request.scheduledAt = at
            return try! dispatcher.book(request, registry: &registry, now: now, into: &outcome).get().job
        }

        mutating func advance(_ seconds: Double) {
            now += seconds
            for id in registry.expireStale(now: now) {
                dispatcher.workerUnavailable(id, reason: "offline", registry: &registry, now: now, into: &outcome)
            }
            dispatcher.tick(registry: &registry, now: now, into: &outcome)
        }

        /// ACCEPT, ARRIVED, START and DONE in turn.
        mutating func complete(_ id: Int64, by worker: String) throws {
            _ = try dispatcher.accept(id, by: worker, registry: &registry, now: now, into: &outcome).get()
            _ = try dispatcher.arrived(id, by: worker, registry: &registry, now: now, into: &outcome).get()
            _ = try dispatcher.start(id, by: worker, registry: &registry, now: now, into: &outcome).get()
            _ = try dispatcher.done(id, by: worker, registry: &registry, now: now, into: &outcome).get()
        }

        func state(_ id: Int64) -> JobState? { dispatcher.job(id)?.state }
        func worker(of id: Int64) -> String? { dispatcher.job(id)?.worker }

        /// The notices since the last call.
        mutating func notices() -> [DispatchNotice] {
            defer { outcome = DispatchOutcome() }
            return outcome.notices
        }
    }

    @Test func theLegalMovesAreExactlyTheDesignsOnes() {
        let legal: Set<String> = [
            "scheduled>searching", "searching>offered", "searching>assigned", "searching>unfilled", "offered>assigned",
            "offered>searching", "offered>unfilled", "assigned>arrived", "arrived>started", "started>completed",
        ]
        for from in JobState.allCases {
            for to in JobState.allCases {
                let expected = legal.contains("\(from)>\(to)") || (to == .cancelled && from.isOpen)
                #expect(from.allows(to) == expected, "\(from) → \(to)")
            }
        }
    }

    @Test func theHappyPathRecordsEveryTransition() throws {
        var world = World()
        world.worker("near", metres: 300)
        let job = world.book()
        #expect(world.state(job.id) == .offered && world.worker(of: job.id) == "near")
        #expect(world.registry.status("near", now: world.now) == .offered)
        let offerNotice = world.notices().first { if case .offer = $0 { return true } else { return false } }
        guard case .offer(let worker, _, let metres, let expires)? = offerNotice else { Issue.record("no offer"); return }
        #expect(worker == "near" && abs(metres - 300) < 2 && expires == 30)
        _ = try world.dispatcher.accept(job.id, by: "near", registry: &world.registry, now: world.now, into: &world.outcome).get()
        #expect(world.registry.status("near", now: world.now) == .busy)
        _ = try world.dispatcher.arrived(job.id, by: "near", registry: &world.registry, now: world.now, into: &world.outcome).get()
        _ = try world.dispatcher.start(job.id, by: "near", registry: &world.registry, now: world.now, into: &world.outcome).get()
        _ = try world.dispatcher.done(job.id, by: "near", registry: &world.registry, now: world.now, into: &world.outcome).get()
        let history = world.dispatcher.job(job.id)!.events
        #expect(history.map(\.state) == [.searching, .offered, .assigned, .arrived, .started, .completed])
        #expect(zip(history, history.dropFirst()).allSatisfy { $0.seq < $1.seq })
        #expect(world.registry.status("near", now: world.now) == .available)
        #expect(world.dispatcher.jobsToday("near", now: world.now) == 1)
        let offered = history[1].detail.fields
        #expect(offered.contains { $0.key == "reason" } && offered.contains { $0.key == "candidates" })
    }

    @Test func illegalMovesAreConflictsNamingTheState() {
        var world = World()
        world.worker("w1", metres: 100)
        world.worker("w2", metres: 200)
        let job = world.book()
        let run = { (world: inout World, action: (inout World) -> Result<Job, DispatchError>) -> DispatchError? in
            if case .failure(let error) = action(&world) { return error }
            return nil
        }
        #expect(run(&world) { $0.dispatcher.start(job.id, by: "w1", registry: &$0.registry, now: $0.now, into: &$0.outcome) }
            == .notYours(job: job.id, worker: "w1"), "START before ACCEPT")
        #expect(run(&world) { $0.dispatcher.accept(job.id, by: "w2", registry: &$0.registry, now: $0.now, into: &$0.outcome) }
            == .notYours(job: job.id, worker: "w2"), "an offer to w1 is not w2's")
        #expect(run(&world) { $0.dispatcher.accept(99, by: "w1", registry: &$0.registry, now: $0.now, into: &$0.outcome) }
            == .noJob(99))
        _ = world.dispatcher.accept(job.id, by: "w1", registry: &world.registry, now: world.now, into: &world.outcome)
        #expect(run(&world) { $0.dispatcher.accept(job.id, by: "w1", registry: &$0.registry, now: $0.now, into: &$0.outcome) }
            == .conflict(job: job.id, state: .assigned, wanted: "ACCEPT"))
        #expect(run(&world) { $0.dispatcher.done(job.id, by: "w1", registry: &$0.registry, now: $0.now, into: &$0.outcome) }
            == .conflict(job: job.id, state: .assigned, wanted: "mark DONE"))
        #expect(run(&world) { $0.dispatcher.decline(job.id, by: "w1", reason: "", registry: &$0.registry, now: $0.now, into: &$0.outcome) }
            == .conflict(job: job.id, state: .assigned, wanted: "DECLINE"))
        _ = world.dispatcher.cancel(job.id, reason: "customer left", registry: &world.registry, now: world.now, into: &world.outcome)
        #expect(world.registry.status("w1", now: world.now) == .available, "a cancelled job frees its worker")
        #expect(run(&world) { $0.dispatcher.cancel(job.id, reason: "", registry: &$0.registry, now: $0.now, into: &$0.outcome) }
            == .conflict(job: job.id, state: .cancelled, wanted: "cancel"))
        #expect(DispatchError.conflict(job: 7, state: .cancelled, wanted: "cancel").description == "job 7 is cancelled; cannot cancel")
    }

    @Test func declineTimeoutAndOfflineEachCascadeToTheNextUntried() throws {
        var world = World()
        world.worker("a", metres: 100)
        world.worker("b", metres: 200)
        world.worker("c", metres: 300)
        world.worker("d", metres: 400)
        let job = world.book()
        #expect(world.worker(of: job.id) == "a")
        _ = try world.dispatcher.decline(job.id, by: "a", reason: "too far", registry: &world.registry, now: world.now,
                                         into: &world.outcome).get()
        #expect(world.worker(of: job.id) == "b" && world.state(job.id) == .offered)
        _ = world.notices()
        world.advance(31)
        #expect(world.worker(of: job.id) == "c", "b let the offer expire")
        #expect(world.notices().contains(.offerWithdrawn(worker: "b", job: job.id, reason: "expired")))
        world.registry.setAvailability("c", .off, now: world.now)
        world.dispatcher.workerUnavailable("c", reason: "offline", registry: &world.registry, now: world.now, into: &world.outcome)
        #expect(world.worker(of: job.id) == "d", "c went offline")
        #expect(world.dispatcher.job(job.id)!.tried == ["a", "b", "c", "d"])
        #expect(world.registry.status("a", now: world.now) == .available, "a declined and is free again")
        let counters = world.dispatcher.counters
        #expect(counters.offersSent == 4 && counters.offersDeclined == 1 && counters.offersExpired == 1 && counters.offersWithdrawn == 1)
    }

    @Test func aWorkerWhoGoesStaleHasTheOfferWithdrawn() {
        var world = World()
        world.worker("quiet", metres: 100)
        world.worker("loud", metres: 900)
        let job = world.book()
        #expect(world.worker(of: job.id) == "quiet")
        world.now += 100
        world.move("loud", metres: 900)
        world.advance(25)
        #expect(world.worker(of: job.id) == "loud", "quiet's last ping is 125 s old")
        #expect(world.notices().contains(.offerWithdrawn(worker: "quiet", job: job.id, reason: "offline")))
    }

    @Test func maxOffersEndsUnfilledAndSoDoesAnEmptyWidestRadius() {
        var rules = DispatchRules()
        rules.maxOffers = 2
        var world = World(rules: rules)
        for index in 0..<4 { world.worker("w\(index)", metres: 100 * Double(index + 1)) }
        let job = world.book()
        world.advance(31)
        world.advance(31)
        #expect(world.state(job.id) == .unfilled)
        #expect(world.dispatcher.counters.unfilledBySkill["plumber"] == 1)
        let lonely = world.book("electrician")
        #expect(world.state(lonely.id) == .unfilled, "no electrician anywhere")
        let last = world.dispatcher.job(lonely.id)!.events.last!
        #expect(last.detail.fields.contains(EventDetail.Field(key: "reason", value: .text("no available worker within 25 km"))))
    }

    @Test func theRadiusWidensStepByStep() {
        var world = World()
        world.worker("far", metres: 7_000)
        world.worker("farther", metres: 20_000)
        let job = world.book()
        #expect(world.worker(of: job.id) == "far")
        let offered = world.dispatcher.job(job.id)!.events.last!
        #expect(offered.detail.fields.contains(EventDetail.Field(key: "radius_km", value: .number(10))))
        world.advance(31)
        #expect(world.worker(of: job.id) == "farther")
        #expect(world.dispatcher.job(job.id)!.events.last!.detail.fields.contains(EventDetail.Field(key: "radius_km", value: .number(25))))
    }

    @Test func aWorkersOwnReachIsRespected() {
        var world = World()
        world.worker("homebody", metres: 1_500, reachKm: 1)
        world.worker("traveller", metres: 1_800)
        let job = world.book()
        #expect(world.worker(of: job.id) == "traveller")
    }

    @Test func autoModeAssignsDirectly() {
        var rules = DispatchRules()
        rules.accept = .auto
        var world = World(rules: rules)
        world.worker("w1", metres: 100)
        let job = world.book()
        #expect(world.state(job.id) == .assigned && world.worker(of: job.id) == "w1")
        #expect(world.registry.status("w1", now: world.now) == .busy)
        #expect(!world.notices().contains { if case .offer = $0 { true } else { false } })
    }

    @Test func scheduledJobsStartSearchingLeadSecondsAhead() {
        var world = World()
        world.worker("w1", metres: 100)
        let job = world.book(at: world.now + 3_600)
        #expect(world.state(job.id) == .scheduled)
        world.advance(1_000)
        #expect(world.state(job.id) == .scheduled)
        world.now += 799
        world.move("w1", metres: 100)
        world.advance(1)
        #expect(world.state(job.id) == .offered, "searching begins dispatch.lead_s (1800 s) before the time")
        let soon = world.book(at: world.now + 60)
        #expect(world.state(soon.id) != .scheduled, "a job due within the lead searches at once")
    }

    @Test func workersWhoLetOffersExpireInARowAreSetToBreak() {
        var rules = DispatchRules()
        rules.maxOffers = 10
        var world = World(rules: rules)
        world.worker("sleepy", metres: 100)
        for round in 0..<3 {
            let job = world.book()
            #expect(world.worker(of: job.id) == "sleepy", "round \(round)")
            world.advance(31)
            world.move("sleepy", metres: 100)
        }
        #expect(world.registry.status("sleepy", now: world.now) == .break)
        #expect(world.outcome.changes.contains(.availability(worker: "sleepy", .break)))
    }

    @Test func fairnessPrefersFewerJobsTodayWithinTheBand() {
        let policy = NearestFairPolicy()
        let busy = Candidate(worker: "busy", metres: 1_000, jobsToday: 3, idleSince: 0)
        let fresh = Candidate(worker: "fresh", metres: 1_200, jobsToday: 0, idleSince: 0)
        let farFresh = Candidate(worker: "far-fresh", metres: 1_600, jobsToday: 0, idleSince: 0)
        #expect(policy.rank([busy, fresh, farFresh]).ranked.map(\.worker) == ["fresh", "busy", "far-fresh"],
                "band = max(1.25 × 1000, 1000 + 500) = 1500 m")
        let close = Candidate(worker: "close", metres: 100, jobsToday: 2, idleSince: 0)
        let within = Candidate(worker: "within", metres: 550, jobsToday: 1, idleSince: 0)
        #expect(policy.rank([close, within]).ranked.first?.worker == "within", "nearest + 500 m beats 1.25 × 100 m")
        let longIdle = Candidate(worker: "long-idle", metres: 500, jobsToday: 1, idleSince: 100)
        let justFreed = Candidate(worker: "just-freed", metres: 500, jobsToday: 1, idleSince: 900)
        #expect(policy.rank([justFreed, longIdle]).ranked.first?.worker == "long-idle", "then the one idle longest")
        #expect(NearestPolicy().rank([busy, fresh]).ranked.first?.worker == "busy")
    }

    @Test func theBandReachesPastTheRadiusItWasFoundOn() throws {
        var world = World(rules: { var rules = DispatchRules(); rules.policy = NearestFairPolicy(); return rules }())
        world.worker("edge-busy", metres: 1_900)
        world.worker("beyond-fresh", metres: 2_300)
        let first = world.book()
        #expect(world.worker(of: first.id) == "edge-busy")
        try world.complete(first.id, by: "edge-busy")
        world.now += 60
        world.move("edge-busy", metres: 1_900)
        world.move("beyond-fresh", metres: 2_300)
        let second = world.book()
        #expect(world.worker(of: second.id) == "beyond-fresh",
                "the band max(1.25 × 1900, 2400) m takes in the fresh worker past the 2 km ring")
        var nearest = World(rules: { var rules = DispatchRules(); rules.policy = NearestPolicy(); return rules }())
        nearest.worker("edge-busy", metres: 1_900)
        nearest.worker("beyond-fresh", metres: 2_300)
        let plain = nearest.book()
        #expect(nearest.worker(of: plain.id) == "edge-busy")
    }

    @Test func fairnessSpreadsJobsAcrossTheDay() throws {
        var world = World()
        world.worker("centre", metres: 100)
        world.worker("edge", metres: 400)
        var assigned: [String] = []
        for _ in 0..<4 {
            let job = world.book()
            let worker = try #require(world.worker(of: job.id))
            assigned.append(worker)
            try world.complete(job.id, by: worker)
            world.now += 60
            world.move("centre", metres: 100)
            world.move("edge", metres: 400)
        }
        #expect(assigned == ["centre", "edge", "centre", "edge"])
    }

    @Test func theGeofenceMarksArrivalAndWatchersGetTrack() throws {
        var world = World()
        world.worker("w1", metres: 2_000)
        let job = world.book()
        _ = try world.dispatcher.accept(job.id, by: "w1", registry: &world.registry, now: world.now, into: &world.outcome).get()
        _ = world.notices()
        world.now += 60
        world.move("w1", metres: 1_000)
        let tracks = world.notices().filter { if case .track = $0 { true } else { false } }
        #expect(tracks.count == 1)
        world.move("w1", metres: 900)
        #expect(world.notices().isEmpty, "at most one track a second")
        world.now += 60
        world.move("w1", metres: 60)
        #expect(world.state(job.id) == .arrived)
        #expect(world.dispatcher.job(job.id)!.events.last!.detail.fields.contains(EventDetail.Field(key: "geofence", value: .flag(true))))
    }

    @Test func theSameRefBooksOnce() {
        var world = World()
        world.worker("w1", metres: 100)
        let first = world.book(ref: "portal-881")
        let again = world.book(ref: "portal-881")
        #expect(first.id == again.id)
        #expect(world.dispatcher.openCounts.values.reduce(0, +) == 1)
    }

    @Test func refsAreUniquePerClientAndJobsCarryTheirClient() {
        var world = World()
        world.worker("w1", metres: 100)
        world.worker("w2", metres: 200)
        let portal = world.book(ref: "r-1", client: "web-portal")
        let crm = world.book(ref: "r-1", client: "helpline-crm")
        #expect(portal.id != crm.id, "two clients, one ref: two jobs")
        #expect(world.book(ref: "r-1", client: "web-portal").id == portal.id)
        #expect(world.dispatcher.job(ref: "r-1", client: "helpline-crm")?.client == "helpline-crm")
        #expect(world.dispatcher.job(ref: "r-1", client: "") == nil)
        let notices = world.outcome.notices.compactMap { notice -> String? in
            if case .jobChanged(let event, _, _, let client, _) = notice, event.job == crm.id { return client }
            return nil
        }
        #expect(!notices.isEmpty && notices.allSatisfy { $0 == "helpline-crm" }, "events name the job's client")
    }

    @Test func restoredOffersResumeAndExpiredOnesCascade() {
        var world = World()
        world.worker("a", metres: 100)
        world.worker("b", metres: 200)
        let job = world.book()
        let saved = world.dispatcher.job(job.id)!
        var restarted = World()
        restarted.now = world.now
        restarted.worker("a", metres: 100)
        restarted.worker("b", metres: 200)
        restarted.dispatcher.restore(saved, registry: &restarted.registry, now: restarted.now)
        #expect(restarted.registry.status("a", now: restarted.now) == .offered)
        restarted.advance(10)
        #expect(restarted.worker(of: job.id) == "a", "20 s of the offer remain")
        restarted.advance(25)
        #expect(restarted.worker(of: job.id) == "b")
        #expect(restarted.dispatcher.lastSeq > saved.events.last!.seq)
    }
}
