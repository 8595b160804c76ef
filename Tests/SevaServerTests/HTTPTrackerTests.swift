import Foundation
import SevaClient
import Testing

/// A small HTTP/1.1 client on one keep-alive connection, for bodies of one line (sevad's are).
final class HTTPTestClient {
    struct Response {
        let status: Int
        let headers: [String: String]
        let body: String
    }

    private let connection: LineConnection

    init(port: Int) throws { connection = try LineConnection(port: port) }

    /// A response whose body may run to many lines (a page), read to its `Content-Length`.
    func requestText(_ method: String, _ target: String) -> Response? {
        guard connection.send("\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n\r\n"),
              let statusLine = connection.line(), let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            return nil
        }
        let headers = readHeaders()
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = ""
        while body.utf8.count < length, let line = connection.line() { body += line + "\n" }
        return Response(status: status, headers: headers, body: body)
    }

    private func readHeaders() -> [String: String] {
        var headers: [String: String] = [:]
        while let line = connection.line()?.trimmingCharacters(in: .newlines), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    func request(_ method: String, _ target: String, headers: [String: String] = [:], body: String = "") -> Response? {
        guard connection.send(Self.text(method, target, headers: headers, body: body)) else { return nil }
        return response()
    }

    /// The request's bytes as a client writes them.
    static func text(_ method: String, _ target: String, headers: [String: String] = [:], body: String = "") -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { text += "Content-Length: \(body.utf8.count)\r\n" }
        return text + "\r\n" + body
    }

    /// Several requests written at once, as a pipelining client does.
    func pipeline(_ requests: [String]) -> Bool { connection.send(requests.joined()) }

    /// The next response (a one-line body).
    func response() -> Response? {
        guard let statusLine = connection.line(), let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            return nil
        }
        let headers = readHeaders()
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard length > 0 else { return Response(status: status, headers: headers, body: "") }
        guard let body = connection.line(), body.utf8.count + 1 == length else { return nil }
        return Response(status: status, headers: headers, body: body)
    }

    /// True when the server closed the connection (the next read ends the stream).
    var isClosedByServer: Bool { connection.line() == nil }
}

/// Tracker apps at `/v1/track` on the real daemon: each format with the body a real app
/// sends, the token wherever the app puts it, and what the worker's position is afterwards.
@Suite(.serialized) struct HTTPTrackerTests {
    struct Fixture {
        let daemon: DaemonProcess
        let http: HTTPTestClient
        let admin: LineConnection
        let workerToken: String
        let gatewayToken: String

        init() throws {
            daemon = try DaemonProcess(arguments: ["--http.listen", "[\"127.0.0.1:0\"]"])
            let port = try daemon.httpPort()
            http = try HTTPTestClient(port: port)
            admin = try LineConnection(unixPath: daemon.socketPath)
            #expect(admin.ask("WORKER ADD w1 skills=plumber") == "OK")
            #expect(admin.ask("WORKER ADD w2 skills=cook") == "OK")
            workerToken = try #require(JSONField.value(admin.ask("TOKEN ISSUE worker worker=w1"), "token"))
            gatewayToken = try #require(JSONField.value(admin.ask("TOKEN ISSUE gateway"), "token"))
        }

        func position(_ worker: String) -> (Double, Double)? {
            let reply = admin.ask("WORKER GET \(worker)")
            guard let lat = JSONField.value(reply, "lat").flatMap(Double.init), let lon = JSONField.value(reply, "lon").flatMap(Double.init)
            else { return nil }
            return (lat, lon)
        }

        func stat(_ name: String) -> Int { JSONField.value(admin.ask("STATS"), name).flatMap { Int($0) } ?? -1 }
    }

    var now: Int { Int(Date().timeIntervalSince1970) }

    func basic(_ user: String, _ password: String) -> String { "Basic " + Data("\(user):\(password)".utf8).base64EncodedString() }

    @Test func osmAndQueryAndFormMoveTheWorker() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        let query = try #require(fixture.http.request("GET", "/v1/track?id=w1&lat=26.8467&lon=80.9462&timestamp=\(now - 30)"
                                                     + "&speed=5&bearing=90&accuracy=12&batt=80&token=\(fixture.workerToken)"))
        #expect(query.status == 200 && query.body == #"{"fixes":1}"#, "\(query)")
        #expect(fixture.position("w1")! == (26.8467, 80.9462))
        let form = try #require(fixture.http.request("POST", "/", headers: ["Authorization": "Bearer \(fixture.workerToken)",
                                                                          "Content-Type": "application/x-www-form-urlencoded"],
                                                    body: "deviceid=w1&lat=26.8470&lon=80.9462&timestamp=\(now - 20)"))
        #expect(form.status == 200, "\(form)")
        #expect(fixture.position("w1")! == (26.847, 80.9462), "Traccar Client's default URL has no path")
    }

    @Test func traccarArrayIsAppliedOldestFirstAndItsDuplicateIsCountedNotRefused() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        let accepted = fixture.stat("accepted"), older = fixture.stat("older")
        let body = #"[{"id":"w1","lat":26.8480,"lon":80.9462,"timestamp":\#(now - 10)},"#
            + #"{"id":"w1","lat":26.8470,"lon":80.9462,"timestamp":\#(now - 60)},"#
            + #"{"id":"w1","lat":26.8470,"lon":80.9462,"timestamp":\#(now - 60)}]"#
        let response = try #require(fixture.http.request("POST", "/v1/track", headers: ["Authorization": basic("w1", fixture.workerToken),
                                                                                        "Content-Type": "application/json"], body: body))
        #expect(response.status == 200 && response.body == #"{"fixes":3}"#, "\(response)")
        #expect(fixture.position("w1")! == (26.848, 80.9462))
        #expect(fixture.stat("accepted") == accepted + 2 && fixture.stat("older") == older + 1,
                "oldest first: two accepted, the duplicate counted as older")
        let object = #"{"location":{"timestamp":"\#(iso(now - 5))","coords":{"latitude":26.8490,"longitude":80.9462,"#
            + #""accuracy":8,"speed":1.2,"heading":-1},"battery":{"level":0.5}},"device_id":"w1"}"#
        let traccar = try #require(fixture.http.request("POST", "/v1/track?token=\(fixture.workerToken)",
                                                       headers: ["Content-Type": "application/json"], body: object))
        #expect(traccar.status == 200, "\(traccar)")
        #expect(fixture.position("w1")! == (26.849, 80.9462))
    }

    @Test func ownTracksAnswersAnArrayAndTakesEmptyBodies() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        let headers = ["Authorization": basic("w1", fixture.workerToken), "X-Limit-U": "w1", "X-Limit-D": "phone",
                       "Content-Type": "application/json"]
        let body = #"{"_type":"location","tid":"w1","lat":26.85,"lon":80.95,"tst":\#(now - 5),"acc":10,"vel":18,"batt":60}"#
        let located = try #require(fixture.http.request("POST", "/v1/track", headers: headers, body: body))
        #expect(located.status == 200 && located.body == "[]", "\(located)")
        #expect(fixture.position("w1")! == (26.85, 80.95))
        let empty = try #require(fixture.http.request("POST", "/v1/track", headers: headers))
        #expect(empty.status == 200 && empty.body == "[]", "\(empty)")
    }

    /// A phone with no sevad app hears of its offer in the reply to its next fix.
    @Test func aPendingOfferIsAnnouncedInTheReply() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        #expect(fixture.admin.ask("WORKER SET w1 verified=yes") == "OK")
        #expect(fixture.admin.ask("AVAIL w1 on") == "OK")
        let first = try #require(fixture.http.request("GET", "/v1/track?id=w1&lat=26.8467&lon=80.9462&timestamp=\(now - 30)"
                                                     + "&token=\(fixture.workerToken)"))
        #expect(first.status == 200 && first.body == #"{"fixes":1}"#, "no offer yet: \(first)")
        // Another connection books: the admin one, having sent AVAIL for w1, hears w1's offers.
        let booker = try LineConnection(unixPath: fixture.daemon.socketPath)
        let booked = booker.ask(#"JOB NEW skill=plumber lat=26.8470 lon=80.9460 address="12 Sadar Bazar""#)
        #expect(booked.hasPrefix(#"OK {"id":1"#), "\(booked)")
        #expect(waitUntil { booker.ask("JOB GET 1").contains(#""state":"offered""#) })
        let osmAnd = try #require(fixture.http.request("GET", "/v1/track?id=w1&lat=26.8468&lon=80.9462&timestamp=\(now - 20)"
                                                      + "&token=\(fixture.workerToken)"))
        #expect(osmAnd.status == 200 && osmAnd.body.contains(#""offer":{"job":1,"skill":"plumber","address":"12 Sadar Bazar""#), "\(osmAnd)")
        let ownTracks = try #require(fixture.http.request("POST", "/v1/track", headers: ["Authorization": basic("w1", fixture.workerToken),
                                                                                         "Content-Type": "application/json"],
            body: #"{"_type":"location","lat":26.8469,"lon":80.9462,"tst":\#(now - 10)}"#))
        #expect(ownTracks.status == 200 && ownTracks.body.hasPrefix(#"[{"_type":"cmd","action":"action","content":"Seva Mitra: a plumber job"#),
                "\(ownTracks)")
    }

    /// A worker's tracker requests are paced as its LOCs are: past `server.max_pings_per_s`, 429.
    @Test func aWorkerOverItsRateIsToldToRetryLater() throws {
        let daemon = try DaemonProcess(arguments: ["--http.listen", "[\"127.0.0.1:0\"]", "--server.max_pings_per_s", "2"])
        defer { daemon.stop() }
        let port = try daemon.httpPort()
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER ADD w1 skills=plumber") == "OK")
        let token = try #require(JSONField.value(admin.ask("TOKEN ISSUE worker worker=w1"), "token"))
        let client = try HTTPTestClient(port: port)
        #expect(client.pipeline((0..<6).map { HTTPTestClient.text("GET", "/v1/track?id=w1&lat=26.8\($0)&lon=80.9&token=\(token)") }))
        let statuses = (0..<6).compactMap { _ in client.response()?.status }
        #expect(statuses.count == 6 && statuses.prefix(2) == [200, 200] && statuses.contains(429), "\(statuses)")
    }

    @Test func refusalsSayWhyWithTheirStatus() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        let http = fixture.http
        let fix = "lat=26.85&lon=80.95&timestamp=\(now - 5)"
        let noToken = try #require(http.request("GET", "/v1/track?id=w1&\(fix)"))
        #expect(noToken.status == 401 && noToken.headers["www-authenticate"] != nil && noToken.body.contains(#""code":"NOAUTH""#))
        let badToken = try #require(http.request("GET", "/v1/track?id=w1&\(fix)&token=nonsense"))
        #expect(badToken.status == 401 && badToken.body.contains("invalid token"))
        let otherDevice = try #require(http.request("GET", "/v1/track?id=w2&\(fix)&token=\(fixture.workerToken)"))
        #expect(otherDevice.status == 403 && otherDevice.body.contains("own worker (w1)"), "\(otherDevice)")
        let unknown = try #require(http.request("GET", "/v1/track?id=ghost&\(fix)&token=\(fixture.gatewayToken)"))
        #expect(unknown.status == 404 && unknown.body.contains("no worker ghost"), "\(unknown)")
        let malformed = try #require(http.request("POST", "/v1/track?token=\(fixture.workerToken)",
                                                  headers: ["Content-Type": "application/json"], body: #"{"location":"#))
        #expect(malformed.status == 400 && malformed.body.contains("not JSON"), "\(malformed)")
        let outOfRange = try #require(http.request("GET", "/v1/track?id=w1&lat=99&lon=80&token=\(fixture.workerToken)"))
        #expect(outOfRange.status == 400 && outOfRange.body.contains("lat must be a number from -90 to 90"))
        #expect(fixture.position("w1") == nil, "nothing refused moved the worker")
        let gateway = try #require(http.request("GET", "/v1/track?id=w2&\(fix)&token=\(fixture.gatewayToken)"))
        #expect(gateway.status == 200 && fixture.position("w2")! == (26.85, 80.95), "a gateway reports for any worker it names")
        let future = fixture.stat("future")
        let ahead = try #require(http.request("GET", "/v1/track?id=w2&lat=26.86&lon=80.95&timestamp=\(now + 3_600)"
                                              + "&token=\(fixture.gatewayToken)"))
        #expect(ahead.status == 200 && fixture.stat("future") == future + 1, "a fix from the future is counted, not retried forever")
        let nowhere = try #require(http.request("GET", "/v2/anything"))
        #expect(nowhere.status == 404 && nowhere.body.contains("/v1/track"))
    }

    func iso(_ seconds: Int) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
