import Foundation
import SevaClient
import Testing
@testable import SevaServer

/// The REST API on the real daemon, role by role, and the OpenAPI document against what is served.
@Suite(.serialized) struct HTTPRESTTests {
    struct Fixture {
        let daemon: DaemonProcess
        let port: Int
        let admin: LineConnection
        var tokens: [String: String] = [:]

        init() throws {
            daemon = try DaemonProcess(arguments: ["--http.listen", "[\"127.0.0.1:0\"]"])
            let port = try daemon.httpPort()
            self.port = port
            admin = try LineConnection(unixPath: daemon.socketPath)
            for request in ["WORKER ADD w1 skills=plumber verified=yes", "LOC w1 26.8467 80.9462", "AVAIL w1 on"] {
                #expect(admin.ask(request) == "OK", "\(request)")
            }
            for (name, request) in [("portal", "TOKEN ISSUE booker client=portal"), ("crm", "TOKEN ISSUE booker client=crm"),
                                    ("viewer", "TOKEN ISSUE viewer"), ("admin", "TOKEN ISSUE admin")] {
                let token = try #require(JSONField.value(admin.ask(request), "token"))
                tokens[name] = token
            }
        }

        func call(_ method: String, _ target: String, as name: String?, body: String = "",
                  headers: [String: String] = [:]) throws -> HTTPTestClient.Response {
            var all = headers
            if let name { all["Authorization"] = "Bearer \(tokens[name]!)" }
            if !body.isEmpty { all["Content-Type"] = "application/json" }
            return try #require(try HTTPTestClient(port: port).request(method, target, headers: all, body: body))
        }
    }

    @Test func bookersBookAndFollowTheirOwnJobs() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        let booking = #"{"skill":"plumber","lat":26.8470,"lon":80.9460,"address":"12 Sadar Bazar, \"back\" door"}"#
        let booked = try fixture.call("POST", "/v1/jobs", as: "portal", body: booking, headers: ["Idempotency-Key": "order-77"])
        #expect(booked.status == 201 && booked.body.contains(#""state":"#), "\(booked)")
        let id = try #require(JSONField.value(booked.body, "id"))
        let again = try fixture.call("POST", "/v1/jobs", as: "portal", body: booking, headers: ["Idempotency-Key": "order-77"])
        #expect(JSONField.value(again.body, "id") == id, "the same Idempotency-Key is the same job")
        let job = try fixture.call("GET", "/v1/jobs/\(id)", as: "portal")
        #expect(job.status == 200 && job.body.contains(#"12 Sadar Bazar, \"back\" door"#) && job.body.contains(#""events":["#), "\(job)")
        #expect(try fixture.call("GET", "/v1/jobs/\(id)", as: "crm").status == 404, "another client's job is not found")
        let list = try fixture.call("GET", "/v1/jobs?limit=10", as: "portal")
        #expect(list.status == 200 && list.body.hasPrefix("[") && list.body.contains(#""id":\#(id)"#), "\(list)")
        #expect(try fixture.call("GET", "/v1/jobs?limit=10", as: "crm").body == "[]")
        let near = try fixture.call("GET", "/v1/near?lat=26.8470&lon=80.9460&skill=plumber&all=yes", as: "portal")
        #expect(near.status == 200 && near.body.contains(#""dist_m""#) && !near.body.contains(#""lat""#), "a booker gets no coordinates: \(near)")
        let cancelled = try fixture.call("POST", "/v1/jobs/\(id)/cancel", as: "portal", body: #"{"reason":"changed my mind"}"#)
        #expect(cancelled.status == 200, "\(cancelled)")
        let twice = try fixture.call("POST", "/v1/jobs/\(id)/cancel", as: "portal")
        #expect(twice.status == 409 && twice.body.contains(#""code":"CONFLICT""#), "\(twice)")
    }

    @Test func eachRoleGetsWhatTheLineProtocolGivesIt() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        #expect(try fixture.call("GET", "/v1/stats", as: "viewer").body.contains(#""workers""#))
        let bookerStats = try fixture.call("GET", "/v1/stats", as: "portal")
        #expect(bookerStats.status == 403 && bookerStats.body.contains(#""code":"DENIED""#), "\(bookerStats)")
        let viewerBooks = try fixture.call("POST", "/v1/jobs", as: "viewer", body: #"{"skill":"plumber","lat":26.8,"lon":80.9}"#)
        #expect(viewerBooks.status == 403, "\(viewerBooks)")
        let worker = try fixture.call("GET", "/v1/workers/w1", as: "admin")
        #expect(worker.status == 200 && JSONField.value(worker.body, "id") == "w1", "\(worker)")
        #expect(try fixture.call("GET", "/v1/workers/w1", as: "portal").status == 404, "a booker does not look workers up")
        let anonymous = try fixture.call("GET", "/v1/stats", as: nil)
        #expect(anonymous.status == 401 && anonymous.headers["www-authenticate"] != nil)
    }

    @Test func badRequestsAreRefusedWithTheLineProtocolsWords() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        let unknownField = try fixture.call("POST", "/v1/jobs", as: "portal", body: #"{"skill":"plumber","lat":26.8,"lon":80.9,"colour":"red"}"#)
        #expect(unknownField.status == 400 && unknownField.body.contains("colour"), "\(unknownField)")
        let noPlace = try fixture.call("POST", "/v1/jobs", as: "portal", body: #"{"skill":"plumber"}"#)
        #expect(noPlace.status == 400 && noPlace.body.contains(#""code":"BADARG""#), "\(noPlace)")
        let notJSON = try fixture.call("POST", "/v1/jobs", as: "portal", body: "skill=plumber")
        #expect(notJSON.status == 400 && notJSON.body.contains("not JSON"), "\(notJSON)")
        let nested = try fixture.call("POST", "/v1/jobs", as: "portal", body: #"{"skill":["plumber"]}"#)
        #expect(nested.status == 400 && nested.body.contains("skill"), "\(nested)")
        let method = try fixture.call("DELETE", "/v1/jobs", as: "portal")
        #expect(method.status == 405 && method.headers["allow"] == "POST, GET", "\(method)")
        #expect(try fixture.call("GET", "/v1/nothing", as: "portal").status == 404)
        #expect(fixture.admin.ask("JOB LIST").hasPrefix("OK []"), "nothing refused was booked")
    }

    /// Pipelined requests are on the engine together and answered in request order: a 404 the
    /// connection's loop answers at once waits for the booking before it; `Connection: close`
    /// closes once its response is written.
    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let fixture = try Fixture()
        defer { fixture.daemon.stop() }
        let client = try HTTPTestClient(port: fixture.port)
        let booker = ["Authorization": "Bearer \(fixture.tokens["portal"]!)", "Content-Type": "application/json"]
        let booking = #"{"skill":"plumber","lat":26.8470,"lon":80.9460}"#
        #expect(client.pipeline([
            HTTPTestClient.text("POST", "/v1/jobs", headers: booker.merging(["Idempotency-Key": "p-1"]) { $1 }, body: booking),
            HTTPTestClient.text("GET", "/nowhere"),
            HTTPTestClient.text("GET", "/v1/stats", headers: ["Authorization": "Bearer \(fixture.tokens["viewer"]!)"]),
            HTTPTestClient.text("POST", "/v1/jobs", headers: booker.merging(["Idempotency-Key": "p-2"]) { $1 }, body: booking),
            HTTPTestClient.text("GET", "/v1/jobs/1", headers: ["Authorization": booker["Authorization"]!, "Connection": "close"]),
        ]))
        let answers = (0..<5).compactMap { _ in client.response() }
        #expect(answers.map(\.status) == [201, 404, 200, 201, 200], "\(answers)")
        #expect(JSONField.value(answers[0].body, "id") == "1" && JSONField.value(answers[3].body, "id") == "2")
        #expect(answers[4].headers["connection"] == "close" && client.isClosedByServer)
    }

    /// Every route served is in docs/openapi.yaml with its method, and nothing more is there.
    @Test func theOpenAPIDocumentDescribesExactlyWhatIsServed() throws {
        let text = try String(contentsOf: SystemdIntegrationTests.repository.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var documented: Set<String> = []
        var path: String?
        var inPaths = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            if inPaths, let first = line.first, first != " " { break }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") { path = String(line.dropFirst(2).dropLast()) }
            for method in ["get", "post", "put", "delete", "patch"] where line == "    \(method):" {
                documented.insert("\(method.uppercased()) \(path ?? "?")")
            }
        }
        let served = Set(RESTRoutes.table.map { "\($0.method.rawValue) \($0.path)" } + ["GET /v1/track", "POST /v1/track"])
        #expect(documented == served, "documented but not served: \(documented.subtracting(served)); served but not documented: \(served.subtracting(documented))")
    }
}
