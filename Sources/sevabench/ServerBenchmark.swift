import Foundation
import Logging
import SevaClient
import SevaCore
import SevaServer
import SevaWire

/// End to end over loopback: a daemon in this process, clients on real TCP sockets that
/// pipeline, measuring LOC/s (gateway form) and NEAR/s.
struct ServerBenchmark {
    /// The load's options, and the workers of the registry memory figure (`--registry-workers`).
    static func options(_ arguments: ArraySlice<String>) -> (load: LoadOptions, registryWorkers: Int) {
        var registryWorkers = 1_000_000
        let load = LoadOptions.parse(arguments, workers: 100_000, seconds: 3) { flag, value in
            guard flag == "--registry-workers" else { return false }
            registryWorkers = positive(flag, value)
            return true
        }
        return (load, registryWorkers)
    }

    struct Result {
        let workers: Int
        let locPerSecond: Double
        let nearPerSecond: Double
        let setupSeconds: Double
        /// NEAR latency at half the NEAR rate measured, open loop, nanoseconds.
        let nearAtHalfRate: Timings
        let halfRate: Double
        /// STATS answered every 20 ms on its own connection while LOC runs flat out, nanoseconds.
        let statsUnderLoad: Timings
        /// NEAR at the same half rate while another client pages JOB LIST and FEED from the
        /// store, nanoseconds; the store reads it made, and the engine loop's longest batch then.
        let nearWhilePaging: Timings
        let pagesRead: Int
        let longestBatchMs: Double
    }

    let options: LoadOptions

    func run(progress: (String) -> Void) throws -> Result {
        progress("  registering \(options.workers) workers over the Unix socket")
        let started = Clock.now()
        let bench = try BenchDaemon(name: "server", workers: options.workers) { configuration in
            configuration.store.synchronous = .normal
        }
        defer { bench.remove() }
        let port = bench.port
        let directory = bench.directory
        let gateway = try bench.token("gateway")
        let viewer = try bench.token("viewer")
        let setupSeconds = Double(Clock.now() - started) / 1e9
        let places = bench.positions

        progress("  LOC, \(options.connections) connections × \(options.inFlight) in flight, \(options.seconds) s, "
                 + "STATS every 20 ms alongside")
        let running = Flag()
        let socketPath = directory + "/sevad.sock"
        let statsBox = TimingsBox()
        let statsDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            if let statsClient = try? LineConnection(unixPath: socketPath) {
                statsBox.add(LatencyProbe.sample(statsClient, request: "STATS", everyMilliseconds: 20) { running.isSet })
            }
            statsDone.signal()
        }
        let locCount = try drive(port: port, token: gateway) { index, random in
            let worker = Int(random.next() % UInt64(places.count))
            let point = places[worker]
            return "LOC b\(worker) \(Self.fixed(point.latitude + Double(index % 100) * 1e-6)) \(Self.fixed(point.longitude))\n"
        }
        running.clear()
        statsDone.wait()
        progress("  NEAR k=10 within 5 km, skill=plumber")
        let near: @Sendable (inout SeededGenerator) -> String = { random in
            let point = places[Int(random.next() % UInt64(places.count))]
            return "NEAR \(Self.fixed(point.latitude)) \(Self.fixed(point.longitude)) skill=plumber radius_km=5 limit=10\n"
        }
        let nearCount = try drive(port: port, token: viewer) { _, random in near(&random) }
        let nearPerSecond = Double(nearCount) / options.seconds
        let halfRate = (nearPerSecond / 2).rounded()
        // Two connections, not four: the load generator shares the daemon's two cores, and
        // four threads that are always runnable measure the scheduler more than the server.
        progress("  NEAR latency at half that rate (\(Int(halfRate))/s over 2 connections, open loop, after 0.5 s warm-up)")
        let latency = try LatencyProbe.openLoop(port: port, token: viewer, rate: halfRate, connections: 2,
                                                seconds: options.seconds, request: near)

        progress("  the same NEAR while another client pages JOB LIST and FEED over \(Self.pagedJobs) closed jobs")
        try Self.closeJobs(Self.pagedJobs, on: bench.admin)
        let paging = Flag()
        let pages = Counter()
        let pagingDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            defer { pagingDone.signal() }
            guard let reader = try? LineConnection(unixPath: socketPath) else { return }
            var round = 0
            while paging.isSet {
                let from = (round * 97) % Self.pagedJobs
                guard reader.ask("JOB LIST limit=100 after=\(from)").hasPrefix("OK"),
                      reader.ask("FEED since=\(from) limit=1000").hasPrefix("OK") else { return }
                pages.add(2)
                round += 1
            }
        }
        let before = Self.batchesByMs(bench.admin.ask("STATS"))
        let whilePaging = try LatencyProbe.openLoop(port: port, token: viewer, rate: halfRate, connections: 2,
                                                    seconds: options.seconds, request: near)
        paging.clear()
        pagingDone.wait()
        let after = Self.batchesByMs(bench.admin.ask("STATS"))
        // The longest batch of the phase, as the bound of the highest histogram bucket it grew.
        let grown = zip(after, before).filter { $0.0.count > $0.1.count }.map(\.0.bound)
        let longest = grown.last ?? .nan
        return Result(workers: options.workers, locPerSecond: Double(locCount) / options.seconds,
                      nearPerSecond: nearPerSecond, setupSeconds: setupSeconds,
                      nearAtHalfRate: latency, halfRate: halfRate, statsUnderLoad: statsBox.timings,
                      nearWhilePaging: whilePaging, pagesRead: pages.value, longestBatchMs: longest)
    }

    /// STATS' `engine.batches_by_ms`: each bucket's upper bound (infinity for the last) and count.
    static func batchesByMs(_ stats: String) -> [(bound: Double, count: Int)] {
        guard let start = stats.range(of: #""batches_by_ms":{"#)?.upperBound,
              let end = stats[start...].firstIndex(of: "}") else { return [] }
        return stats[start..<end].split(separator: ",").compactMap { pair in
            let parts = pair.split(separator: ":")
            guard parts.count == 2, let count = Int(parts[1]) else { return nil }
            let name = parts[0].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return (name.hasPrefix("le_") ? Double(name.dropFirst(3)) ?? .infinity : .infinity, count)
        }
    }

    /// Jobs in the store for the paging client: booked for tomorrow and cancelled, so each has
    /// two events and none is open.
    static let pagedJobs = 5_000

    static func closeJobs(_ count: Int, on admin: LineConnection) throws {
        let tomorrow = Int(Date().timeIntervalSince1970) + 86_400
        for chunk in stride(from: 0, to: count, by: 1_000) {
            let size = min(1_000, count - chunk)
            var lines = ""
            for _ in 0..<size { lines += "JOB NEW skill=cook lat=27.5960 lon=78.0500 at=\(tomorrow)\n" }
            guard admin.send(lines), admin.awaitOK(size) else { throw HarnessFailure("booking the paged jobs failed") }
        }
        let first = Int(JSONField.value(admin.ask("JOB LIST state=scheduled limit=1"), "id") ?? "") ?? 1
        for chunk in stride(from: 0, to: count, by: 1_000) {
            let size = min(1_000, count - chunk)
            let lines = (0..<size).map { "JOB CANCEL \(first + chunk + $0)\n" }.joined()
            guard admin.send(lines), admin.awaitOK(size) else { throw HarnessFailure("cancelling the paged jobs failed") }
        }
    }

    private func drive(port: Int, token: String, request: @escaping @Sendable (Int, inout SeededGenerator) -> String) throws -> Int {
        try ClosedLoop.run(port: port, token: token, connections: options.connections, inFlight: options.inFlight,
                           seconds: options.seconds, request: request)
    }

    static func fixed(_ value: Double) -> String { JSONWriter.decimal(value) }

    static func token(_ client: LineConnection, _ request: String) throws -> String {
        let reply = client.ask(request)
        guard let range = reply.range(of: #"sv1_[A-Za-z0-9_-]+"#, options: .regularExpression) else {
            throw HarnessFailure("no token in \(reply)")
        }
        return String(reply[range])
    }
}

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A thread-safe counter. `@unchecked Sendable`: `count` is guarded by `lock`.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ amount: Int) { lock.lock(); count += amount; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// A flag set by one thread and read by others. `@unchecked Sendable`: guarded by `lock`.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = true
    func clear() { lock.lock(); value = false; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}

/// The benchmark daemon's log: only its "listening on tcp" line is read (for the port).
struct PortLogHandler: LogHandler {
    let box: PortBox
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let text = "\(event.message)"
        if text.hasPrefix("listening on tcp") || text.hasPrefix("listening on tls") || text.hasPrefix("HTTP face on") { box.note(text) }
    }
}

/// Catches the daemon's "listening on tcp" (and "tls", and "HTTP face") log lines. `@unchecked Sendable`: guarded by `lock`.
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var found = 0
    private var foundTLS = 0
    private var foundHTTP = 0
    func note(_ line: String) {
        if let range = line.range(of: #"HTTP face on http://127\.0\.0\.1:\d+"#, options: .regularExpression),
           let port = Int(line[range].split(separator: ":").last ?? "") {
            lock.lock()
            foundHTTP = port
            lock.unlock()
            return
        }
        guard let range = line.range(of: #"listening on (tcp|tls) 127\.0\.0\.1:\d+"#, options: .regularExpression),
              let port = Int(line[range].split(separator: ":").last ?? "") else { return }
        lock.lock()
        if line.hasPrefix("listening on tls") { foundTLS = port } else { found = port }
        lock.unlock()
    }
    var port: Int { lock.lock(); defer { lock.unlock() }; return found }
    var tlsPort: Int { lock.lock(); defer { lock.unlock() }; return foundTLS }
    var httpPort: Int { lock.lock(); defer { lock.unlock() }; return foundHTTP }
}
