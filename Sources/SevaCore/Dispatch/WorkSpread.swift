/// How today's work is spread across workers, kept as it happens (no pass over the workers):
/// how many workers have completed exactly k jobs today, for k ≥ 1. With the number of active
/// workers who have none, it gives the Gini coefficient of jobs per worker that STATS shows.
public struct WorkSpread: Sendable, Equatable {
    /// The local day counted (`Dispatcher.dayNumber`).
    public private(set) var day: Int
    /// `workers[k]`: workers with exactly k jobs today (index 0 unused).
    public private(set) var workers: [Int] = [0]

    public init(day: Int) { self.day = day }

    /// Workers with at least one job today.
    public var workersWithJobs: Int { workers.dropFirst().reduce(0, +) }
    public var jobs: Int { workers.indices.reduce(0) { $0 + $1 * workers[$1] } }

    /// A worker's count today went from `old` to `new` (on `day`; a new day starts afresh).
    mutating func moved(from old: Int, to new: Int, day: Int) {
        if day != self.day {
            self = WorkSpread(day: day)
            if old > 0 { return moved(from: 0, to: new, day: day) }
        }
        if old > 0, old < workers.count { workers[old] = max(0, workers[old] - 1) }
        if new > 0 {
            if workers.count <= new { workers += Array(repeating: 0, count: new + 1 - workers.count) }
            workers[new] += 1
        }
    }

    /// The Gini coefficient of jobs today over the workers with jobs and `idle` more with none:
    /// 0 when all did as many, towards 1 when a few did all; nil before the first job.
    public func gini(idle: Int) -> Double? {
        let total = Double(jobs)
        let count = Double(workersWithJobs + max(0, idle))
        guard total > 0, count > 1 else { return nil }
        // Ranks 1…n in ascending order: the idle first, then each count's workers together.
        var rank = Double(max(0, idle))
        var weighted = 0.0
        for (jobs, many) in workers.enumerated() where jobs > 0 && many > 0 {
            let c = Double(many)
            weighted += Double(jobs) * (c * rank + c * (c + 1) / 2)
            rank += c
        }
        return 2 * weighted / (count * total) - (count + 1) / count
    }
}
