import SevaWire

/// One figure of the daemon's state: where STATS shows it and the Prometheus sample that
/// carries it. STATS, `/metrics` and the systemd STATUS line all read one list of these
/// (`Engine.statistics()`), so a figure cannot be in one and missing from the other.
struct Statistic: Sendable, Equatable {
    /// Its place in STATS, e.g. `["offers", "sent"]`.
    let path: [String]
    /// What STATS shows.
    let value: Value
    /// Its Prometheus sample; nil only for what has no number (the skill names, an unknown
    /// quantile).
    let metric: MetricSample?

    /// A STATS value.
    enum Value: Sendable, Equatable {
        case integer(Int)
        case number(Double, decimals: Int)
        case flag(Bool)
        case text(String)
        case names([String])
        case null
        /// A STATS object that has no entries yet (`"unfilled_by_skill":{}`).
        case emptyObject
    }
}

/// One sample of `/metrics`: its family (which HELP and TYPE name), the sample's own name
/// (`family` plus a suffix such as `_bucket`), its labels and its value.
struct MetricSample: Sendable, Equatable {
    enum Kind: String, Sendable { case counter, gauge, summary, histogram }

    let family: String
    let kind: Kind
    let help: String
    var suffix = ""
    var labels = ""
    let value: Double

    /// The sample line's name and labels, e.g. `sevad_offers_total{outcome="sent"}`.
    var series: String { "sevad_\(family)\(suffix)" + (labels.isEmpty ? "" : "{\(labels)}") }
}

/// The renderings of the one list.
enum StatisticsText {
    /// STATS: one JSON object, nested by path, in the list's order.
    static func json(_ statistics: [Statistic]) -> JSONWriter {
        var json = JSONWriter()
        json.beginObject()
        var open: [String] = []
        for statistic in statistics {
            let parents = Array(statistic.path.dropLast())
            var common = 0
            while common < open.count, common < parents.count, open[common] == parents[common] { common += 1 }
            while open.count > common {
                json.endObject()
                open.removeLast()
            }
            for name in parents[common...] {
                json.key(name)
                json.beginObject()
                open.append(name)
            }
            json.key(statistic.path.last ?? "")
            switch statistic.value {
            case .integer(let value): json.integer(value)
            case .number(let value, let decimals): json.number(value, decimals: decimals)
            case .flag(let value): json.bool(value)
            case .text(let value): json.string(value)
            case .names(let names):
                json.beginArray()
                for name in names { json.string(name) }
                json.endArray()
            case .null: json.null()
            case .emptyObject:
                json.beginObject()
                json.endObject()
            }
        }
        for _ in open { json.endObject() }
        json.endObject()
        return json
    }

    /// `/metrics`: the text exposition format, each family's samples together under one HELP
    /// and TYPE, families in the order they first appear.
    static func prometheus(_ statistics: [Statistic]) -> String {
        var order: [String] = []
        var samples: [String: [MetricSample]] = [:]
        for sample in statistics.compactMap(\.metric) {
            if samples[sample.family] == nil { order.append(sample.family) }
            samples[sample.family, default: []].append(sample)
        }
        var text = ""
        for family in order {
            guard let group = samples[family], let first = group.first else { continue }
            text += "# HELP sevad_\(family) \(first.help)\n# TYPE sevad_\(family) \(first.kind.rawValue)\n"
            for sample in group { text += "\(sample.series) \(number(sample.value))\n" }
        }
        return text
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
