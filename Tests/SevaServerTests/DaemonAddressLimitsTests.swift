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

    @Test func failedAuthsBackOffExponentiallyPerAddress() throws {
        let daemon = try DaemonProcess(arguments: ["--server.auth_backoff_s", "1", "--server.auth_backoff_max_s", "30"])
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        let token = try #require(JSONField.value(admin.ask("TOKEN ISSUE viewer"), "token"))
        let wrong = "sv1_" + String(repeating: "A", count: 32)

        let first = try LineConnection(port: daemon.port)
        #expect(first.ask("AUTH \(wrong)") == "ERR DENIED invalid token")
        #expect(first.ask("AUTH \(token)").hasPrefix("ERR LIMIT too many failed AUTHs from 127.0.0.1; try again in 1 s"),
                "even the right token waits out the back-off")
        let other = try LineConnection(port: daemon.port)
        #expect(other.ask("AUTH \(token)").hasPrefix("ERR LIMIT too many failed AUTHs"), "per address, not per connection")
        #expect(admin.ask("AUTH \(wrong)") == "ERR DENIED invalid token" && admin.ask("STATS").hasPrefix("OK"),
                "the Unix socket has no back-off")
        #expect(first.ask("AUTH \(token)").contains("too many failures, closing"), "refusals count toward server.auth_failures")
        usleep(1_100_000)
        let second = try LineConnection(port: daemon.port)
        #expect(second.ask("AUTH \(wrong)") == "ERR DENIED invalid token")
        #expect(second.ask("AUTH \(token)").contains("try again in 2 s"), "the second failure doubles the wait")
        usleep(2_100_000)
        #expect(other.ask("AUTH \(token)").contains(#""role":"viewer""#), "a good AUTH after the wait")
        let later = try LineConnection(port: daemon.port)
        #expect(later.ask("AUTH \(wrong)") == "ERR DENIED invalid token")
        #expect(later.ask("AUTH \(token)").contains("try again in 1 s"), "a good AUTH reset the count")
        #expect(try stats(daemon, "auth_backoff_refusals") ?? 0 >= 5)
    }
}
