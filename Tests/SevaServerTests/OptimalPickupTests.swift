import SevaCore
import Testing
@testable import sevasim

/// The simulator's offline optimum on hand-made cases whose optimal matching is known.
@Suite struct OptimalPickupTests {
    typealias Candidate = OptimalPickup.Candidate

    /// Two jobs in one window, two workers: greedy in booking order gives job A its nearest
    /// (worker 0, 100 m) and leaves job B worker 1 at 5 km; the optimum is 300 m + 400 m.
    @Test func aWindowIsMatchedTogether() {
        let bookings = [
            OptimalPickup.Booking(bookedAt: 1, policyMetres: 100, candidates: [Candidate(worker: 0, metres: 100), Candidate(worker: 1, metres: 300)]),
            OptimalPickup.Booking(bookedAt: 2, policyMetres: 5_000, candidates: [Candidate(worker: 0, metres: 400), Candidate(worker: 1, metres: 5_000)]),
        ]
        let together = OptimalPickup(bookings, windowSeconds: 10, origin: 0)
        #expect(together.jobs == 2 && together.optimalMetres == 700 && together.policyMetres == 5_100)
        #expect(together.ratio == 5_100.0 / 700)
        // In windows of one second each job is alone, and each may have its nearest.
        let apart = OptimalPickup(bookings, windowSeconds: 1, origin: 0)
        #expect(apart.optimalMetres == 100 + 400)
    }

    /// A job nobody idle could have taken is in neither total.
    @Test func aJobWithoutCandidatesIsLeftOut() {
        let bookings = [
            OptimalPickup.Booking(bookedAt: 0, policyMetres: 900, candidates: []),
            OptimalPickup.Booking(bookedAt: 0, policyMetres: 250, candidates: [Candidate(worker: 3, metres: 200)]),
        ]
        let optimum = OptimalPickup(bookings, windowSeconds: 5, origin: 0)
        #expect(optimum.jobs == 1 && optimum.policyMetres == 250 && optimum.optimalMetres == 200)
    }
}
