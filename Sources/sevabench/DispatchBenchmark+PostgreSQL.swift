import PostgresTestSupport
import SevaClient
import SevaCore
import SevaServer

/// Durable bookings with the store on PostgreSQL, beside SQLite's: the same closed loop of
/// bookers and the same open-loop latency probe at half the rate reached.
struct PostgresBookings {
    /// "local" (this machine's server on a Unix socket) or "sync standby" (a primary whose
    /// every commit waits for a synchronous standby's flush, across veth links).
    let placement: String
    let workers: Int
    let perSecond: Double
    let halfRate: Double
    let latency: Timings
}

extension DispatchBenchmark {
    /// Registering a worker is a durable write too: the PostgreSQL runs use at most this many.
    static let postgresWorkers = 10_000

    /// The PostgreSQL runs that this machine allows: a local server when PostgreSQL is
    /// installed, the standby topology in network namespaces when also root.
    func measurePostgres(progress: (String) -> Void) throws -> [PostgresBookings] {
        guard PostgresTestServer.binaries != nil else {
            progress("  JOB NEW on PostgreSQL: left out (apt-get install postgresql)")
            return []
        }
        var figures = [try bookings(on: try PostgresTestServer.url(try PostgresTestServer.createDatabase("dispatch")),
                                    placement: "local", progress: progress)]
        guard NamespaceNetwork.usable else {
            progress("  JOB NEW on PostgreSQL with a synchronous standby: left out (needs root for network namespaces)")
            return figures
        }
        let replicated = try ReplicatedPostgres(network: try NamespaceNetwork(hosts: ["db1": 1, "db2": 2]))
        figures.append(try bookings(on: replicated.url(host: "db1"), placement: "sync standby", progress: progress))
        return figures
    }

    private func bookings(on url: String, placement: String, progress: (String) -> Void) throws -> PostgresBookings {
        let workers = min(options.workers, Self.postgresWorkers)
        progress("  JOB NEW on PostgreSQL (\(placement)): registering \(workers) workers")
        let daemon = try BenchDaemon(name: "dispatch-postgres", workers: workers, available: false) { configuration in
            configuration.dispatch.accept = .auto
            configuration.store.synchronous = .full
            configuration.store.backend = .postgresql
            configuration.store.url = url
        }
        defer { daemon.remove() }
        let phones = Drain()
        phones.read(try availableThroughGateway(daemon, workers: workers)) { _ in }
        defer { phones.stop() }
        let booking = Self.booking(at: daemon.positions)
        let booker = try daemon.token("booker")
        progress("  JOB NEW on PostgreSQL (\(placement)), \(options.bookers) in flight, \(options.seconds) s")
        let booked = try ClosedLoop.run(port: daemon.port, token: booker, connections: options.bookerConnections,
                                        inFlight: max(1, options.bookers / options.bookerConnections),
                                        seconds: options.seconds) { _, random in booking(&random) }
        let perSecond = Double(booked) / options.seconds
        let halfRate = (perSecond / 2).rounded()
        progress("  JOB NEW latency on PostgreSQL (\(placement)) at \(Int(halfRate))/s")
        let latency = try LatencyProbe.openLoop(port: daemon.port, token: booker, rate: max(1, halfRate), connections: 2,
                                                seconds: options.seconds, request: booking)
        return PostgresBookings(placement: placement, workers: workers, perSecond: perSecond, halfRate: halfRate, latency: latency)
    }
}
