import Foundation
import SevaClient
import Testing

/// Output backpressure on the real daemon (DESIGN.md §6, issue 14 finding 1): a large reply to
/// a slow reader arrives whole; a client that reads nothing holds the daemon to its buffer, is
/// closed only after `server.output_stall_s`, and slows nobody else; a subscriber whose events
/// pile up past `server.output_hard_bytes` is closed.
@Suite(.serialized) struct DaemonOutputTests {
    /// Registers `count` workers over the admin socket, pipelined.
    func register(_ count: Int, on daemon: DaemonProcess) throws {
        let admin = try LineConnection(unixPath: daemon.socketPath, timeoutSeconds: 120)
        var burst = ""
        for index in 0..<count {
            burst += "WORKER ADD s\(100_000 + index) skills=cook,plumber name=\"Worker number \(index)\" "
                + "phone=\"+91 90000 \(10_000 + index)\" district=hathras verified=yes\n"
        }
        admin.send(burst)
        #expect(admin.awaitOK(count), "the register did not load")
    }

    func viewerToken(_ daemon: DaemonProcess) throws -> String {
        let admin = try LineConnection(unixPath: daemon.socketPath)
        return try #require(JSONField.value(admin.ask("TOKEN ISSUE viewer label=ops-console"), "token"))
    }

    /// Reads one reply line at `bytes` bytes every `pause` microseconds.
    func slowLine(_ client: RawClient, bytes: Int, pause: useconds_t, seconds: Double = 120) -> String? {
        var line: [UInt8] = []
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline {
            guard let chunk = client.read(upTo: bytes, waiting: 1_000) else { return nil }
            line += chunk
            if let end = line.firstIndex(of: UInt8(ascii: "\n")) { return String(decoding: line[..<end], as: UTF8.self) }
            usleep(pause)
        }
        return nil
    }

    @Test func aSlowReaderGetsEveryRowOfATenThousandWorkerList() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        try register(10_000, on: daemon)
        let console = try RawClient(port: daemon.port, receiveBuffer: 4_096)
        console.send(Array("AUTH \(try viewerToken(daemon))\nWORKER LIST limit=10000\n".utf8))
        let auth = slowLine(console, bytes: 1, pause: 0)
        #expect(auth?.hasPrefix(#"OK {"role":"viewer""#) == true, "\(auth ?? "<closed>")")
        let list = try #require(slowLine(console, bytes: 4_096, pause: 10_000), "the listing was cut off")
        #expect(list.utf8.count > 1_048_576, "the reply is larger than server.output_buffer_bytes (\(list.utf8.count) bytes)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.dropFirst(3).utf8)) as? [[String: Any]])
        #expect(rows.count == 10_000 && Set(rows.compactMap { $0["id"] as? String }).count == 10_000)
        #expect(daemon.stat("paused_output") ?? 0 >= 1, "the reply went through the backpressure path")
        #expect(daemon.stat("closed_output_stalled") == 0)

        let admin = try LineConnection(unixPath: daemon.socketPath, timeoutSeconds: 60)
        let fast = admin.ask("WORKER LIST limit=10000")
        #expect(fast.components(separatedBy: #""id":"s"#).count - 1 == 10_000, "the admin socket's reader too")
    }

    @Test func aClientThatNeverReadsIsHeldToItsBufferThenClosedAfterTheStall() throws {
        let daemon = try DaemonProcess(arguments: ["--server.output_buffer_bytes", "65536", "--server.output_stall_s", "2"])
        defer { daemon.stop() }
        try register(2_000, on: daemon)
        let admin = try LineConnection(unixPath: daemon.socketPath)
        let token = try #require(JSONField.value(admin.ask("TOKEN ISSUE admin label=hog"), "token"))
        let before = daemon.residentBytes
        // 200 000 PINGs with a booking and a 300 kB listing after every thousand: 60 MB of
        // replies, if it read — the listings' parked behind the bookings' commits.
        var requests = "AUTH \(token)\n"
        for index in 0..<200_000 {
            requests += "PING\n"
            if index % 1_000 == 999 {
                requests += "JOB NEW skill=cook lat=27.5960 lon=78.0500 ref=hog-\(index)\nWORKER LIST limit=10000\n"
            }
        }
        let bytes = Array(requests.utf8)
        let hog = try RawClient(port: daemon.port, receiveBuffer: 4_096)
        let sender = Thread { hog.send(bytes) }
        sender.start()
        #expect(waitUntil { daemon.stat("paused_output") ?? 0 >= 1 }, "sevad never stopped reading from the hog")

        let other = try LineConnection(port: daemon.port, timeoutSeconds: 5)
        var slowest = 0.0
        var peak = daemon.residentBytes
        for _ in 0..<200 {
            let start = Date()
            #expect(other.ask("PING") == "OK")
            slowest = max(slowest, Date().timeIntervalSince(start))
            peak = max(peak, daemon.residentBytes)
        }
        #expect(slowest < 1, "another client's PING waited \(slowest) s")

        #expect(waitUntil { peak = max(peak, daemon.residentBytes); return daemon.stat("closed_output_stalled") == 1 },
                "the hog was not closed after server.output_stall_s")
        #expect(waitUntil(5) { hog.isClosedByPeer })
        #expect(waitUntil(5) { daemon.log.contains("closing the connection of 127.0.0.1: read nothing for server.output_stall_s (2 s)") },
                "logged once, with the peer")
        let grown = peak - before
        #expect(grown < 32 << 20, "the daemon grew by \(grown >> 20) MB for a client that reads nothing")
        #expect(other.ask("PING") == "OK")
    }

    /// Requests before a QUIT are all answered, in order, then the connection closes — also
    /// when their replies overflow the output buffer and some wait their turn unrun.
    @Test func aQuitAfterLargeRepliesAnswersEverythingBeforeItThenCloses() throws {
        let daemon = try DaemonProcess(arguments: ["--server.output_buffer_bytes", "4096"])
        defer { daemon.stop() }
        try register(200, on: daemon)
        let client = try LineConnection(unixPath: daemon.socketPath)
        client.send("JOB GET 1\nWORKER LIST limit=200\nWORKER LIST limit=200\nWORKER LIST limit=200\nQUIT\nPING\n")
        #expect(client.line() == "ERR NOTFOUND no job 1")
        for _ in 0..<3 { #expect(client.line()?.components(separatedBy: #""id":"s"#).count == 201) }
        #expect(client.line() == "OK", "QUIT's own reply")
        #expect(client.line() == nil, "nothing after QUIT runs, and the connection closes")
    }

    /// A client that sends QUIT behind large replies and reads nothing is still closed once
    /// it has read nothing for `server.output_stall_s`.
    @Test func aClosingClientThatReadsNothingIsClosedAfterTheStall() throws {
        let daemon = try DaemonProcess(arguments: ["--server.output_buffer_bytes", "4096", "--server.output_stall_s", "1"])
        defer { daemon.stop() }
        try register(2_000, on: daemon)
        let client = try LineConnection(unixPath: daemon.socketPath)
        client.send(String(repeating: "WORKER LIST limit=10000\n", count: 20) + "QUIT\n")
        #expect(waitUntil { daemon.stat("closed_output_stalled") == 1 }, "a closing connection was kept open")
    }

    /// A client that half-closes after a pipeline of engine and connection requests gets every
    /// reply before the close.
    @Test func aHalfClosedPipelineIsAnsweredInFull() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        for round in 0..<3 {
            let client = try LineConnection(unixPath: daemon.socketPath)
            // In pieces, so that some arrive while the engine holds the ones before.
            for piece in 0..<20 {
                var requests = ""
                for index in (piece * 100 + 1)...(piece * 100 + 100) { requests += index % 2 == 1 ? "JOB GET \(index)\n" : "PING\n" }
                client.send(requests)
            }
            client.finishSending()
            var replies = 0
            while let line = client.line() {
                #expect(line == (replies % 2 == 0 ? "ERR NOTFOUND no job \(replies + 1)" : "OK"))
                replies += 1
            }
            #expect(replies == 2_000, "round \(round): \(replies) replies of 2 000")
        }
    }

    @Test func aSubscriberFarBehindIsClosedPastTheHardLimit() throws {
        let daemon = try DaemonProcess(arguments: ["--server.output_buffer_bytes", "4096", "--server.output_hard_bytes", "65536",
                                                   "--dispatch.accept", "auto"])
        defer { daemon.stop() }
        // On the Unix socket the kernel holds at most a socket buffer (≈ 200 kB) for a reader
        // that reads nothing; the rest piles up in sevad.
        let subscriber = try LineConnection(unixPath: daemon.socketPath, timeoutSeconds: 10)
        #expect(subscriber.ask("SUBSCRIBE jobs") == "OK", "subscribed; from here on it reads nothing")
        let admin = try LineConnection(unixPath: daemon.socketPath, timeoutSeconds: 120)
        let booker = try #require(JSONField.value(admin.ask("TOKEN ISSUE booker client=partner-app"), "token"))
        // Bookings with no worker anywhere: each is searching, then unfilled — two events, ≈ 120 bytes.
        let bookerClient = try LineConnection(port: daemon.port, timeoutSeconds: 120)
        #expect(bookerClient.ask("AUTH \(booker)").hasPrefix("OK"))
        var burst = ""
        for index in 0..<6_000 { burst += "JOB NEW skill=cook lat=27.5960 lon=78.0500 ref=far-\(index)\n" }
        bookerClient.send(burst)
        #expect(bookerClient.awaitOK(6_000))
        #expect(waitUntil { daemon.stat("closed_output_hard_limit") == 1 }, "the subscriber far behind was kept")
        #expect(waitUntil(5) { daemon.log.contains("past server.output_hard_bytes (65536)") })
        var events = 0
        while let line = subscriber.line() {
            #expect(line.hasPrefix("EVT job "))
            events += 1
        }
        #expect(events > 0 && events < 12_000, "the subscriber got \(events) of 12 000 events, then was closed")
        #expect(daemon.stat("closed_output_stalled") == 0)
        #expect(bookerClient.ask("JOB GET 6000").contains(#""state":"unfilled""#), "the booker was not slowed or lost")
    }
}
