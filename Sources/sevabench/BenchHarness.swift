import Foundation
import Logging
import SevaClient
import SevaCore
import SevaServer
import SevaWire

/// A daemon in the benchmark's own process on a fresh temporary directory, with `workers`
/// registered over the Unix socket (ids `b0`…) — plumbers-and-cooks, or the skills
/// `skills(index)` gives — each at a position drawn from the UP workforce and — unless
/// `available` is false, for a gateway to do it and so hear their offers — available.
struct BenchDaemon {
    let directory: String
    let port: Int
    /// The TLS listener's port, when the configuration has one (else 0).
    let tlsPort: Int
    /// The HTTP face's port, when the configuration has one (else 0).
    let httpPort: Int
    let daemon: Daemon
    let admin: LineConnection
    let positions: [GeoPoint]

    init(name: String, workers: Int, available: Bool = true, skills: (Int) -> String = { _ in "plumber,cook" },
         configure: (inout Configuration) -> Void) throws {
        directory = NSTemporaryDirectory() + "sevabench-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        var configuration = Configuration()
        configuration.server.tcp = ["127.0.0.1:0"]
        configuration.server.unixSocket = directory + "/sevad.sock"
        configuration.store.path = directory + "/sevad.db"
        configure(&configuration)
        let paths = RuntimePaths(environment: ["STATE_DIRECTORY": directory, "RUNTIME_DIRECTORY": directory],
                                 workingDirectory: directory)
        let portBox = PortBox()
        daemon = try Daemon(configuration: configuration, paths: paths,
                            logger: Logger(label: "sevabench") { _ in PortLogHandler(box: portBox) })
        port = portBox.port
        tlsPort = portBox.tlsPort
        httpPort = portBox.httpPort
        admin = try LineConnection(unixPath: directory + "/sevad.sock")
        var random = SeededGenerator(seed: 7)
        let workforce = UPWorkforce()
        var positions: [GeoPoint] = []
        for chunk in stride(from: 0, to: workers, by: 1_000) {
            var lines = ""
            let upper = min(workers, chunk + 1_000)
            for index in chunk..<upper {
                let point = workforce.position(using: &random)
                lines += "WORKER ADD b\(index) skills=\(skills(index)) verified=yes\n" + (available ? "AVAIL b\(index) on\n" : "")
                    + "LOC b\(index) \(ServerBenchmark.fixed(point.latitude)) \(ServerBenchmark.fixed(point.longitude))\n"
                positions.append(point)
            }
            guard admin.send(lines), admin.awaitOK((available ? 3 : 2) * (upper - chunk)) else { throw HarnessFailure("registering workers failed") }
        }
        self.positions = positions
    }

    /// Puts every worker whose index falls in the first `share` of each hundred on break.
    func putOnBreak(share: Double) throws {
        let cut = Int((share * 100).rounded())
        for chunk in stride(from: 0, to: positions.count, by: 1_000) {
            let indices = (chunk..<min(positions.count, chunk + 1_000)).filter { $0 % 100 < cut }
            guard !indices.isEmpty else { continue }
            guard admin.send(indices.map { "AVAIL b\($0) break\n" }.joined()), admin.awaitOK(indices.count) else {
                throw HarnessFailure("putting workers on break failed")
            }
        }
    }

    func token(_ role: String) throws -> String { try ServerBenchmark.token(admin, "TOKEN ISSUE \(role)") }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// Pipelining sevad clients for a fixed time: `PipelinedLoad` on authenticated connections.
enum ClosedLoop {
    /// Runs `connections` clients for `seconds`, each keeping `inFlight` requests outstanding;
    /// returns the replies received (all must be OK).
    /// The requests are drawn before the clock starts and repeat after `distinctBursts` bursts
    /// per connection: make that enough for a run whose requests must all differ.
    static func run(port: Int, token: String, connections: Int, inFlight: Int, seconds: Double, distinctBursts: Int = 256,
                    request: @escaping @Sendable (Int, inout SeededGenerator) -> String) throws -> Int {
        try PipelinedLoad.run(connections: connections, inFlight: inFlight, seconds: seconds, protocol: .lines,
                              open: { try PipelinedLoad.authenticated(port: port, token: token) },
                              bursts: { connection in
                                  PipelinedLoad.bursts(connection: connection, inFlight: inFlight, count: distinctBursts) {
                                      Array(request($0, &$1).utf8)
                                  }
                              }).replies
    }
}
