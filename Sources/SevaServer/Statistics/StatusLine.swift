/// systemd's STATUS= line, read from the same statistics as STATS:
/// `312 workers online, 17 jobs open, 2.1k pings/s`, and the store's state when it is not healthy.
enum StatusLine {
    static func render(_ statistics: [Statistic], pingsPerSecond: Double? = nil) -> String {
        let online = sum(statistics, under: "workers", except: "offline")
        let open = sum(statistics, under: "jobs")
        var line = "\(online) workers online, \(open) jobs open"
        if let rate = pingsPerSecond {
            line += rate >= 1_000 ? ", \((rate / 100).rounded() / 10)k pings/s" : ", \(Int(rate.rounded())) pings/s"
        }
        if let health = statistics.first(where: { $0.path == ["store", "health"] }), case .text(let state) = health.value, state != "healthy" {
            line += "; store \(state)"
        }
        return line
    }

    /// The accepted fixes so far, for the ping rate between two lines.
    static func acceptedFixes(_ statistics: [Statistic]) -> Int {
        integer(statistics, ["fixes", "accepted"])
    }

    private static func integer(_ statistics: [Statistic], _ path: [String]) -> Int {
        guard let found = statistics.first(where: { $0.path == path }), case .integer(let value) = found.value else { return 0 }
        return value
    }

    private static func sum(_ statistics: [Statistic], under group: String, except: String? = nil) -> Int {
        statistics.reduce(0) { total, statistic in
            guard statistic.path.count == 2, statistic.path[0] == group, statistic.path[1] != except,
                  case .integer(let value) = statistic.value else { return total }
            return total + value
        }
    }
}
