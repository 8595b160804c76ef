import Foundation
import SevaClient
import Testing

/// One Server-Sent Events stream read off a raw connection (chunked framing skipped).
final class SSEReader {
    struct Event: Equatable {
        var id: String?
        var kind: String?
        var data: String?
    }

    let connection: LineConnection
    let status: Int
    let headers: [String: String]

    init(port: Int, target: String, headers extra: [String: String] = [:]) throws {
        connection = try LineConnection(port: port, timeoutSeconds: 10)
        var text = "GET \(target) HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n"
        for (name, value) in extra { text += "\(name): \(value)\r\n" }
        _ = connection.send(text + "\r\n")
        let statusLine = connection.line() ?? ""
        status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        while let line = connection.line()?.trimmingCharacters(in: .newlines), !line.isEmpty {
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        self.headers = headers
    }

    /// The next comment line, read past anything else (nil when the stream ends or times out).
    func nextComment() -> String? {
        while let line = connection.line() {
            if line.hasPrefix(":") { return line }
        }
        return nil
    }

    /// The next event (not a `retry:`-only block), or nil when the stream ends or times out.
    func next() -> Event? {
        var event = Event()
        var any = false
        while let line = connection.line() {
            if line.hasSuffix("\r") { continue }
            if line.isEmpty {
                if any && (event.kind != nil || event.data != nil) { return event }
                event = Event()
                any = false
                continue
            }
            if line.hasPrefix(":") { continue }
            any = true
            if line.hasPrefix("id: ") { event.id = String(line.dropFirst(4)) }
            if line.hasPrefix("event: ") { event.kind = String(line.dropFirst(7)) }
            if line.hasPrefix("data: ") { event.data = String(line.dropFirst(6)) }
        }
        return nil
    }
}

/// `GET /v1/events` on the real daemon: the durable feed as Server-Sent Events, resumed with
/// `Last-Event-ID` after a disconnect with nothing missed or repeated.
@Suite(.serialized) struct HTTPEventStreamTests {
    @Test func aStreamResumesFromLastEventIDWithNothingMissedOrRepeated() throws {
        let daemon = try DaemonProcess(arguments: ["--http.listen", "[\"127.0.0.1:0\"]", "--http.keepalive_s", "0.2"])
        defer { daemon.stop() }
        let port = try daemon.httpPort()
        let admin = try LineConnection(unixPath: daemon.socketPath)
        let token = try #require(JSONField.value(admin.ask("TOKEN ISSUE booker client=portal"), "token"))
        let issued = admin.ask("TOKEN ISSUE viewer")
        let viewer = try #require(JSONField.value(issued, "token"))
        let viewerPrefix = try #require(JSONField.value(issued, "prefix"), "\(issued)")
        let booker = try LineConnection(port: daemon.port)
        #expect(booker.ask("AUTH \(token)").hasPrefix("OK"))
        func book(_ n: Int) -> String {
            booker.ask("JOB NEW skill=plumber lat=26.8\(n) lon=80.9 ref=order-\(n)")
        }

        let first = try SSEReader(port: port, target: "/v1/events?token=\(token)")
        #expect(first.status == 200 && first.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        #expect(book(1).hasPrefix("OK") && book(2).hasPrefix("OK"))
        var seen: [SSEReader.Event] = []
        while seen.count < 2, let event = first.next() { seen.append(event) }
        #expect(seen.map(\.kind) == ["job", "job"] && seen.allSatisfy { $0.id != nil && $0.data?.contains(#""seq":\#($0.id!)"#) == true },
                "\(seen)")
        #expect(first.nextComment() == ": keep-alive", "a quiet stream is kept open with comment lines")
        let lastSeen = try #require(seen.last?.id)
        first.connection.finishSending()

        #expect(book(3).hasPrefix("OK") && book(4).hasPrefix("OK"), "booked while the stream was away")
        let resumed = try SSEReader(port: port, target: "/v1/events", headers: ["Authorization": "Bearer \(token)",
                                                                               "Last-Event-ID": lastSeen])
        #expect(resumed.status == 200)
        var missed: [SSEReader.Event] = []
        while missed.count < 2, let event = resumed.next() { missed.append(event) }
        let ids = missed.compactMap { $0.id.flatMap { Int($0) } }
        #expect(ids == [Int(lastSeen)! + 1, Int(lastSeen)! + 2], "exactly what was missed, in order: \(missed)")
        #expect(book(5).hasPrefix("OK"))
        #expect(resumed.next()?.id == String(Int(lastSeen)! + 3), "then live")

        let watching = try SSEReader(port: port, target: "/v1/events?since=0&token=\(viewer)")
        #expect(watching.status == 200 && watching.next()?.id == "1", "a viewer's operations page reads the stream too")
        #expect(admin.ask("TOKEN REVOKE \(viewerPrefix)").hasPrefix("OK"))
        // Keep-alive comments every 0.2 s would keep an open stream talking: only a close ends this early.
        let deadline = Date(timeIntervalSinceNow: 5)
        var ended = false
        while Date() < deadline {
            guard watching.connection.line() != nil else {
                ended = Date() < deadline
                break
            }
        }
        #expect(ended, "revoking the token ends its stream")
        let noToken = try SSEReader(port: port, target: "/v1/events")
        #expect(noToken.status == 401)
    }

    /// A stream's reader that reads nothing is closed once `server.output_hard_bytes` wait for
    /// it, and nothing else is held up; it resumes from its last id.
    @Test func aReaderFarBehindIsClosedAndResumes() throws {
        let daemon = try DaemonProcess(arguments: ["--http.listen", "[\"127.0.0.1:0\"]", "--server.output_buffer_bytes", "4096",
                                                   "--server.output_hard_bytes", "65536"])
        defer { daemon.stop() }
        let port = try daemon.httpPort()
        let admin = try LineConnection(unixPath: daemon.socketPath, timeoutSeconds: 120)
        let token = try #require(JSONField.value(admin.ask("TOKEN ISSUE booker client=portal"), "token"))
        let reader = try RawClient(port: port, receiveBuffer: 4_096)
        reader.send(Array("GET /v1/events?token=\(token) HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8))
        #expect(waitUntil { daemon.stat("subscribers") == 1 }, "the stream is open; from here on it reads nothing")
        let booker = try LineConnection(port: daemon.port, timeoutSeconds: 120)
        #expect(booker.ask("AUTH \(token)").hasPrefix("OK"))
        // The kernel's send buffer for a TCP peer grows to megabytes before anything waits in
        // sevad: book in bursts of 6 000 (two events each) until the stream is closed, at most 60 000.
        var booked = 0
        while booked < 60_000 && daemon.stat("subscribers") == 1 {
            var burst = ""
            for index in booked..<booked + 6_000 { burst += "JOB NEW skill=cook lat=27.5960 lon=78.0500 ref=far-\(index)\n" }
            booker.send(burst)
            #expect(booker.awaitOK(6_000), "the bookings were not held up by the stream")
            booked += 6_000
        }
        #expect(waitUntil(30) { daemon.stat("subscribers") == 0 }, "the stream far behind was closed after \(booked) bookings")
        // What sevad's kernel still held for the reader arrives before the FIN, as the reader drains it.
        #expect(waitUntil { reader.isClosedByPeer }, "the reader sees the end of its stream")
        let resumed = try SSEReader(port: port, target: "/v1/events", headers: ["Authorization": "Bearer \(token)", "Last-Event-ID": "5990"])
        #expect(resumed.status == 200)
        #expect(resumed.next()?.id == "5991" && resumed.next()?.id == "5992", "it resumes from its last id")
    }
}
