import ArgumentParser
import Foundation
import SevaCore
import SevaWire

/// `sevasim bench`: pure load over the protocol — pipelined connections sending a mix of
/// LOC, NEAR and STATS for a fixed time — with throughput and latency by kind.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load sevad with pipelined LOC/NEAR/STATS and report throughput and latency.")

    @Option(help: "Workers registered (and pinged) before the clock starts.")
    var workers = 10_000
    @Option(help: "Client connections.")
    var connections = 4
    @Option(help: "Requests each connection keeps in flight.")
    var pipeline = 64
    @Option(help: "Request mix as kind=weight: loc, near, stats.")
    var mix = "loc=90,near=9,stats=1"
    @Option(help: "Real seconds measured (after a one-second warm-up).")
    var duration = 10.0
    @Option(name: [.customLong("district"), .customLong("city")], help: "The district of India the workers are spread over.")
    var district = "Lucknow"
    @Option(help: "Seed for positions and the request mix.")
    var seed: UInt64 = 1
    @OptionGroup var target: DaemonOptions
    @Flag(help: "Print the figures as JSON instead of a table.")
    var json = false
    @Option(help: "Also write the figures as JSON to this file (the table still goes to stdout).")
    var jsonFile: String?

    private static let kinds = ["loc", "near", "stats"]

    func validate() throws {
        if case .failure(let problem) = District.named(district) { throw ValidationError("--district: \(problem)") }
        guard connections >= 1, pipeline >= 1, workers >= 1, duration > 0 else {
            throw ValidationError("--connections, --pipeline, --workers and --duration must be positive")
        }
        _ = try weights()
    }

    private func weights() throws -> [Double] {
        var weights = [Double](repeating: 0, count: Self.kinds.count)
        for part in mix.split(separator: ",") {
            let pair = part.split(separator: "=")
            guard pair.count == 2, let index = Self.kinds.firstIndex(of: String(pair[0])), let weight = Double(pair[1]), weight >= 0 else {
                throw ValidationError("--mix takes kind=weight pairs of loc, near, stats: '\(part)' is not one")
            }
            weights[index] = weight
        }
        guard weights.reduce(0, +) > 0 else { throw ValidationError("--mix needs a positive weight") }
        return weights
    }

    func run() throws {
        let district = try District.named(self.district).get()
        var scenario = Scenario(district: district)
        scenario.timeScale = 1
        let daemon = try target.start(in: target.stateBase + "/bench", policy: "nearest-fair", scenario: scenario)
        defer { daemon?.stop() }
        let endpoint = try target.endpoint(of: daemon)
        let reactor = Reactor()
        let latencies = LatencyBook()
        var random = SeededGenerator(seed: seed)
        let positions = (0..<workers).map { _ in district.place(using: &random) }
        let admin = try endpoint.link(latencies: latencies)
        reactor.add(admin)
        var answered = 0
        var requests = 0
        for (index, point) in positions.enumerated() {
            for line in ["WORKER ADD bench\(index) skills=plumber,cook verified=yes", "AVAIL bench\(index) on",
                         "LOC bench\(index) \(JSONWriter.decimal(point.latitude)) \(JSONWriter.decimal(point.longitude))"] {
                admin.send(line, kind: .other, now: reactor.now) { _ in answered += 1 }
                requests += 1
            }
        }
        try reactor.run(until: reactor.now + 120) { answered == requests }
        // Registration is done: a connection left idle would be closed by sevad after
        // server.idle_timeout_s, ending a long run.
        reactor.remove(admin)

        // Each connection cycles through requests made before the clock starts.
        let weights = try weights()
        let kindOf: [RequestKind] = [.loc, .other, .booking]
        var counts = [Int](repeating: 0, count: Self.kinds.count)
        var errors = 0
        var measuring = false
        for connection in 0..<connections {
            let link = try endpoint.link(latencies: latencies)
            reactor.add(link)
            var ring: [(Int, String)] = []
            for _ in 0..<4_096 {
                let kind = random.pick(weights: weights)
                let worker = Int(random.next() % UInt64(workers))
                let near = district.place(using: &random)
                let lat = JSONWriter.decimal(near.latitude), lon = JSONWriter.decimal(near.longitude)
                let line = switch kind {
                case 0: "LOC bench\(worker) \(lat) \(lon)"
                case 1: "NEAR \(lat) \(lon) skill=plumber radius_km=5 limit=10"
                default: "STATS"
                }
                ring.append((kind, line))
            }
            var next = connection * 97
            func sendNext() {
                let (kind, line) = ring[next % ring.count]
                next += 1
                link.send(line, kind: kindOf[kind], now: reactor.now) { reply in
                    if measuring {
                        counts[kind] += 1
                        if !reply.hasPrefix("OK") { errors += 1 }
                    }
                    sendNext()
                }
            }
            for _ in 0..<pipeline { sendNext() }
        }
        try reactor.run(until: reactor.now + 1)
        latencies.reset()
        measuring = true
        let start = reactor.now
        try reactor.run(until: start + duration)
        let elapsed = reactor.now - start
        measuring = false
        let figures = { (asJSON: Bool) in
            output(counts: counts, errors: errors, elapsed: elapsed, latencies: latencies, kindOf: kindOf, asJSON: asJSON)
        }
        print(figures(json), terminator: json ? "\n" : "")
        if let jsonFile {
            try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: jsonFile).deletingLastPathComponent().path,
                                                    withIntermediateDirectories: true)
            try (figures(true) + "\n").write(toFile: jsonFile, atomically: true, encoding: .utf8)
        }
    }

    private func output(counts: [Int], errors: Int, elapsed: Double, latencies: LatencyBook, kindOf: [RequestKind],
                        asJSON: Bool) -> String {
        let rows: [(String, Int, [Double])] = Self.kinds.indices.compactMap { index in
            counts[index] == 0 ? nil : (Self.kinds[index].uppercased(), counts[index], latencies.samples[kindOf[index].rawValue])
        } + [("all", counts.reduce(0, +), latencies.all)]
        func ms(_ values: [Double], _ q: Double) -> String { Summary.quantile(values, q).map { JSONWriter.decimal($0 * 1_000, places: 3) } ?? "–" }
        if asJSON {
            var json = JSONWriter()
            json.beginObject()
            json.key("workers"); json.integer(workers)
            json.key("connections"); json.integer(connections)
            json.key("pipeline"); json.integer(pipeline)
            json.key("mix"); json.string(mix)
            json.key("seconds"); json.number(elapsed, decimals: 2)
            json.key("errors"); json.integer(errors)
            for (name, count, values) in rows {
                json.key(name.lowercased()); json.beginObject()
                json.key("requests"); json.integer(count)
                json.key("per_s"); json.number(Double(count) / elapsed, decimals: 0)
                json.key("p50_ms"); json.rawValue(ms(values, 0.5))
                json.key("p99_ms"); json.rawValue(ms(values, 0.99))
                json.key("p999_ms"); json.rawValue(ms(values, 0.999))
                json.endObject()
            }
            json.endObject()
            return json.text
        }
        var text = "sevasim bench: \(workers) workers, \(connections) connections × \(pipeline) in flight, mix \(mix), \(JSONWriter.decimal(elapsed, places: 1)) s, \(errors) errors\n"
        text += "kind        requests        per s     p50 ms     p99 ms    p999 ms\n"
        for (name, count, values) in rows {
            text += name.padding(to: 8) + [String(count), JSONWriter.decimal(Double(count) / elapsed, places: 0), ms(values, 0.5), ms(values, 0.99), ms(values, 0.999)]
                .enumerated().map { String(repeating: " ", count: max(0, [12, 13, 11, 11, 11][$0.offset] - $0.element.count)) + $0.element }.joined() + "\n"
        }
        return text
    }
}
