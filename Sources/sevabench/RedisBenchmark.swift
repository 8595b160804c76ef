import Foundation
import SevaClient
import SevaCore

/// sevad against Redis on the same machine, the same workers and the same pipelining client
/// (`PipelinedLoad`): PING against PING (each server's connection path alone: the floor under
/// the other figures on these shared cores), LOC against GEOADD, NEAR of one skill within 5 km against GEOSEARCH of
/// that skill's key. Each worker has one skill of the default catalogue's twelve, in turn;
/// Redis keeps a key per skill (`workers:<skill>`), the layout a Redis user would choose, so
/// that a search reads only that skill's workers. A share of sevad's workers (`onBreak`, 70 %,
/// as many as dispatch finds busy at a busy hour) is on break: still found by `all=yes`, passed
/// by a dispatch search. Redis is Debian's `redis-server`, started
/// here with persistence off, and is sent RESP arrays, its fastest form; its LOC is one GEOADD
/// into the worker's skill key. sevad's LOC also filters the fix, keeps the worker's status and
/// index tags, and marks the position for the snapshot.
struct RedisBenchmark {
    struct Options {
        var workers = 100_000
        var connections = 4
        var locInFlight = 64
        var nearInFlight = 16
        var seconds = 5.0
        var redisServer = "redis-server"
        /// Workers put on break (visible, not dispatchable), as a share: a dispatch search must
        /// pass them by, an `all=yes` search must find them.
        var onBreak = 0.7
        /// sevad's `server.io_threads`.
        var ioThreads = 0
    }

    /// One workload on both servers.
    struct Pair {
        let name: String
        let sevad: PipelinedLoad.Result
        let redis: PipelinedLoad.Result?
        var ratio: Double? { redis.map { sevad.perSecond / $0.perSecond } }
    }

    let options: Options

    func run(progress: (String) -> Void) throws -> [Pair] {
        progress("  starting \(options.redisServer)")
        let redis = try RedisProcess(binary: options.redisServer)
        defer { redis.stop() }
        progress("  registering \(options.workers) workers in sevad (Unix socket) and in Redis (GEOADD workers:<skill>)")
        let skills = Self.skills
        let ioThreads = options.ioThreads
        let bench = try BenchDaemon(name: "redis", workers: options.workers, skills: { skills[$0 % skills.count] }) { configuration in
            configuration.store.synchronous = .normal
            configuration.server.ioThreads = ioThreads
        }
        defer { bench.remove() }
        let places = bench.positions
        try redis.load(places, skills: skills)
        try bench.putOnBreak(share: options.onBreak)
        let redisPort = redis.port
        let gateway = try bench.token("gateway")
        let viewer = try bench.token("viewer")
        let port = bench.port

        func sevad(_ token: String, inFlight: Int, _ request: @escaping @Sendable (Int, inout SeededGenerator) -> String) throws -> PipelinedLoad.Result {
            try PipelinedLoad.run(connections: options.connections, inFlight: inFlight, seconds: options.seconds, protocol: .lines,
                                  open: { try PipelinedLoad.authenticated(port: port, token: token) },
                                  bursts: { PipelinedLoad.bursts(connection: $0, inFlight: inFlight) { Array(request($0, &$1).utf8) } })
        }
        func redisLoad(inFlight: Int, _ request: @escaping @Sendable (Int, inout SeededGenerator) -> [UInt8]) throws -> PipelinedLoad.Result {
            try PipelinedLoad.run(connections: options.connections, inFlight: inFlight, seconds: options.seconds, protocol: .resp,
                                  open: { try SocketConnect.tcp(host: "127.0.0.1", port: redisPort) },
                                  bursts: { PipelinedLoad.bursts(connection: $0, inFlight: inFlight, request) })
        }

        let moved: @Sendable (Int, inout SeededGenerator) -> (Int, GeoPoint) = { index, random in
            let worker = Int(random.next() % UInt64(places.count))
            let point = places[worker]
            return (worker, try! GeoPoint(latitude: point.latitude + Double(index % 100) * 1e-6, longitude: point.longitude))
        }
        let centre: @Sendable (inout SeededGenerator) -> GeoPoint = { random in places[Int(random.next() % UInt64(places.count))] }
        var pairs: [Pair] = []

        progress("  PING / PING, \(options.connections) connections × \(options.locInFlight) in flight: the connection path alone")
        let pingSevad = try sevad(gateway, inFlight: options.locInFlight) { _, _ in "PING\n" }
        let pingRedis = try redisLoad(inFlight: options.locInFlight) { _, _ in RESP.command(["PING"]) }
        pairs.append(Pair(name: "PING / PING (floor)", sevad: pingSevad, redis: pingRedis))

        progress("  LOC / GEOADD, \(options.connections) connections × \(options.locInFlight) in flight, \(options.seconds) s each")
        let locSevad = try sevad(gateway, inFlight: options.locInFlight) { index, random in
            let (worker, point) = moved(index, &random)
            return "LOC b\(worker) \(Self.fixed(point.latitude)) \(Self.fixed(point.longitude))\n"
        }
        let locRedis = try redisLoad(inFlight: options.locInFlight) { index, random in
            let (worker, point) = moved(index, &random)
            return RESP.command(["GEOADD", "workers:\(skills[worker % skills.count])", Self.fixed(point.longitude),
                                 Self.fixed(point.latitude), "b\(worker)"])
        }
        pairs.append(Pair(name: "LOC / GEOADD", sevad: locSevad, redis: locRedis))

        progress("  NEAR all=yes / GEOSEARCH, \(options.connections) connections × \(options.nearInFlight) in flight")
        let nearAll = try sevad(viewer, inFlight: options.nearInFlight) { _, random in
            let point = centre(&random)
            return "NEAR \(Self.fixed(point.latitude)) \(Self.fixed(point.longitude)) skill=plumber radius_km=5 limit=10 all=yes\n"
        }
        let search = try redisLoad(inFlight: options.nearInFlight) { _, random in
            let point = centre(&random)
            return RESP.command(["GEOSEARCH", "workers:plumber", "FROMLONLAT", Self.fixed(point.longitude), Self.fixed(point.latitude),
                                 "BYRADIUS", "5", "km", "ASC", "COUNT", "10", "WITHCOORD", "WITHDIST"])
        }
        pairs.append(Pair(name: "NEAR skill all=yes / GEOSEARCH", sevad: nearAll, redis: search))

        progress("  NEAR of dispatchable workers, \(Int(options.onBreak * 100)) % on break (no Redis counterpart)")
        let nearDispatchable = try sevad(viewer, inFlight: options.nearInFlight) { _, random in
            let point = centre(&random)
            return "NEAR \(Self.fixed(point.latitude)) \(Self.fixed(point.longitude)) skill=plumber radius_km=5 limit=10\n"
        }
        pairs.append(Pair(name: "NEAR skill, dispatchable", sevad: nearDispatchable, redis: nil))
        return pairs
    }

    /// The default catalogue's skills: worker `i` has skill `i % 12`; the searches ask for plumbers.
    static let skills = ["electrician", "plumber", "carpenter", "beautician", "ac_mechanic", "computer_mechanic", "cook",
                         "driver", "nurse", "painter", "mason", "caterer"]

    static func fixed(_ value: Double) -> String { ServerBenchmark.fixed(value) }
}

/// A `redis-server` of our own on a free loopback port, without persistence, stopped at the end.
final class RedisProcess {
    let port: Int
    private let process = Process()

    init(binary: String) throws {
        guard let path = Self.find(binary) else {
            throw HarnessFailure("no \(binary) on PATH: install Debian's redis-server (make bench-vs-redis does it)")
        }
        port = try SocketConnect.unusedLoopbackPort()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                             "--protected-mode", "no", "--daemonize", "no", "--loglevel", "warning"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Clock.now() + 10_000_000_000
        while Clock.now() < deadline {
            if let descriptor = try? SocketConnect.tcp(host: "127.0.0.1", port: port) {
                defer { close(descriptor) }
                if (try? PipelinedLoad.exchange(descriptor, RESP.command(["PING"]), replies: 1, protocol: .resp)) != nil { return }
            }
            usleep(20_000)
        }
        stop()
        throw HarnessFailure("\(binary) did not answer PING on port \(port) within 10 s")
    }

    /// Worker `i` into `workers:<skills[i % count]>`, 1,000 GEOADDs a round trip.
    func load(_ places: [GeoPoint], skills: [String]) throws {
        let descriptor = try SocketConnect.tcp(host: "127.0.0.1", port: port)
        defer { close(descriptor) }
        for chunk in stride(from: 0, to: places.count, by: 1_000) {
            let upper = min(places.count, chunk + 1_000)
            var bytes: [UInt8] = []
            for index in chunk..<upper {
                bytes += RESP.command(["GEOADD", "workers:\(skills[index % skills.count])", RedisBenchmark.fixed(places[index].longitude),
                                       RedisBenchmark.fixed(places[index].latitude), "b\(index)"])
            }
            try PipelinedLoad.exchange(descriptor, bytes, replies: upper - chunk, protocol: .resp)
        }
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    private static func find(_ binary: String) -> String? {
        if binary.contains("/") { return FileManager.default.isExecutableFile(atPath: binary) ? binary : nil }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") + ["/usr/sbin", "/usr/bin"] {
            let path = "\(directory)/\(binary)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}
