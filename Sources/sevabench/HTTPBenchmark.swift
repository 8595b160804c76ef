import Foundation
import SevaClient
import SevaCore

/// Tracker ingest over the HTTP face against LOC over the line protocol, on one daemon, the
/// same workers and the same pipelining client (`PipelinedLoad`): OsmAnd's query form
/// (`GET /v1/track?id=…&lat=…&lon=…&token=…`, what Traccar Client sends) on keep-alive
/// connections with requests pipelined, and `LOC <worker> <lat> <lon>` from a gateway.
struct HTTPBenchmark {
    static func options(_ arguments: ArraySlice<String>) -> LoadOptions { .parse(arguments, workers: 100_000, seconds: 5) }

    let options: LoadOptions

    func run(progress: (String) -> Void) throws -> (loc: PipelinedLoad.Result, http: PipelinedLoad.Result) {
        progress("  registering \(options.workers) workers")
        let bench = try BenchDaemon(name: "http", workers: options.workers) { configuration in
            configuration.store.synchronous = .normal
            configuration.http.listen = ["127.0.0.1:0"]
        }
        defer { bench.remove() }
        let gateway = try bench.token("gateway")
        let places = bench.positions
        let port = bench.port, httpPort = bench.httpPort
        let connections = options.connections, inFlight = options.inFlight, seconds = options.seconds
        let moved: @Sendable (Int, inout SeededGenerator) -> (Int, GeoPoint) = { index, random in
            let worker = Int(random.next() % UInt64(places.count))
            let point = places[worker]
            return (worker, try! GeoPoint(latitude: point.latitude + Double(index % 100) * 1e-6, longitude: point.longitude))
        }
        progress("  LOC over the line protocol, \(connections) connections × \(inFlight) in flight, \(seconds) s")
        let loc = try PipelinedLoad.run(connections: connections, inFlight: inFlight, seconds: seconds, protocol: .lines,
                                        open: { try PipelinedLoad.authenticated(port: port, token: gateway) },
                                        bursts: { PipelinedLoad.bursts(connection: $0, inFlight: inFlight) { index, random in
                                            let (worker, point) = moved(index, &random)
                                            return Array("LOC b\(worker) \(ServerBenchmark.fixed(point.latitude)) \(ServerBenchmark.fixed(point.longitude))\n".utf8)
                                        } })
        progress("  GET /v1/track (OsmAnd form) over HTTP keep-alive, \(connections) connections × \(inFlight) pipelined")
        let http = try PipelinedLoad.run(connections: connections, inFlight: inFlight, seconds: seconds, protocol: .http,
                                         open: { try SocketConnect.tcp(host: "127.0.0.1", port: httpPort) },
                                         bursts: { PipelinedLoad.bursts(connection: $0, inFlight: inFlight) { index, random in
                                             let (worker, point) = moved(index, &random)
                                             return Array(("GET /v1/track?id=b\(worker)&lat=\(ServerBenchmark.fixed(point.latitude))"
                                                 + "&lon=\(ServerBenchmark.fixed(point.longitude))&token=\(gateway) HTTP/1.1\r\n"
                                                 + "Host: bench\r\n\r\n").utf8)
                                         } })
        return (loc, http)
    }
}
