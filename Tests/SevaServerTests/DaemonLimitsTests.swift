import Foundation
import SevaClient
import Testing
@testable import SevaServer

/// `[server]` limits, on the real daemon.
@Suite(.serialized) struct DaemonLimitsTests {
    @Test func connectionsAboveTheCapAreRefusedCleanly() throws {
        let daemon = try DaemonProcess(arguments: ["--server.max_connections", "2"])
        defer { daemon.stop() }
        let first = try LineConnection(port: daemon.port)
        let second = try LineConnection(unixPath: daemon.socketPath)
        #expect(first.ask("PING") == "OK" && second.ask("PING") == "OK")
        let third = try LineConnection(port: daemon.port)
        #expect(third.line()?.hasPrefix("ERR LIMIT server.max_connections (2)") == true)
        #expect(third.line() == nil)
        _ = consume first
        var recovered = false
        for _ in 0..<50 where !recovered {
            usleep(50_000)
            if let client = try? LineConnection(port: daemon.port), client.ask("PING") == "OK" { recovered = true }
        }
        #expect(recovered, "a place came free when a client left")
    }

    @Test func idleConnectionsAreClosed() throws {
        let daemon = try DaemonProcess(arguments: ["--server.idle_timeout_s", "1"])
        defer { daemon.stop() }
        let client = try LineConnection(port: daemon.port)
        #expect(client.ask("PING") == "OK")
        let started = Date()
        #expect(client.line()?.hasPrefix("ERR LIMIT idle") == true)
        #expect(client.line() == nil)
        #expect(Date().timeIntervalSince(started) < 15)
    }

    @Test func workerPhonesArePacedButGatewaysAreNot() throws {
        let daemon = try DaemonProcess(arguments: ["--server.max_pings_per_s", "5"])
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER ADD w1 skills=cook") == "OK")
        let workerToken = try DaemonTests().token(admin.ask("TOKEN ISSUE worker worker=w1"))
        let gatewayToken = try DaemonTests().token(admin.ask("TOKEN ISSUE gateway"))
        let phone = try LineConnection(port: daemon.port)
        #expect(phone.ask("AUTH \(workerToken)").hasPrefix("OK"))
        phone.send(String(repeating: "LOC 27.596 78.05\n", count: 30))
        let replies = (0..<30).compactMap { _ in phone.line() }
        #expect(replies.count == 30)
        #expect(replies.filter { $0 == "OK" }.count >= 5)
        #expect(replies.contains { $0.hasPrefix("ERR LIMIT more than server.max_pings_per_s (5)") })
        let gateway = try LineConnection(port: daemon.port)
        #expect(gateway.ask("AUTH \(gatewayToken)").hasPrefix("OK"))
        gateway.send(String(repeating: "LOC w1 27.596 78.05\n", count: 30))
        #expect((0..<30).compactMap { _ in gateway.line() }.allSatisfy { $0 == "OK" })
    }
}
