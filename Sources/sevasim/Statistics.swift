/// Command latencies by kind of request, as measured from the simulator's side, and the
/// ERR replies (counted by their first words: `ERR CONFLICT job 12 …` → `ERR CONFLICT`).
final class LatencyBook {
    private(set) var samples = [[Double]](repeating: [], count: RequestKind.allCases.count)
    private(set) var errors: [String: Int] = [:]
    /// The first full reply of each kind of error, for the report.
    private(set) var errorExamples: [String: String] = [:]

    func record(_ kind: RequestKind, seconds: Double) { samples[kind.rawValue].append(seconds) }

    func recordError(_ kind: RequestKind, reply: String) {
        let key = "\(kind.label): " + reply.split(separator: " ").prefix(2).joined(separator: " ")
        errors[key, default: 0] += 1
        if errorExamples[key] == nil { errorExamples[key] = reply }
    }

    var all: [Double] { samples.flatMap { $0 } }

    func count(_ kind: RequestKind) -> Int { samples[kind.rawValue].count }

    func reset() {
        samples = [[Double]](repeating: [], count: RequestKind.allCases.count)
        errors = [:]
        errorExamples = [:]
    }
}

/// The summary figures the reports use.
enum Summary {
    /// The `fraction` quantile (nearest rank) of `values`, or nil when there are none.
    static func quantile(_ values: [Double], _ fraction: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(sorted.count - 1, max(0, rank))]
    }

    static func mean(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
    }
}
