import Foundation
import SevaClient
import Testing
@testable import SevaServer

/// Clients that misbehave (DESIGN.md §6): each leaves the daemon serving and its state as it
/// was, and nothing acknowledged is lost.
@Suite(.serialized) struct DaemonAbuseTests {
    @Test func aMegabyteLineIsRefusedWithoutBeingBuffered() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = try LineConnection(port: daemon.port)
        signal(SIGPIPE, SIG_IGN)
        client.send("WORKER ADD " + String(repeating: "x", count: 1 << 20) + " skills=cook\n")
        #expect(client.line()?.hasPrefix("ERR TOOLONG line longer than server.max_line_bytes (4096)") == true)
        #expect(client.line() == nil)
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER LIST") == "OK []", "nothing of the long line was executed")
    }

    @Test func aLineSplitAcrossManySegmentsIsOneRequest() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        for byte in Array("WORKER ADD split-1 skills=cook name=\"in pieces\"\r\n".utf8) {
            admin.send([byte])
            usleep(2_000)
        }
        #expect(admin.line() == "OK")
        #expect(admin.ask("WORKER GET split-1").contains(#""name":"in pieces""#))
    }

    @Test func aLineWithoutItsNewlineAtDisconnectIsNotExecuted() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        do {
            let admin = try LineConnection(unixPath: daemon.socketPath)
            admin.send("WORKER ADD whole skills=cook\nWORKER ADD half skills=cook")
            #expect(admin.line() == "OK")
        }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER GET whole").hasPrefix("OK"))
        #expect(admin.ask("WORKER GET half").hasPrefix("ERR NOTFOUND"), "a half line is dropped, never executed")
    }

    @Test func tenThousandPipelinedRequestsAreAnsweredInOrder() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        var burst = ""
        var expected: [String] = []
        for index in 0..<10_000 {
            switch index % 8 {
            case 0: burst += "WORKER ADD p\(index) skills=cook\n"; expected.append("OK")
            case 1: burst += "WORKER GET p\(index - 1)\n"; expected.append("OK {\"id\":\"p\(index - 1)\"")
            case 2: burst += "PING\n"; expected.append("OK")
            case 3: burst += "FLY\n"; expected.append("ERR UNKNOWN")
            case 4: burst += "LOC p\(index - 4) 27.\(index) 78.05\n"; expected.append("OK")
            case 5: burst += "AVAIL p\(index - 5) on\n"; expected.append("OK")
            case 6: burst += "LOC p\(index - 6) 91 78\n"; expected.append("ERR BADARG lat")
            default: burst += "NEAR 27.5 78.05 limit=1 radius_km=500 all=yes\n"; expected.append("OK [{")
            }
        }
        admin.send(burst)
        for (index, prefix) in expected.enumerated() {
            let reply = admin.line() ?? "<closed>"
            #expect(reply.hasPrefix(prefix), "reply \(index): \(reply) instead of \(prefix)…")
            if !reply.hasPrefix(prefix) { return }
        }
        #expect(admin.ask("PING") == "OK")
        #expect(admin.ask("STATS").contains(#""available":1250"#))
    }

    /// A client far ahead of its replies is read no further until they catch up
    /// (`server.max_inflight`), so it cannot queue unbounded work; nothing is lost or reordered.
    @Test func aClientFarAheadOfItsRepliesIsPausedNotDropped() throws {
        let daemon = try DaemonProcess(arguments: ["--server.max_inflight", "16"])
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        var burst = ""
        for index in 0..<3_000 { burst += "WORKER ADD f\(index) skills=cook\nWORKER GET f\(index)\n" }
        admin.send(burst)
        for index in 0..<3_000 {
            let added = admin.line() ?? "<closed>"
            let got = admin.line() ?? "<closed>"
            #expect(added == "OK" && got.hasPrefix("OK {\"id\":\"f\(index)\""), "\(index): \(added) / \(got)")
            if added != "OK" { return }
        }
        let stats = admin.ask("STATS")
        let paused = stats.range(of: #""paused_reads":[1-9]"#, options: .regularExpression)
        #expect(paused != nil, "reading was never paused: \(stats)")
    }

    /// A client that sends a long pipeline and leaves without reading: the daemon keeps
    /// serving, and whatever it committed is there after a restart — the same as before it.
    @Test func aClientThatDisconnectsMidPipelineLosesNothingCommitted() throws {
        let first = try DaemonProcess()
        do {
            let leaver = try LineConnection(unixPath: first.socketPath)
            var burst = ""
            for index in 0..<5_000 { burst += "WORKER ADD m\(index) skills=driver\n" }
            leaver.send(burst)
        }
        let admin = try LineConnection(unixPath: first.socketPath)
        #expect(admin.ask("PING") == "OK")
        // Settled: the leaver's connection gone, nothing queued for the store, the count still.
        var last = -1
        #expect(waitUntil {
            let workers = admin.ask("WORKER LIST limit=10000").components(separatedBy: #""id":"m"#).count - 1
            defer { last = workers }
            let stats = admin.ask("STATS")
            return JSONField.value(stats, "open") == "1" && JSONField.value(stats, "queue_depth") == "0" && workers == last
        }, "the daemon settled after the client left")
        let before = admin.ask("WORKER LIST limit=10000")
        let count = before.components(separatedBy: #""id":"m"#).count - 1
        #expect(count > 0, "the daemon executed none of the pipeline")
        #expect(first.stop() == 0)
        let second = try DaemonProcess(directory: first.directory)
        defer { second.stop() }
        let again = try LineConnection(unixPath: second.socketPath)
        let after = again.ask("WORKER LIST limit=10000")
        #expect(after == before, "what the first daemon had was committed (\(count) workers)")
    }

    /// Ten thousand connections at once against a cap of 1 000: the first thousand are served,
    /// every other one gets `ERR LIMIT` and a clean close, and the daemon serves on.
    @Test func tenThousandConnectionsAtOnceAboveTheCap() throws {
        signal(SIGPIPE, SIG_IGN)
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let attempts = min(10_000, Int(limit.rlim_cur) - 500)
        try #require(attempts >= 2_000, "RLIMIT_NOFILE \(limit.rlim_cur) is too low for this test")
        let daemon = try DaemonProcess(arguments: ["--server.max_connections", "1000"])
        defer { daemon.stop() }
        var clients: [LineConnection] = []
        clients.reserveCapacity(attempts)
        for _ in 0..<attempts { clients.append(try LineConnection(port: daemon.port)) }
        // Refused connections have their ERR LIMIT waiting; the others answer a PING.
        usleep(500_000)
        var served = 0
        var refused = 0
        for client in clients {
            if !client.hasInput() { client.send("PING\n") }
            switch client.line() {
            case "OK": served += 1
            case let reply? where reply.hasPrefix("ERR LIMIT server.max_connections (1000)"):
                if client.line() == nil { refused += 1 }
            default: break
            }
        }
        #expect(served == 1_000)
        #expect(refused == attempts - 1_000, "every connection above the cap is refused with ERR LIMIT and closed")
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.line()?.hasPrefix("ERR LIMIT") == true, "the Unix socket counts against the cap too")
        clients.removeAll()
        var recovered = false
        for _ in 0..<100 where !recovered {
            usleep(50_000)
            if let client = try? LineConnection(port: daemon.port), client.ask("PING") == "OK" { recovered = true }
        }
        #expect(recovered)
        let stats = try LineConnection(unixPath: daemon.socketPath).ask("STATS")
        #expect(stats.contains(#""refused":\#(attempts - 999)"#), "STATS counts the refusals: \(stats)")
    }
}
