/// Distance weighed against work already given: each candidate scores its distance plus
/// `metresPerJob` for every job of its `work` (today's jobs, and earlier days' fading by
/// half every `dispatch.fair_share_half_life_days`), and the lowest score wins — then the
/// nearest, then the one idle longest. A worker with no work slightly farther beats a busy
/// one next door; one much farther does not. `metresPerJob` is `dispatch.fair_share_m_per_job`:
/// 0 is pure nearest, and the larger it is the more evenly work spreads and the farther
/// workers travel (sevasim's `--curve` measures the trade-off).
public struct FairSharePolicy: DispatchPolicy {
    public let name = "fair-share"
    public let metresPerJob: Double

    public init(metresPerJob: Double = 3_000) {
        self.metresPerJob = metresPerJob
    }

    public func score(_ candidate: Candidate) -> Double { candidate.metres + metresPerJob * candidate.work }

    /// No candidate past the nearest's score can beat it (scores are never below distance).
    public func reach(from nearest: Candidate) -> Double { score(nearest) }

    public func rank(_ candidates: [Candidate]) -> MatchDecision {
        let ranked = candidates.sorted { a, b in
            let scoreA = score(a), scoreB = score(b)
            if scoreA != scoreB { return scoreA < scoreB }
            if a.metres != b.metres { return a.metres < b.metres }
            if a.idleSince != b.idleSince { return a.idleSince < b.idleSince }
            return a.worker < b.worker
        }
        guard let first = ranked.first else { return MatchDecision(ranked: [], scores: [], reason: "no candidate") }
        let nearest = candidates.min { $0.metres < $1.metres }!
        let reason: String
        let rule = "score = m + \(Self.shown(metresPerJob)) m × work"
        if first.worker == nearest.worker {
            reason = ranked.count == 1 ? "nearest; the only candidate" : "nearest and lowest score of \(ranked.count) (\(rule))"
        } else {
            reason = "lowest score of \(ranked.count) (\(rule)): \(Self.describe(first, score(first))) over the nearest, "
                + Self.describe(nearest, score(nearest))
        }
        return MatchDecision(ranked: ranked, scores: ranked.map(score), reason: reason)
    }

    private static func describe(_ candidate: Candidate, _ score: Double) -> String {
        "\(candidate.worker) \(shown(score)) (\(shown(candidate.metres)) m, work \(shown(candidate.work, decimals: 1)))"
    }

    /// Whole metres, or a figure with `decimals` places, without a trailing ".0".
    static func shown(_ value: Double, decimals: Int = 0) -> String {
        let scale = decimals == 0 ? 1.0 : 10.0
        let rounded = (value * scale).rounded() / scale
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
