import Foundation
import SevaClient
import SevaCore
import SevaServer

/// Dispatch end to end over loopback: durable bookings (synchronous=full, auto mode) from
/// concurrent bookers, their latency at half that rate, the full offer cycle, and LOC/s with
/// thousands of offers pending and jobs watched.
struct DispatchBenchmark {
    struct Options {
        var workers = 100_000
        /// Bookings in flight at once, spread over `bookerConnections` pipelining connections.
        var bookers = 64
        var bookerConnections = 64
        var seconds = 3.0
        var pendingOffers = 10_000
        var watched = 1_000
    }

    struct Result {
        let jobNewPerSecond: Double
        /// The same, each booking with a fresh idempotency `ref` (looked up in the store, off the loop):
        /// random refs (UUID-like), and refs in the order they are made (order numbers).
        let jobNewWithRefPerSecond: Double
        let jobNewWithOrderedRefPerSecond: Double
        let halfRate: Double
        let jobNewLatency: Timings
        /// The store's share of the closed-loop bookings: commits, batch size, time queued and committing.
        let storeDuring: PathFigures
        let cyclesPerSecond: Double
        let locIdle: Double
        let locLoaded: Double
        /// The dispatcher alone, per booking (auto mode), microseconds.
        let coreMicroseconds: Double
        /// The same durable bookings on PostgreSQL (local, and with a synchronous standby).
        let postgres: [PostgresBookings]
    }

    let options: Options

    func run(progress: (String) -> Void) throws -> Result {
        progress("  the dispatcher alone: 20 000 bookings on \(options.workers) workers, auto mode")
        let core = DispatchCore.microsecondsPerBooking(workers: options.workers, bookings: 20_000)
        progress("  auto mode, synchronous=full: registering \(options.workers) workers")
        let auto = try BenchDaemon(name: "dispatch-auto", workers: options.workers, available: false) { configuration in
            configuration.dispatch.accept = .auto
            configuration.store.synchronous = .full
        }
        defer { auto.remove() }
        let places = auto.positions
        let booker = try auto.token("booker")
        // The workers' phones: one gateway hears their assignments, and a reader drains it.
        let phones = Drain()
        phones.read(try availableThroughGateway(auto)) { _ in }
        defer { phones.stop() }
        let booking = Self.booking(at: places)
        let inFlight = max(1, options.bookers / options.bookerConnections)
        progress("  JOB NEW, \(options.bookers) bookings in flight over \(options.bookerConnections) connections, \(options.seconds) s")
        let storeBefore = PathFigures(stats: auto.admin.ask("STATS"))
        let booked = try ClosedLoop.run(port: auto.port, token: booker, connections: options.bookerConnections,
                                        inFlight: inFlight, seconds: options.seconds) { _, random in booking(&random) }
        let perSecond = Double(booked) / options.seconds
        let storeDuring = PathFigures(stats: auto.admin.ask("STATS")) - storeBefore
        /// The same load on a fresh daemon, each booking with a ref made by `ref` (every one distinct).
        func bookedWithRefs(_ name: String, _ ref: @escaping @Sendable (Int, inout SeededGenerator) -> String) throws -> Int {
            let daemon = try BenchDaemon(name: name, workers: options.workers, available: false) { configuration in
                configuration.dispatch.accept = .auto
                configuration.store.synchronous = .full
            }
            defer { daemon.remove() }
            let phones = Drain()
            phones.read(try availableThroughGateway(daemon)) { _ in }
            defer { phones.stop() }
            return try ClosedLoop.run(port: daemon.port, token: try daemon.token("booker"),
                                      connections: options.bookerConnections, inFlight: inFlight,
                                      seconds: options.seconds, distinctBursts: 4_096) { index, random in
                var line = booking(&random)
                line.removeLast()
                return line + " ref=" + ref(index, &random) + "\n"
            }
        }
        progress("  JOB NEW with a fresh random ref each (UUID-like), the same load on a fresh daemon")
        let bookedWithRef = try bookedWithRefs("dispatch-refs") { _, random in "bench-\(random.next())" }
        progress("  JOB NEW with a fresh ref in the order they are made (order numbers), on a fresh daemon")
        let bookedWithOrderedRef = try bookedWithRefs("dispatch-ordered-refs") { index, random in
            let number = String(index)
            return "order-" + String(repeating: "0", count: max(0, 10 - number.count)) + number + "-\(random.next() % 1_000_000)"
        }
        let halfRate = (perSecond / 2).rounded()
        progress("  JOB NEW latency at half that rate (\(Int(halfRate))/s over 2 connections, open loop)")
        let latency = try LatencyProbe.openLoop(port: auto.port, token: booker, rate: halfRate, connections: 2,
                                                seconds: options.seconds, request: booking)

        progress("  offer mode: registering \(options.workers) workers, a gateway for all of them")
        let offers = try BenchDaemon(name: "dispatch-offer", workers: options.workers, available: false) { configuration in
            configuration.dispatch.offerTimeoutSeconds = 600
            configuration.store.synchronous = .full
        }
        defer { offers.remove() }
        let offerBooker = try offers.token("booker")
        let gateway = try availableThroughGateway(offers)
        let loadGateway = try offers.token("gateway")
        progress("  LOC/s idle (4 × 64)")
        let offerPlaces = offers.positions
        let location: @Sendable (Int, inout SeededGenerator) -> String = { index, random in
            let worker = Int(random.next() % UInt64(offerPlaces.count))
            let point = offerPlaces[worker]
            return "LOC b\(worker) \(ServerBenchmark.fixed(point.latitude + Double(index % 100) * 1e-6)) \(ServerBenchmark.fixed(point.longitude))\n"
        }
        let idle = try ClosedLoop.run(port: offers.port, token: loadGateway, connections: 4, inFlight: 64, seconds: options.seconds,
                                      request: location)
        progress("  full cycle: JOB NEW → EVT offer → ACCEPT → ARRIVED → START → DONE, \(options.seconds) s")
        let cycles = try fullCycles(port: offers.port, booker: offerBooker, gateway: gateway, places: offers.positions)
        progress("  \(options.pendingOffers) offers left pending, \(options.watched) of them accepted and watched")
        let drain = try pendOffers(port: offers.port, booker: offerBooker, gateway: gateway, places: offers.positions)
        progress("  LOC/s with those offers pending and jobs watched (4 × 64)")
        let loaded = try ClosedLoop.run(port: offers.port, token: loadGateway, connections: 4, inFlight: 64,
                                        seconds: options.seconds, request: location)
        drain.stop()
        return Result(jobNewPerSecond: perSecond, jobNewWithRefPerSecond: Double(bookedWithRef) / options.seconds,
                      jobNewWithOrderedRefPerSecond: Double(bookedWithOrderedRef) / options.seconds,
                      halfRate: halfRate, jobNewLatency: latency, storeDuring: storeDuring,
                      cyclesPerSecond: Double(cycles) / options.seconds,
                      locIdle: Double(idle) / options.seconds, locLoaded: Double(loaded) / options.seconds,
                      coreMicroseconds: core, postgres: try measurePostgres(progress: progress))
    }

    /// A booking line at a random one of `places` (workers' places), for the load generators.
    static func booking(at places: [GeoPoint]) -> @Sendable (inout SeededGenerator) -> String {
        { random in
            let point = places[Int(random.next() % UInt64(places.count))]
            return "JOB NEW skill=plumber lat=\(ServerBenchmark.fixed(point.latitude)) lon=\(ServerBenchmark.fixed(point.longitude))\n"
        }
    }

    /// A gateway connection that has made every worker (the first `workers`, when given)
    /// available, and so hears their offers.
    func availableThroughGateway(_ bench: BenchDaemon, workers: Int? = nil) throws -> LineConnection {
        let gateway = try LineConnection(port: bench.port)
        guard gateway.ask("AUTH \(try bench.token("gateway"))").hasPrefix("OK") else { throw HarnessFailure("gateway AUTH failed") }
        let count = workers ?? options.workers
        for chunk in stride(from: 0, to: count, by: 5_000) {
            let upper = min(count, chunk + 5_000)
            guard gateway.send((chunk..<upper).map { "AVAIL b\($0) on\n" }.joined()), gateway.awaitOK(upper - chunk) else {
                throw HarnessFailure("AVAIL over the gateway failed")
            }
        }
        return gateway
    }

    /// Books jobs 16 at a time on one connection while the gateway, hearing each offer,
    /// pipelines the worker's four answers; counts the DONEs acknowledged.
    private func fullCycles(port: Int, booker: String, gateway: LineConnection, places: [GeoPoint]) throws -> Int {
        let portal = try LineConnection(port: port)
        guard portal.ask("AUTH \(booker)").hasPrefix("OK") else { throw HarnessFailure("booker AUTH failed") }
        let running = Flag()
        let finished = DispatchSemaphore(value: 0)
        let counted = Counter()
        nonisolated(unsafe) let phones = gateway
        Thread.detachNewThread {
            defer { finished.signal() }
            // For each reply line, whether it answers a DONE.
            var expected: [Bool] = []
            var head = 0
            while let line = phones.line() {
                if line.hasPrefix("EVT offer {") {
                    if let job = JSONField.value(line, "job"), let worker = JSONField.value(line, "worker") {
                        phones.send("ACCEPT \(worker) \(job)\nARRIVED \(worker) \(job)\nSTART \(worker) \(job)\nDONE \(worker) \(job)\n")
                        expected += [false, false, false, true]
                    }
                } else if !line.hasPrefix("EVT "), head < expected.count {
                    if expected[head] && line == "OK" { counted.add(1) }
                    head += 1
                }
                if !running.isSet && head == expected.count { return }
            }
        }
        var random = SeededGenerator(seed: 21)
        let deadline = Clock.now() + UInt64(options.seconds * 1e9)
        while Clock.now() < deadline {
            var burst = ""
            for _ in 0..<16 {
                let point = places[Int(random.next() % UInt64(places.count))]
                burst += "JOB NEW skill=cook lat=\(ServerBenchmark.fixed(point.latitude)) lon=\(ServerBenchmark.fixed(point.longitude))\n"
            }
            guard portal.send(burst), portal.awaitOK(16) else { throw HarnessFailure("booking failed") }
        }
        let total = counted.value
        running.clear()
        gateway.send("PING\n")
        _ = finished.wait(timeout: .now() + 10)
        return total
    }

    /// Books `pendingOffers` jobs whose offers nobody answers but the first `watched`, which
    /// the gateway accepts and a watcher watches; returns the readers that keep draining the
    /// gateway's, the watcher's and the portal's streams.
    private func pendOffers(port: Int, booker: String, gateway: LineConnection, places: [GeoPoint]) throws -> Drain {
        let portal = try LineConnection(port: port)
        guard portal.ask("AUTH \(booker)").hasPrefix("OK") else { throw HarnessFailure("booker AUTH failed") }
        let watcher = try LineConnection(port: port)
        guard watcher.ask("AUTH \(booker)").hasPrefix("OK") else { throw HarnessFailure("watcher AUTH failed") }
        let watched = options.watched
        let accepted = Counter()
        let drain = Drain()
        nonisolated(unsafe) let phones = gateway
        nonisolated(unsafe) let eyes = watcher
        drain.read(phones) { line in
            guard accepted.value < watched, line.hasPrefix("EVT offer {"), let job = JSONField.value(line, "job"),
                  let worker = JSONField.value(line, "worker") else { return }
            accepted.add(1)
            phones.send("ACCEPT \(worker) \(job)\n")
            eyes.send("WATCH \(job)\n")
        }
        drain.read(eyes) { _ in }
        var random = SeededGenerator(seed: 33)
        for chunk in stride(from: 0, to: options.pendingOffers, by: 500) {
            let upper = min(options.pendingOffers, chunk + 500)
            var burst = ""
            for _ in chunk..<upper {
                let point = places[Int(random.next() % UInt64(places.count))]
                burst += "JOB NEW skill=plumber lat=\(ServerBenchmark.fixed(point.latitude)) lon=\(ServerBenchmark.fixed(point.longitude))\n"
            }
            guard portal.send(burst), portal.awaitOK(upper - chunk) else { throw HarnessFailure("booking failed") }
        }
        let deadline = Date(timeIntervalSinceNow: 30)
        while accepted.value < watched && Date() < deadline { usleep(10_000) }
        return drain
    }
}

/// Keeps reading connections whose events nobody needs, so their buffers never fill, handing
/// each line to a closure on the reading thread.
final class Drain: @unchecked Sendable {
    private let running = Flag()

    func read(_ connection: LineConnection, _ handle: @escaping @Sendable (String) -> Void) {
        nonisolated(unsafe) let connection = connection
        Thread.detachNewThread { [running] in
            while running.isSet {
                guard connection.hasInput(withinMilliseconds: 100) else { continue }
                guard let line = connection.line() else { return }
                handle(line)
            }
        }
    }

    func stop() { running.clear() }
}

/// The dispatcher alone, without sockets or the store: what one booking costs the engine's
/// loop (the search, the policy, the bookkeeping), auto mode, on the benchmark's workforce.
enum DispatchCore {
    static func microsecondsPerBooking(workers: Int, bookings: Int) -> Double {
        let catalogue = SkillCatalogue(["plumber", "cook"])!
        var registry = WorkerRegistry(catalogue: catalogue)
        var rules = DispatchRules()
        rules.accept = .auto
        var dispatcher = Dispatcher(rules: rules)
        var random = SeededGenerator(seed: 7)
        let workforce = UPWorkforce()
        let now = 1_800_000_000.0
        var places: [GeoPoint] = []
        for index in 0..<workers {
            var profile = WorkerProfile(id: "b\(index)", skills: try! catalogue.skills(["plumber", "cook"]).get())
            profile.verified = true
            registry.upsert(profile, now: now)
            registry.setAvailability(profile.id, .on, now: now)
            let point = workforce.position(using: &random)
            places.append(point)
            _ = registry.recordFix(profile.id, at: point, now: now)
        }
        var outcome = DispatchOutcome()
        let started = Clock.now()
        for _ in 0..<bookings {
            let request = JobRequest(skill: "plumber", point: places[Int(random.next() % UInt64(places.count))])
            _ = dispatcher.book(request, registry: &registry, now: now, into: &outcome)
            outcome = DispatchOutcome()
        }
        return Double(Clock.now() - started) / 1e3 / Double(bookings)
    }
}

/// The booking path's figures from STATS, and their difference over a run: the store's
/// commits, the writes they held and the time writes spent queued and committing; and the
/// engine loop's hand-overs (batches, completions) and the time they waited in its queue.
struct PathFigures {
    var commits = 0.0
    var writes = 0.0
    var commitMs = 0.0
    var queueWaitMs = 0.0
    var handovers = 0.0
    var engineWaitMs = 0.0

    init(stats: String) {
        let json = stats.hasPrefix("OK ") ? String(stats.dropFirst(3)) : stats
        guard let document = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let store = document["store"] as? [String: Any], let engine = document["engine"] as? [String: Any] else { return }
        func number(_ object: [String: Any], _ key: String) -> Double { (object[key] as? NSNumber)?.doubleValue ?? 0 }
        commits = number(store, "commits")
        writes = number(store, "writes_committed")
        commitMs = number(store, "total_commit_ms")
        queueWaitMs = number(store, "total_queue_wait_ms")
        handovers = number(engine, "handovers")
        engineWaitMs = number(engine, "total_queue_wait_ms")
    }

    private init() {}

    static func - (after: PathFigures, before: PathFigures) -> PathFigures {
        var difference = PathFigures()
        difference.commits = after.commits - before.commits
        difference.writes = after.writes - before.writes
        difference.commitMs = after.commitMs - before.commitMs
        difference.queueWaitMs = after.queueWaitMs - before.queueWaitMs
        difference.handovers = after.handovers - before.handovers
        difference.engineWaitMs = after.engineWaitMs - before.engineWaitMs
        return difference
    }

    var meanBatch: Double { writes / max(1, commits) }
    var meanCommitMs: Double { commitMs / max(1, commits) }
    var meanQueueWaitMs: Double { queueWaitMs / max(1, writes) }
    var meanEngineWaitMs: Double { engineWaitMs / max(1, handovers) }
}
