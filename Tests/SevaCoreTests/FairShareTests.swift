@testable import SevaCore
import Testing

/// fair-share: distance against work already given, today and fading over the days before.
@Suite struct FairShareTests {
    typealias World = DispatcherTests.World
    let policy = FairSharePolicy(metresPerJob: 1_000)

    func candidate(_ worker: String, _ metres: Double, jobs: Int = 0, past: Double = 0, idleSince: Double = 0) -> Candidate {
        Candidate(worker: worker, metres: metres, jobsToday: jobs, pastWork: past, idleSince: idleSince)
    }

    @Test func aWorkerWithoutJobsSlightlyFartherWins() {
        let decision = policy.rank([candidate("busy", 800, jobs: 2), candidate("fresh", 1_500)])
        #expect(decision.ranked.map(\.worker) == ["fresh", "busy"])
        #expect(decision.scores == [1_500, 2_800])
        #expect(decision.reason.contains("fresh 1500 (1500 m, work 0)") && decision.reason.contains("busy 2800 (800 m, work 2)"),
                "the reason shows the score of the chosen and of the nearest: \(decision.reason)")
    }

    @Test func aWorkerMuchFartherDoesNot() {
        let decision = policy.rank([candidate("busy", 800, jobs: 2), candidate("far", 3_000)])
        #expect(decision.ranked.map(\.worker) == ["busy", "far"])
        #expect(decision.reason.hasPrefix("nearest and lowest score"))
    }

    @Test func tiesGoToTheNearestThenTheLongestIdleThenTheID() {
        #expect(policy.rank([candidate("b", 2_000), candidate("a", 1_000, jobs: 1)]).ranked.map(\.worker) == ["a", "b"],
                "equal scores: the nearer")
        #expect(policy.rank([candidate("late", 500, idleSince: 900), candidate("early", 500, idleSince: 100)]).ranked.first?.worker
                == "early")
        #expect(policy.rank([candidate("y", 500), candidate("x", 500)]).ranked.first?.worker == "x")
    }

    @Test func theWeightZeroIsPureNearest() {
        let zero = FairSharePolicy(metresPerJob: 0)
        let candidates = [candidate("near", 100, jobs: 9), candidate("mid", 200), candidate("far", 300, jobs: 1)]
        #expect(zero.rank(candidates).ranked.map(\.worker) == NearestPolicy().rank(candidates).ranked.map(\.worker))
    }

    @Test func theReachIsTheNearestsScore() {
        #expect(policy.reach(from: candidate("n", 700, jobs: 2, past: 0.5)) == 3_200)
    }

    /// A day's jobs still count the next day, at half after the half-life, so fairness is not
    /// reset each midnight — and with a half-life of 0 they do not count at all.
    @Test(arguments: [1.0, 0.0])
    func workIsRememberedAcrossMidnightFadingByTheHalfLife(halfLife: Double) throws {
        var rules = DispatchRules()
        rules.workHalfLifeDays = halfLife
        var world = World(rules: rules)
        world.now = 86_400 * 20 - 19_800 + 3_600          // 01:00 IST
        world.worker("near", metres: 100)
        world.worker("far", metres: 550)
        let job = world.book()
        #expect(world.worker(of: job.id) == "near")
        try world.complete(job.id, by: "near")
        #expect(world.dispatcher.work(of: "near", now: world.now) == 1)
        world.now += 86_400                                 // the next day
        world.move("near", metres: 100)
        world.move("far", metres: 550)
        #expect(world.dispatcher.jobsToday("near", now: world.now) == 0)
        #expect(world.dispatcher.work(of: "near", now: world.now) == halfLife / 2, "1 job a day ago: 0.5 after a half-life of a day")
        let next = world.book()
        #expect(world.worker(of: next.id) == (halfLife > 0 ? "far" : "near"), "100 m + 1000 m × 0.5 > 550 m; without memory 100 m wins")
    }

    /// `dispatch.candidates`: a match weighs only the nearest this many.
    @Test(arguments: [1, 20])
    func aMatchWeighsTheNearestCandidatesItIsAllowed(candidates: Int) {
        var rules = DispatchRules()
        rules.candidatesPerSearch = candidates
        var world = World(rules: rules)
        world.worker("busy", metres: 100)
        world.worker("fresh", metres: 500)
        world.dispatcher.restoreWork("busy", completed: [3], now: world.now)
        let job = world.book()
        #expect(world.worker(of: job.id) == (candidates == 1 ? "busy" : "fresh"))
    }

    @Test func restoredWorkWeighsEachPastDayByItsAge() {
        var rules = DispatchRules()
        rules.workHalfLifeDays = 2
        var dispatcher = Dispatcher(rules: rules)
        dispatcher.restoreWork("w", completed: [3, 4, 0, 8], now: 1_000_000)
        let expected = 3 + 4 * 0.5.squareRoot() + 8 * 0.5 * 0.5.squareRoot()
        #expect(abs(dispatcher.work(of: "w", now: 1_000_000) - expected) < 1e-9)
        #expect(dispatcher.jobsToday("w", now: 1_000_000) == 3)
        #expect(rules.workMemoryDays == 12)
    }

    @Test func theLiveGiniMatchesTheDirectFormula() {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<200 {
            var spread = WorkSpread(day: 3)
            var counts = [Int](repeating: 0, count: Int.random(in: 1...30, using: &random))
            for _ in 0..<Int.random(in: 0...80, using: &random) {
                let worker = Int.random(in: 0..<counts.count, using: &random)
                spread.moved(from: counts[worker], to: counts[worker] + 1, day: 3)
                counts[worker] += 1
            }
            let idle = counts.count { $0 == 0 }
            let values = counts.map(Double.init).sorted()
            let total = values.reduce(0, +)
            guard total > 0, values.count > 1 else {
                #expect(spread.gini(idle: idle) == nil)
                continue
            }
            let n = Double(values.count)
            let direct = 2 * values.enumerated().reduce(0.0) { $0 + Double($1.offset + 1) * $1.element } / (n * total) - (n + 1) / n
            #expect(abs(spread.gini(idle: idle)! - direct) < 1e-9)
        }
        var spread = WorkSpread(day: 3)
        spread.moved(from: 0, to: 1, day: 3)
        spread.moved(from: 4, to: 5, day: 4)
        #expect(spread.day == 4 && spread.workersWithJobs == 1 && spread.jobs == 5, "a new day starts afresh")
    }
}
