import SevaCore

/// How far from the optimum a policy dispatched: for the same bookings and the same workers
/// where they stood, the total pickup distance an offline, all-knowing dispatcher would have
/// achieved by matching each window of W seconds' bookings together (a minimum-cost bipartite
/// matching, `MinCostMatching`: the Hungarian algorithm), against the policy's own pickups for
/// those jobs.
///
/// Who the optimum may use: the workers idle, verified, reliable and carrying the skill when
/// the job was booked, each from where they stood at that moment, and each at most once a
/// window. Jobs the policy did not assign, and scheduled ones, are left out of both totals,
/// as is a job no such worker could have taken.
struct OptimalPickup: Equatable {
    let windowSeconds: Double
    /// Jobs in both totals.
    let jobs: Int
    let policyMetres: Double
    let optimalMetres: Double

    var policyMean: Double? { jobs == 0 ? nil : policyMetres / Double(jobs) }
    var optimalMean: Double? { jobs == 0 ? nil : optimalMetres / Double(jobs) }
    /// The policy's total over the optimum's (1 = optimal).
    var ratio: Double? { optimalMetres > 0 ? policyMetres / optimalMetres : nil }

    /// One job as the optimum sees it: when it was booked, the policy's pickup, and the
    /// workers who could have taken it then.
    struct Booking {
        let bookedAt: Double
        let policyMetres: Double
        let candidates: [Candidate]
    }

    /// A worker who could have taken a job, and how far away they stood.
    struct Candidate: Equatable {
        let worker: Int
        let metres: Double
    }

    init(_ bookings: [Booking], windowSeconds: Double, origin: Double) {
        self.windowSeconds = windowSeconds
        var windows: [Int: [Booking]] = [:]
        for booking in bookings {
            windows[Int(((booking.bookedAt - origin) / windowSeconds).rounded(.down)), default: []].append(booking)
        }
        var jobs = 0
        var policy = 0.0
        var optimal = 0.0
        for key in windows.keys.sorted() {
            let window = windows[key]!
            var column: [Int: Int] = [:]
            for booking in window {
                for candidate in booking.candidates where column[candidate.worker] == nil { column[candidate.worker] = column.count }
            }
            var costs = [[Double]](repeating: [Double](repeating: .infinity, count: column.count), count: window.count)
            for (row, booking) in window.enumerated() {
                for candidate in booking.candidates { costs[row][column[candidate.worker]!] = candidate.metres }
            }
            let matching = MinCostMatching.solve(costs)
            for (row, match) in matching.columns.enumerated() {
                guard let match else { continue }
                jobs += 1
                policy += window[row].policyMetres
                optimal += costs[row][match]
            }
        }
        self.jobs = jobs
        policyMetres = policy
        optimalMetres = optimal
    }
}
