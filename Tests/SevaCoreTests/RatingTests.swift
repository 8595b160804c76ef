import SevaCore
import Testing

/// JOB RATE in the core: once, after `completed`, a `rated` event in the history, the stars in
/// the worker's mean — and the rating floor that keeps a low-rated worker out of dispatch.
@Suite struct RatingTests {
    typealias World = DispatcherTests.World

    func completedJob(_ world: inout World, by worker: String = "ravi") throws -> Job {
        let job = world.book()
        #expect(world.worker(of: job.id) == worker)
        try world.complete(job.id, by: worker)
        world.outcome = DispatchOutcome()
        return job
    }

    @Test func aCompletedJobIsRatedOnceAndTheWorkerCarriesTheMean() throws {
        var world = World()
        world.worker("ravi", metres: 300)
        let job = try completedJob(&world)
        let rated = try world.dispatcher.rate(job.id, stars: 4, comment: "on time", registry: &world.registry, now: world.now,
                                              into: &world.outcome).get()
        let event = try #require(rated.events.last)
        #expect(event.kind == .rated && event.state == .completed && event.worker == "ravi")
        #expect(rated.state == .completed && rated.rated)
        #expect(world.outcome.changes == [.rated(event, worker: "ravi", stars: 4)])
        #expect(world.registry.profile("ravi")?.rating == 4 && world.registry.profile("ravi")?.ratingCount == 1)
        #expect(world.dispatcher.rate(job.id, stars: 5, comment: nil, registry: &world.registry, now: world.now,
                                      into: &world.outcome) == .failure(.alreadyRated(job: job.id)))
        #expect(world.registry.profile("ravi")?.ratingCount == 1, "the second rating changed nothing")
    }

    @Test func onlyACompletedJobIsRated() throws {
        var world = World()
        world.worker("ravi", metres: 300)
        let job = world.book()
        guard case .failure(.conflict(_, .offered, _)) = world.dispatcher.rate(job.id, stars: 3, comment: nil, registry: &world.registry,
                                                                              now: world.now, into: &world.outcome) else {
            Issue.record("an offered job cannot be rated")
            return
        }
        #expect(world.dispatcher.rate(99, stars: 3, comment: nil, registry: &world.registry, now: world.now,
                                      into: &world.outcome) == .failure(.noJob(99)))
        #expect(world.registry.profile("ravi")?.ratingCount == 0)
    }

    @Test func aRestoredHistoryKnowsTheJobWasRated() throws {
        var world = World()
        world.worker("ravi", metres: 300)
        let job = try completedJob(&world)
        let rated = try world.dispatcher.rate(job.id, stars: 2, comment: nil, registry: &world.registry, now: world.now,
                                              into: &world.outcome).get()
        var stored = Job(id: job.id, skill: job.skill, skillSet: job.skillSet, point: job.point, state: .completed, createdAt: job.createdAt)
        stored.worker = "ravi"
        stored.restore(history: rated.events)
        #expect(stored.rated)
        var fresh = World()
        fresh.dispatcher.recall(stored)
        #expect(fresh.dispatcher.rate(job.id, stars: 5, comment: nil, registry: &fresh.registry, now: fresh.now,
                                      into: &fresh.outcome) == .failure(.alreadyRated(job: job.id)))
    }

    /// Below `min_rating` once they have `min_ratings`: out of dispatch, and the decision that
    /// passed them over names them.
    @Test func theRatingFloorKeepsALowRatedWorkerOutAndTheReasonSaysSo() throws {
        var world = World(rules: { var rules = DispatchRules(); rules.policy = NearestPolicy(); return rules }())
        world.registry.rules.minRating = 3
        world.registry.rules.minRatings = 2
        world.worker("ravi", metres: 300)
        world.worker("sunil", metres: 900)
        for stars in [1, 2] {
            let job = try completedJob(&world)
            _ = try world.dispatcher.rate(job.id, stars: stars, comment: nil, registry: &world.registry, now: world.now,
                                          into: &world.outcome).get()
            world.now += 60
            world.move("ravi", metres: 300)
            world.move("sunil", metres: 900)
            if stars == 1 {
                #expect(world.registry.nearest(to: DispatcherTests.hathras, radiusMetres: 2_000, limit: 5, now: world.now).map(\.id)
                        == ["ravi", "sunil"], "one rating is not yet enough for the floor")
            }
        }
        let job = world.book()
        #expect(world.worker(of: job.id) == "sunil")
        let offer = try #require(world.dispatcher.job(job.id)?.events.last)
        #expect(offer.detail.fields.contains { $0.key == "reason" && "\($0.value)".contains("below the rating floor (dispatch.min_rating), left out: ravi") })
        world.registry.rules.minRating = 0
        world.now += 1
        world.move("ravi", metres: 300)
        #expect(world.registry.nearest(to: DispatcherTests.hathras, radiusMetres: 2_000, limit: 5, now: world.now).map(\.id).contains("ravi"))
    }
}
