import Foundation
import SevaClient
import Testing

/// sevasim, the real binary, starting real daemons: a seeded run makes the same workforce and
/// the same bookings every time (and another seed does not), and what it reports agrees with
/// what the daemon itself recorded — its FEED, its JOB LIST and its STATS.
@Suite(.serialized) struct SevaSimTests {
    static var binary: String {
        URL(fileURLWithPath: DaemonProcess.binary).deletingLastPathComponent().appendingPathComponent("sevasim").path
    }

    /// One run's report (the first run of `--json`).
    func simulate(_ arguments: [String]) throws -> [String: Any] {
        let run = runProcess(Self.binary, ["--json", "--quiet", "--sevad", DaemonProcess.binary] + arguments)
        try #require(run.status == 0, "sevasim failed:\n\(run.output)")
        let line = run.output.split(separator: "\n").last.map(String.init) ?? ""
        let document = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let runs = try #require(document["runs"] as? [[String: Any]])
        return try #require(runs.first)
    }

    /// What the daemon of a finished run recorded, read by starting sevad again on its store.
    struct Recorded {
        var bookings: [String] = []
        var workers: [String] = []
        var feed: [[String: Any]] = []
    }

    func recorded(_ directory: String) throws -> Recorded {
        let daemon = try DaemonProcess(directory: directory)
        defer { daemon.stop() }
        let client = try LineConnection(unixPath: daemon.socketPath)
        var result = Recorded()
        let jobs = try rows(client.ask("JOB LIST limit=10000"))
        result.bookings = jobs.map { "\($0["ref"] ?? "") \($0["skill"] ?? "") \($0["lat"] ?? "-") \($0["lon"] ?? "-") \($0["district"] ?? "")" }
        let workers = try rows(client.ask("WORKER LIST limit=10000"))
        result.workers = workers.map { "\($0["id"] ?? "") \($0["skills"] ?? "") \($0["verified"] ?? "")" }
        var since = 0
        while true {
            let page = try rows(client.ask("FEED since=\(since) limit=1000"))
            guard let last = page.last?["seq"] as? Int else { break }
            result.feed += page
            since = last
        }
        return result
    }

    func rows(_ reply: String) throws -> [[String: Any]] {
        try #require(reply.hasPrefix("OK "), "\(reply)")
        return try #require(try JSONSerialization.jsonObject(with: Data(reply.dropFirst(3).utf8)) as? [[String: Any]])
    }

    func number(_ object: [String: Any], _ path: String...) -> Int? {
        var current: Any? = object
        for key in path { current = (current as? [String: Any])?[key] }
        return current as? Int
    }

    @Test func aSeededRunIsRepeatableAndAgreesWithTheDaemon() throws {
        let base = NSTemporaryDirectory() + "sevasim-test-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: base) }
        // 200 workers (all phones): on Hathras's real ground fewer are too thin to book much.
        let small = ["--workers", "200", "--duration", "8", "--utilisation", "0.9", "--time-scale", "120", "--offer-timeout", "4", "--drain", "30"]
        let first = try simulate(small + ["--seed", "7", "--state-dir", base + "/a"])
        let again = try simulate(small + ["--seed", "7", "--state-dir", base + "/b"])
        let other = try simulate(small + ["--seed", "8", "--phones", "0", "--gateways", "2", "--state-dir", base + "/c"])

        // The same seed: the same plan; another seed: another.
        let digest = (first["plan"] as? [String: Any])?["digest"] as? String
        #expect(digest != nil)
        #expect(digest == (again["plan"] as? [String: Any])?["digest"] as? String)
        #expect(digest != (other["plan"] as? [String: Any])?["digest"] as? String)

        // ... and the daemons recorded the same workers and the same bookings, position for position.
        let a = try recorded(base + "/a/fair-share")
        let b = try recorded(base + "/b/fair-share")
        let c = try recorded(base + "/c/fair-share")
        #expect(a.bookings.count > 5)
        #expect(a.bookings == b.bookings)
        #expect(a.workers.count == 200 && a.workers == b.workers)
        #expect(a.bookings != c.bookings)
        #expect(a.workers != c.workers)

        // The report agrees with the daemon's own record, in phone mode (a) and gateway mode (c).
        for (report, record) in [(first, a), (other, c)] {
            let lastSeq = try #require(report["last_seq"] as? Int)
            let feed = record.feed.filter { ($0["seq"] as? Int ?? .max) <= lastSeq }
            func jobs(reaching state: String) -> Int { Set(feed.filter { $0["state"] as? String == state }.compactMap { $0["job"] as? Int }).count }
            #expect(number(report, "jobs", "booked") == record.bookings.count)
            #expect(number(report, "jobs", "assigned") == jobs(reaching: "assigned"))
            #expect(number(report, "jobs", "completed") == jobs(reaching: "completed"))
            #expect(number(report, "jobs", "unfilled") == jobs(reaching: "unfilled"))
            #expect(number(report, "jobs", "cancelled") == jobs(reaching: "cancelled"))
            #expect(number(report, "offers") == feed.filter { $0["state"] as? String == "offered" }.count)
            #expect(number(report, "offers") == number(report, "daemon_stats", "offers", "sent"))
            #expect(number(report, "jobs", "assigned") ?? 0 > 0)
            #expect(number(report, "pings") ?? 0 > 60)
            #expect((report["errors"] as? [String: Any])?.keys.filter { !$0.hasPrefix("ARRIVED") }.isEmpty == true,
                    "unexpected ERR replies: \(report["errors"] ?? "")")
        }

        // The pictures: a map with a circle per worker, a chart with a dot per assigned job.
        let map = try String(contentsOfFile: base + "/a/fair-share/map.svg", encoding: .utf8)
        #expect(map.hasPrefix("<svg") && map.hasSuffix("</svg>\n"))
        #expect(map.components(separatedBy: "r=\"2.4\"").count - 1 == 200)
        let optima = try #require(first["optimum"] as? [[String: Any]])
        #expect(optima.map { $0["window_s"] as? Int } == [2, 10])
        for optimum in optima {
            let jobs = try #require(optimum["jobs"] as? Int)
            #expect(jobs > 0 && jobs <= number(first, "jobs", "assigned") ?? 0)
            #expect((optimum["optimal_pickup_mean_m"] as? Double ?? 0) > 0)
        }
        let chart = try String(contentsOfFile: base + "/a/fair-share/time-to-assign.svg", encoding: .utf8)
        #expect(chart.components(separatedBy: "r=\"1.8\"").count - 1 == number(first, "jobs", "assigned"))
    }

    /// Each district's workers live on its own ground: every position sevad holds at the end
    /// lies inside the bounding box of that district's post offices (India Post's non-suspect
    /// offices, read from the source), give or take a few kilometres of spread and wandering;
    /// the map names its towns.
    @Test(arguments: [
        ("Hathras", "Hathras", (27.2619, 28.4408, 77.6900, 78.6526), "Sahpau"),
        ("lucknow", "Lucknow", (26.4746, 27.1460, 80.5855, 81.1403), "Mohanlalganj"),
    ])
    func aRunLiesOnTheGroundOfItsDistrict(_ district: (String, String, (Double, Double, Double, Double), String)) throws {
        let base = NSTemporaryDirectory() + "sevasim-ground-\(getpid())-\(district.1)"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let report = try simulate(["--district", district.0, "--workers", "60", "--duration", "2", "--time-scale", "120",
                                   "--offer-timeout", "3", "--drain", "2", "--state-dir", base])
        #expect(report["district"] as? String == district.1 && report["state"] as? String == "Uttar Pradesh")
        let daemon = try DaemonProcess(directory: base + "/fair-share")
        defer { daemon.stop() }
        let workers = try rows(try LineConnection(unixPath: daemon.socketPath).ask("WORKER LIST limit=1000"))
        #expect(workers.count == 60)
        let margin = 0.05
        let (south, north, west, east) = district.2
        var placed = 0
        for worker in workers {
            guard let lat = worker["lat"] as? Double, let lon = worker["lon"] as? Double else { continue }
            placed += 1
            #expect((south - margin...north + margin).contains(lat) && (west - margin...east + margin).contains(lon),
                    "\(worker["id"] ?? "") at \(lat), \(lon) is outside \(district.1)")
            #expect(worker["district"] as? String == district.1)
        }
        #expect(placed >= 55, "workers with a position: \(placed)")
        let map = try String(contentsOfFile: base + "/fair-share/map.svg", encoding: .utf8)
        #expect(map.contains(">\(district.3)</text>"), "the map names \(district.3)")
    }

    @Test func comparingPoliciesRestartsTheDaemonForEach() throws {
        let base = NSTemporaryDirectory() + "sevasim-compare-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: base) }
        let run = runProcess(Self.binary, ["--sevad", DaemonProcess.binary, "--quiet", "--compare", "nearest,fair-share,fair-share@3000",
                                           "--workers", "40", "--duration", "3", "--time-scale", "120", "--offer-timeout", "3",
                                           "--drain", "5", "--state-dir", base])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("fair-share@3000"))
        #expect(run.output.contains("fill rate") && run.output.contains("Gini of jobs per worker"))
        #expect(run.output.contains("Gini of jobs per worker / nearest") && run.output.contains("pickup distance mean / nearest"),
                "a curve of more than two runs shows each against the first")
        #expect(run.output.contains("pickup mean, optimal matching over 2 s") && run.output.contains("pickup mean, optimal matching over 10 s"))
        for (folder, policy) in [("nearest", "nearest"), ("fair-share", "fair-share"), ("fair-share@3000", "fair-share")] {
            let config = try String(contentsOfFile: "\(base)/\(folder)/sevad.toml", encoding: .utf8)
            #expect(config.contains("policy = \"\(policy)\""))
            let log = try String(contentsOfFile: "\(base)/\(folder)/sevad.log", encoding: .utf8)
            #expect(log.contains("stopped") || log.contains("stopping"), "\(log.suffix(400))")
        }
    }

    @Test func usageErrorsExitTwoAndSayWhatIsWrong() {
        let place = runProcess(Self.binary, ["--district", "atlantis"])
        #expect(place.status == 2 && place.output.contains("--district: no district 'atlantis' in India Post's directory"))
        let twin = runProcess(Self.binary, ["--district", "Hamirpur", "--state", "Bihar"])
        #expect(twin.status == 2 && twin.output.contains("no district 'Hamirpur' in Bihar"))
        let compare = runProcess(Self.binary, ["--compare", "nearest,cheapest"])
        #expect(compare.status == 2 && compare.output.contains("unknown policy 'cheapest'"))
        let weight = runProcess(Self.binary, ["--compare", "nearest@500"])
        #expect(weight.status == 2 && weight.output.contains("only fair-share takes a weight"))
        let windows = runProcess(Self.binary, ["--optimum-windows", "2,-1"])
        #expect(windows.status == 2 && windows.output.contains("--optimum-windows takes positive seconds"))
        let attach = runProcess(Self.binary, ["--compare", "nearest,nearest-fair", "--socket", "/tmp/x.sock"])
        #expect(attach.status == 2)
        let help = runProcess(Self.binary, ["--help"])
        #expect(help.status == 0 && help.output.contains("--compare") && help.output.contains("bench"))
        let missing = runProcess(Self.binary, ["--sevad", "/nonexistent/sevad", "--quiet"])
        #expect(missing.status == 1 && missing.output.contains("no sevad at /nonexistent/sevad"))
    }
}
