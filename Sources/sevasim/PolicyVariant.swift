import ArgumentParser

/// One column of a run or a comparison: a dispatch policy, optionally with fair-share's weight
/// (`fair-share@1500` is fair-share with `dispatch.fair_share_m_per_job = 1500`), so that
/// `--compare nearest,fair-share@500,fair-share@1000` draws the trade-off curve the weight gives.
struct PolicyVariant: Equatable {
    static let policies = ["fair-share", "nearest-fair", "nearest"]

    /// As the user wrote it; the column's name and the run's folder.
    let name: String
    let policy: String
    /// Configuration keys the variant sets, as `key=value`.
    let settings: [String]

    init(parsing text: String) throws {
        let parts = text.split(separator: "@", maxSplits: 1).map(String.init)
        guard let policy = parts.first, Self.policies.contains(policy) else {
            throw ValidationError("unknown policy '\(text)': \(Self.policies.joined(separator: ", ")) (fair-share@<metres per job> for a weight)")
        }
        name = text
        self.policy = policy
        guard parts.count == 2 else {
            settings = []
            return
        }
        guard policy == "fair-share", let metres = Double(parts[1]), metres >= 0 else {
            throw ValidationError("'\(text)': only fair-share takes a weight, as fair-share@<metres per job ≥ 0>")
        }
        settings = ["dispatch.fair_share_m_per_job=\(parts[1])"]
    }
}
