import SevaCore

/// Builds the list of statistics in STATS order, each figure written once with its metric.
struct StatisticsList {
    private(set) var items: [Statistic] = []

    /// A count that only grows.
    mutating func counter(_ path: [String], _ value: Int, _ family: String, _ help: String, labels: String = "") {
        items.append(Statistic(path: path, value: .integer(value),
                               metric: MetricSample(family: family, kind: .counter, help: help, labels: labels, value: Double(value))))
    }

    /// A count that goes up and down.
    mutating func gauge(_ path: [String], _ value: Int, _ family: String, _ help: String, labels: String = "") {
        items.append(Statistic(path: path, value: .integer(value),
                               metric: MetricSample(family: family, kind: .gauge, help: help, labels: labels, value: Double(value))))
    }

    /// Milliseconds in STATS, seconds in the metric (Prometheus's base unit).
    mutating func milliseconds(_ path: [String], _ ms: Double, _ family: String, _ help: String) {
        items.append(Statistic(path: path, value: .number(ms, decimals: 3),
                               metric: MetricSample(family: family, kind: .gauge, help: help, value: ms / 1000)))
    }

    /// Any other pairing of a STATS value and its sample.
    mutating func add(_ path: [String], _ value: Statistic.Value, _ metric: MetricSample?) {
        items.append(Statistic(path: path, value: value, metric: metric))
    }

    /// A STATS object keyed by name (skills, districts), shown as `{}` when it has no entry.
    mutating func counters(_ path: [String], _ entries: [String: Int], _ family: String, _ help: String, label: String) {
        guard !entries.isEmpty else { return add(path, .emptyObject, nil) }
        for (name, count) in entries.sorted(by: { $0.key < $1.key }) {
            counter(path + [name], count, family, help, labels: "\(label)=\"\(name)\"")
        }
    }

    /// A histogram of durations: in STATS `<count>`, `<sum>` (ms) and `<buckets>` (each bucket's
    /// own count) under `path`; in the metrics one Prometheus histogram in seconds.
    mutating func durations(_ path: [String], _ histogram: DurationHistogram, count: String, sum: String, buckets: String,
                            _ family: String, _ help: String) {
        add(path + [count], .integer(histogram.count),
            MetricSample(family: family, kind: .histogram, help: help, suffix: "_count", value: Double(histogram.count)))
        add(path + [sum], .number(histogram.totalMs, decimals: 3),
            MetricSample(family: family, kind: .histogram, help: help, suffix: "_sum", value: histogram.totalMs / 1000))
        var cumulative = 0
        for (index, inBucket) in histogram.counts.enumerated() {
            cumulative += inBucket
            let bound = index < DurationHistogram.bucketsMs.count ? DurationHistogram.bucketsMs[index] : nil
            add(path + [buckets, bound.map { "le_\($0)" } ?? "more"], .integer(inBucket),
                MetricSample(family: family, kind: .histogram, help: help, suffix: "_bucket",
                             labels: "le=\"\(bound.map { StatisticsText.number($0 / 1000) } ?? "+Inf")\"", value: Double(cumulative)))
        }
    }
}
