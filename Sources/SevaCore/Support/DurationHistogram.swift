/// How long something took, over many times: the count, the sum, the longest, and counts in
/// fixed millisecond buckets — the shape STATS shows as `*_by_ms` and `/metrics` as a
/// Prometheus histogram. One shape for the engine loop's holds and the store's commits.
public struct DurationHistogram: Sendable, Equatable {
    /// Upper bounds of the buckets, in milliseconds (the last bucket, past them all, is +Inf).
    public static let bucketsMs: [Double] = [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1_000]

    public private(set) var count = 0
    public private(set) var totalMs = 0.0
    public private(set) var maxMs = 0.0
    /// Times at or under each bound, not cumulative; the last slot is above them all.
    public private(set) var counts = [Int](repeating: 0, count: DurationHistogram.bucketsMs.count + 1)

    public init() {}

    public mutating func record(ms: Double) {
        count += 1
        totalMs += ms
        maxMs = max(maxMs, ms)
        counts[Self.bucketsMs.firstIndex { ms <= $0 } ?? Self.bucketsMs.count] += 1
    }
}
