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
}
