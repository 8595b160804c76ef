import Foundation
import SevaClient
import Testing

/// Per-address limits on the real daemon's TCP listener (issue 8): connections per address,
/// new connections per second, the AUTH back-off; none of it on the admin Unix socket.
@Suite(.serialized) struct DaemonAddressLimitsTests {
    func stats(_ daemon: DaemonProcess, _ field: String) throws -> Int? {
        let admin = try LineConnection(unixPath: daemon.socketPath)
        return JSONField.value(admin.ask("STATS"), field).flatMap { Int($0) }
    }

    @Test func connectionsPerAddressAreCappedButTheUnixSocketIsNot() throws {
        let daemon = try DaemonProcess(arguments: ["--server.max_conns_per_ip", "3"])
        defer { daemon.stop() }
        var open = try (0..<3).map { _ in try LineConnection(port: daemon.port) }
        for client in open { #expect(client.ask("PING") == "OK") }
        let fourth = try LineConnection(port: daemon.port)
        #expect(fourth.line()?.hasPrefix("ERR LIMIT server.max_conns_per_ip (3) connections from 127.0.0.1 are open") == true)
        #expect(fourth.line() == nil, "and closed")
        let unix = try (0..<6).map { _ in try LineConnection(unixPath: daemon.socketPath) }
        for client in unix { #expect(client.ask("PING") == "OK", "the admin socket is exempt") }
        open.removeLast()
        var recovered = false
        for _ in 0..<50 where !recovered {
            usleep(50_000)
            if let client = try? LineConnection(port: daemon.port), client.ask("PING") == "OK" { recovered = true }
        }
        #expect(recovered, "a place came free when one of the three left")
        #expect(try stats(daemon, "refused_per_address") ?? 0 >= 1)
    }

    @Test func newConnectionsPerSecondAreCapped() throws {
        let daemon = try DaemonProcess(arguments: ["--server.max_new_conns_per_s", "5"])
        defer { daemon.stop() }
        var refused = 0
        var served = 0
        var clients: [LineConnection] = []
        for _ in 0..<30 {
            let client = try LineConnection(port: daemon.port, timeoutSeconds: 5)
            let reply = client.ask("PING")
            if reply == "OK" { served += 1 } else if reply.contains("server.max_new_conns_per_s (5)") { refused += 1 }
            clients.append(client)
        }
        #expect(served >= 5 && refused >= 10, "served \(served), refused \(refused)")
        #expect(try stats(daemon, "refused_rate") == refused)
    }

    /// Phones behind one carrier NAT share an address: a broken app failing AUTH over and over
    /// from it must not lock the others out (issue 14 finding 2).
    @Test func failuresFromAnAddressNeverDelayACorrectToken() throws {
        let daemon = try DaemonProcess(arguments: ["--server.auth_backoff_s", "20", "--server.auth_backoff_max_s", "60"])
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        let token = try #require(JSONField.value(admin.ask("TOKEN ISSUE viewer"), "token"))
        let wrong = "sv1_" + String(repeating: "A", count: 32)
        let broken = try (0..<3).map { _ in try LineConnection(port: daemon.port) }
        for app in broken { app.send(String(repeating: "AUTH \(wrong)\n", count: 3)) }
        #expect(waitUntil { (try? stats(daemon, "auth_failed")) ?? 0 >= 3 }, "the failures were not judged")

        let start = Date()
        let phone = try LineConnection(port: daemon.port)
        #expect(phone.ask("AUTH \(token)") == #"OK {"role":"viewer","worker":null}"#)
        let waited = Date().timeIntervalSince(start)
        #expect(waited < 5, "a correct token waited \(waited) s behind others' failures (the back-off is 20 s)")
        #expect(phone.ask("STATS").hasPrefix("OK"))

        // Only the address's first failure was answered at once; every later one waits out the back-off.
        let answered = broken.filter { $0.hasInput(withinMilliseconds: 200) }.count
        #expect(answered <= 1, "\(answered) failing connections were answered without waiting")
        #expect(try stats(daemon, "auth_failures_delayed") ?? 0 >= 2)
        #expect(admin.ask("AUTH \(wrong)") == "ERR DENIED invalid token" && admin.ask("STATS").hasPrefix("OK"),
                "the Unix socket has no back-off")
    }

    /// The back-off itself: the first failure from an address is answered at once, the next
    /// after `auth_backoff_s`, the one after that twice as late; three failures close.
    @Test func failedAnswersWaitLongerEachTime() throws {
        let daemon = try DaemonProcess(arguments: ["--server.auth_backoff_s", "0.5", "--server.auth_backoff_max_s", "30"])
        defer { daemon.stop() }
        let wrong = "sv1_" + String(repeating: "B", count: 32)
        let app = try LineConnection(port: daemon.port)
        var waits: [Double] = []
        for _ in 0..<3 {
            let start = Date()
            let reply = app.ask("AUTH \(wrong)")
            waits.append(Date().timeIntervalSince(start))
            #expect(reply.hasPrefix("ERR DENIED invalid token"))
        }
        #expect(app.line() == nil, "three failures close the connection")
        #expect(waits[0] < 0.4 && waits[1] >= 0.45 && waits[2] >= 0.95, "\(waits)")
        #expect(try stats(daemon, "auth_failed") == 3 && stats(daemon, "auth_failures_delayed") == 2)
    }
}
