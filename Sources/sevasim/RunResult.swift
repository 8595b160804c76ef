import SevaClient
import SevaCore

/// The figures of one run, from what the simulator saw, plus the daemon's own STATS at the end.
struct RunResult {
    let policy: String
    let seed: UInt64
    let district: District
    /// Reactor time of booking time 0.
    let origin: Double
    let workers: Int
    let durationSeconds: Double
    let elapsedSeconds: Double
    let timeScale: Double
    let utilisation: Double
    let planDigest: String
    let plannedBookings: Int

    let booked: Int
    let rejectedBookings: Int
    let assigned: Int
    let completed: Int
    let cancelled: Int
    let unfilled: Int
    let openAtEnd: Int
    let timesToAssign: [Double]
    let pickupMetres: [Double]
    let offersPerJob: Double?
    let unfilledBySkill: [String: Int]
    let jobsPerWorker: [Double]
    let idleShare: Double?
    let pings: Int
    let latencies: [Double]
    let latencyByKind: [(RequestKind, [Double])]
    let daemonStats: String
    let lastSeq: Int64
    /// ERR replies by request kind and code, with the first of each.
    let errors: [String: Int]
    let errorExamples: [String: String]
    /// For the pictures: final positions and activities, and every job.
    let finalWorkers: [(point: GeoPoint, activity: WorkerAgent.Activity)]
    let jobs: [JobRecord]
    /// The offline optimum over each window length asked for.
    let optima: [OptimalPickup]

    init(simulation: Simulation, policy: String, elapsed: Double, daemonStats: String, optimumWindows: [Double]) {
        let scenario = simulation.scenario
        self.policy = policy
        seed = simulation.seed
        district = scenario.district
        origin = simulation.origin
        workers = scenario.workers
        durationSeconds = scenario.durationSeconds
        elapsedSeconds = elapsed
        timeScale = scenario.timeScale
        utilisation = scenario.utilisation
        planDigest = simulation.plan.digest
        plannedBookings = simulation.plan.bookings.count

        let jobs = Array(simulation.ledger.jobs.filter { $0.booking != nil })
        self.jobs = jobs
        booked = jobs.count
        rejectedBookings = simulation.bookingErrors.count
        assigned = jobs.count { $0.wasAssigned }
        completed = jobs.count { $0.state == "completed" }
        cancelled = jobs.count { $0.state == "cancelled" }
        unfilled = jobs.count { $0.state == "unfilled" }
        openAtEnd = jobs.count { $0.isOpen }
        timesToAssign = jobs.compactMap(\.timeToAssign)
        pickupMetres = jobs.compactMap(\.pickupMetres)
        let offered = jobs.filter { $0.offers > 0 }
        offersPerJob = offered.isEmpty ? nil : Double(offered.reduce(0) { $0 + $1.offers }) / Double(offered.count)
        var bySkill: [String: Int] = [:]
        for job in jobs where job.state == "unfilled" { bySkill[job.skill, default: 0] += 1 }
        unfilledBySkill = bySkill
        // Fairness is about the workers who can be dispatched and answer: verified, reliable,
        // on duty from the start.
        let fair = simulation.agents.filter { $0.plan.verified && !$0.plan.unreliable && $0.plan.joinsAt == 0 }
        jobsPerWorker = fair.map { Double($0.jobsAssigned) }
        idleShare = Summary.mean(fair.compactMap { $0.onDutySeconds > 0 ? $0.idleSeconds / $0.onDutySeconds : nil })
        pings = simulation.pingsSent
        latencies = simulation.latencies.all
        latencyByKind = RequestKind.allCases.map { ($0, simulation.latencies.samples[$0.rawValue]) }
        self.daemonStats = daemonStats
        lastSeq = simulation.lastSeq
        errors = simulation.latencies.errors
        errorExamples = simulation.latencies.errorExamples
        let bookings = jobs.compactMap { job -> OptimalPickup.Booking? in
            guard let bookedAt = job.bookedAt, let pickup = job.pickupMetres, let candidates = job.idleCandidates else { return nil }
            return OptimalPickup.Booking(bookedAt: bookedAt, policyMetres: pickup, candidates: candidates)
        }
        let origin = simulation.origin
        optima = optimumWindows.map { OptimalPickup(bookings, windowSeconds: $0, origin: origin) }
        let end = simulation.reactor.now
        finalWorkers = simulation.agents.map { ($0.route.position(at: end), $0.activity) }
    }

    /// Assigned among the jobs that were decided: assigned or unfilled (cancellations before
    /// assignment and jobs still open at the end count for neither).
    var fillRate: Double? {
        let decided = assigned + unfilled
        return decided == 0 ? nil : Double(assigned) / Double(decided)
    }

    var pingsPerSecond: Double { Double(pings) / max(0.001, elapsedSeconds) }
    var gini: Double? { Gini.of(jobsPerWorker) }
}
