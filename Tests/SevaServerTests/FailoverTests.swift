import Foundation
import PostgresTestSupport
import SevaClient
import SevaStore
import Testing

/// Failover under load across real network links: hosts in network namespaces — a PostgreSQL
/// primary (db1) with a synchronous standby (db2), two sevads (a, b) — and this process as the
/// client host, booking and taking jobs through every step without pause. Then (a) the active
/// sevad is killed, (b) the active's cable is pulled, (c) the database primary dies and its
/// standby is promoted. After each, service comes back on its own; at the end, everything any
/// sevad acknowledged is in the database, no job went to two workers and no worker held two
/// jobs, and the cut-off sevad acknowledged nothing once the other had taken over.
@Suite(.serialized) struct FailoverTests {
    /// How long service may be gone after each failure: docs/high-availability.md's takeover
    /// time, with room for a loaded 2-core CI machine.
    static let serviceBackWithin: Double = 30
    static let port = 7878
    static let workers = (1...6).map { "fw-\($0)" }

    @Test(.enabled(if: NamespaceNetwork.usable, "needs root, iproute2 and PostgreSQL to build hosts in network namespaces"))
    func nothingAcknowledgedIsLostWhenTheActiveDiesIsCutOffOrTheDatabaseFailsOver() throws {
        let network = try NamespaceNetwork(hosts: ["db1": 1, "db2": 2, "a": 3, "b": 4])
        let database = try ReplicatedPostgres(network: network)
        func sevad(_ host: String) throws -> DaemonProcess {
            try DaemonProcess(arguments: ["--store.backend", "postgresql", "--store.url", database.url,
                                          "--store.node_name", "sevad-\(host)", "--store.probe_interval_s", "0.2",
                                          "--dispatch.offer_timeout_s", "5", "--server.allow_plaintext_public", "true"],
                              tcp: "\(network.address(host)):\(Self.port)", launcher: network.inside(host, []))
        }
        func role(_ daemon: DaemonProcess) -> String {
            guard let admin = try? LineConnection(unixPath: daemon.socketPath, timeoutSeconds: 5) else { return "down" }
            return JSONField.value(admin.ask("STATS"), "role") ?? "?"
        }

        var sevadA = try sevad("a")
        #expect(waitUntil(30) { role(sevadA) == "active" }, "\(sevadA.log.suffix(2_000))")
        var sevadB = try sevad("b")
        #expect(waitUntil(30) { role(sevadB).hasPrefix("standby") })
        let admin = try LineConnection(unixPath: sevadA.socketPath)
        let token = try #require(JSONField.value(admin.ask("TOKEN ISSUE admin label=gateway"), "token"))
        for worker in Self.workers {
            #expect(admin.ask("WORKER ADD \(worker) skills=plumber verified=yes") == "OK")
        }
        let client = FailoverClient(hosts: [("sevad-a", network.address("a"), Self.port), ("sevad-b", network.address("b"), Self.port)],
                                    token: token, workers: Self.workers)
        client.start()
        defer { client.stop() }
        #expect(waitUntil(60) { client.completed(after: .distantPast) >= 10 }, "the client did not get going: \(client.unexpectedReplies)")

        // (a) The active sevad is killed: the standby takes over.
        let killed = Date()
        kill(sevadA.process.processIdentifier, SIGKILL)
        sevadA.waitForExit()
        #expect(waitUntil(Self.serviceBackWithin) { client.completed(after: killed) >= 3 }, "no service after the active was killed: \(sevadB.log.suffix(2_000))")
        let afterKill = client.first(after: killed, on: "sevad-b")
        sevadA = try sevad("a")
        #expect(waitUntil(30) { role(sevadA).hasPrefix("standby") })

        // (b) The active's network is cut: the other takes over; the cut-off one, still booking
        // for a client on its own socket, acknowledges nothing it cannot commit and is fenced.
        let local = LocalBooker(socketPath: sevadB.socketPath)
        local.start()
        #expect(waitUntil(30) { local.acknowledgements.count >= 3 })
        let cut = Date()
        try network.cut("b")
        #expect(waitUntil(Self.serviceBackWithin) { role(sevadA) == "active" }, "\(sevadA.log.suffix(2_000))")
        let tookOver = Date()
        #expect(waitUntil(Self.serviceBackWithin) { client.completed(after: cut) >= 3 }, "no service after the active was cut off")
        let afterCut = client.first(after: cut, on: "sevad-a")
        try network.reconnect("b")
        #expect(sevadB.waitForExit(seconds: 60) == 75, "the cut-off sevad should be fenced: \(sevadB.log.suffix(2_000))")
        local.stop()
        #expect(sevadB.log.contains("fenced"))
        // The cut-off sevad may still answer a retried booking from a read of what it had
        // committed before the cut; it must not have booked anything once sevad-a was taking
        // bookings: every job it acknowledged comes before sevad-a's first.
        let firstOfA = client.acknowledgements.filter { $0.node == "sevad-a" && $0.state == "booked" && $0.at > cut }.map(\.job).min()
        let lateLocal = local.acknowledgements.filter { $0.at >= tookOver && $0.job >= (firstOfA ?? .max) }
        #expect(lateLocal.isEmpty, "the fenced sevad booked \(lateLocal) after sevad-a's first job \(firstOfA ?? 0): \(sevadB.log.suffix(4_000))")
        let lateB = client.acknowledgements.filter { $0.node == "sevad-b" && $0.at >= tookOver }
        #expect(lateB.isEmpty, "sevad-b acknowledged \(lateB.count) requests after sevad-a took over")
        sevadB = try sevad("b")
        #expect(waitUntil(30) { role(sevadB).hasPrefix("standby") })

        // (c) The database primary dies and its synchronous standby is promoted.
        try database.killPrimary()
        let lost = Date()
        try database.promoteStandby()
        #expect(waitUntil(Self.serviceBackWithin) { client.completed(after: lost) >= 3 },
                "no service after the database failed over: \(sevadA.log.suffix(1_500))\n\(sevadB.log.suffix(1_500))")
        let afterFailover = client.first(after: lost, on: nil)
        client.stop()

        // Everything acknowledged is in what is now the primary.
        let promoted = try PostgresConnection(url: database.url(host: "db2"), applicationName: "sevad-tests")
        var missing: [String] = []
        for ack in client.acknowledgements + local.acknowledgements {
            let found = if let ref = ack.ref {
                try promoted.integer("SELECT count(*) FROM jobs WHERE id = \(ack.job) AND ref = '\(ref)'")
            } else {
                try promoted.integer("SELECT count(*) FROM job_events WHERE job = \(ack.job) AND state = '\(ack.state)' AND worker = '\(ack.worker ?? "")'")
            }
            if found != 1 { missing.append("\(ack.state) of job \(ack.job) by \(ack.node)") }
        }
        #expect(missing.isEmpty, "acknowledged but not in the database: \(missing)")
        #expect(try promoted.integer("SELECT count(*) FROM (SELECT job FROM job_events WHERE state = 'assigned' GROUP BY job HAVING count(*) > 1) twice") == 0,
                "a job was assigned twice")
        #expect(try promoted.integer("""
            SELECT count(*) FROM (SELECT worker FROM jobs WHERE state IN ('assigned', 'arrived', 'started')
            GROUP BY worker HAVING count(*) > 1) busy
            """) == 0, "a worker holds two jobs")
        #expect(try promoted.integer("""
            SELECT count(*) FROM job_events a JOIN job_events b ON a.worker = b.worker AND a.job <> b.job
            AND a.state = 'assigned' AND b.state = 'assigned'
            WHERE b.seq > a.seq AND b.seq < (SELECT min(seq) FROM job_events c WHERE c.job = a.job AND c.state IN ('completed', 'cancelled'))
            """) == 0, "a worker was given a job while on another")
        #expect(client.unexpectedReplies.isEmpty, "\(client.unexpectedReplies.prefix(10))")
        let completed = client.acknowledgements.filter { $0.state == "completed" }.count
        print("failover: \(client.acknowledgements.count) acknowledgements (\(completed) jobs done) and \(local.acknowledgements.count) local bookings; "
              + "service back \(Self.seconds(afterKill, killed)) after SIGKILL, \(Self.seconds(afterCut, cut)) after the cut "
              + "(takeover seen \(String(format: "%.1f", tookOver.timeIntervalSince(cut))) s), \(Self.seconds(afterFailover, lost)) after the database failover")
    }

    static func seconds(_ acknowledgement: Acknowledgement?, _ moment: Date) -> String {
        guard let acknowledgement else { return "never" }
        return String(format: "%.1f s", acknowledgement.at.timeIntervalSince(moment))
    }
}
