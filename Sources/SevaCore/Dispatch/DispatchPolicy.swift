/// One worker a match may choose, with what the policies weigh.
public struct Candidate: Sendable, Equatable {
    public let worker: String
    public let metres: Double
    /// Jobs the worker completed today (local day).
    public let jobsToday: Int
    /// Work given before today, each past day's jobs worth less as it recedes
    /// (`WorkerDay.pastWork`); 0 for `nearest` and `nearest-fair`, which do not look back.
    public let pastWork: Double
    /// Since when the worker has been free of jobs (the earlier, the longer idle).
    public let idleSince: Double

    public init(worker: String, metres: Double, jobsToday: Int, pastWork: Double = 0, idleSince: Double) {
        self.worker = worker
        self.metres = metres
        self.jobsToday = jobsToday
        self.pastWork = pastWork
        self.idleSince = idleSince
    }

    /// The work a fairness rule weighs: today's jobs and the fading memory of earlier days.
    public var work: Double { Double(jobsToday) + pastWork }
}

/// A policy's choice: the candidates in its order of preference (the first is chosen), the
/// policy's score of each (lower is better; what the job's history records as `score`), and
/// why the first won.
public struct MatchDecision: Sendable, Equatable {
    public let ranked: [Candidate]
    public let scores: [Double]
    public let reason: String
}

/// How a job picks among its candidates (given nearest first). Pluggable: `fair-share` is the
/// default, `nearest-fair` the band rule of DESIGN.md §3, `nearest` the baseline both are
/// measured against.
public protocol DispatchPolicy: Sendable {
    var name: String { get }
    /// How far from the job the policy looks once its nearest candidate is known: the search
    /// takes in every candidate this close, even past the radius it is on.
    func reach(from nearest: Candidate) -> Double
    func rank(_ candidates: [Candidate]) -> MatchDecision
}

/// Pure distance; the score is the distance in metres.
public struct NearestPolicy: DispatchPolicy {
    public let name = "nearest"
    public init() {}

    public func reach(from nearest: Candidate) -> Double { nearest.metres }

    public func rank(_ candidates: [Candidate]) -> MatchDecision {
        MatchDecision(ranked: candidates, scores: candidates.map(\.metres), reason: "nearest")
    }
}

/// DESIGN.md §3: among candidates within `max(1.25 × nearest, nearest + 500 m)` (the factor and
/// the margin are `dispatch.fair_band_ratio` and `fair_band_m`), the one with
/// the fewest jobs completed today, then the nearest, then the one idle longest; the rest
/// after them, nearest first. The score is the rank.
public struct NearestFairPolicy: DispatchPolicy {
    public let name = "nearest-fair"
    /// The band: `max(bandRatio × nearest, nearest + bandMetres)` (DESIGN.md §3: 1.25 and 500 m).
    public let bandRatio: Double
    public let bandMetres: Double

    public init(bandRatio: Double = 1.25, bandMetres: Double = 500) {
        self.bandRatio = bandRatio
        self.bandMetres = bandMetres
    }

    public func reach(from nearest: Candidate) -> Double { band(nearest.metres) }

    private func band(_ nearest: Double) -> Double { max(bandRatio * nearest, nearest + bandMetres) }

    public func rank(_ candidates: [Candidate]) -> MatchDecision {
        guard let nearest = candidates.map(\.metres).min() else {
            return MatchDecision(ranked: [], scores: [], reason: "no candidate")
        }
        let band = band(nearest)
        let inBand = candidates.filter { $0.metres <= band }.sorted { a, b in
            if a.jobsToday != b.jobsToday { return a.jobsToday < b.jobsToday }
            if a.metres != b.metres { return a.metres < b.metres }
            if a.idleSince != b.idleSince { return a.idleSince < b.idleSince }
            return a.worker < b.worker
        }
        let outside = candidates.filter { $0.metres > band }
        let first = inBand[0]
        let reason: String
        if inBand.count == 1 {
            reason = "nearest; no other candidate within \(Int(band.rounded())) m"
        } else if first.metres == nearest && inBand.dropFirst().allSatisfy({ $0.jobsToday == first.jobsToday }) {
            reason = "nearest of \(inBand.count) within \(Int(band.rounded())) m with equal jobs today (\(first.jobsToday))"
        } else {
            reason = "fewest jobs today (\(first.jobsToday)) of \(inBand.count) within \(Int(band.rounded())) m of the job"
        }
        let ranked = inBand + outside
        return MatchDecision(ranked: ranked, scores: ranked.indices.map { Double($0 + 1) }, reason: reason)
    }
}
