import Foundation
import SevaClient
import SevaCore
import Testing

/// Worker privacy on the real daemon (DESIGN.md §2; issue 14 findings 4 and 5): a booker
/// never learns where a worker is — not from NEAR however it probes, not from WORKER GET, not
/// from `EVT track` or a job's history — and a revoked booker hears nothing more.
@Suite(.serialized) struct DaemonPrivacyTests {
    static let hathras = try! GeoPoint(latitude: 27.5960, longitude: 78.0500)

    static func text(_ point: GeoPoint) -> String { String(format: "%.6f %.6f", point.latitude, point.longitude) }

    static func east(_ metres: Double, of point: GeoPoint = hathras) -> GeoPoint {
        GeoMath.destination(from: point, metres: metres, bearingDegrees: 90)
    }

    static func ts(_ ago: Double) -> String { "ts=\(Int(Date().timeIntervalSince1970 - ago))" }

    func token(_ admin: LineConnection, _ request: String) throws -> String {
        let reply = admin.ask(request)
        return try #require(JSONField.value(reply, "token"), "\(reply)")
    }

    func client(_ daemon: DaemonProcess, _ token: String) throws -> EventClient {
        let client = EventClient(try LineConnection(port: daemon.port))
        #expect(client.ask("AUTH \(token)").hasPrefix("OK"))
        return client
    }

    func rows(_ reply: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(reply.dropFirst(3).utf8)) as? [[String: Any]], "\(reply)")
    }

    @Test func twoWorkersOfOneCellLookAlikeToEveryBookerProbe() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        let cell = PrivacyGrid(cellMetres: 500).snap(Self.hathras)
        for (id, point) in [("a", cell), ("b", Self.east(15, of: cell))] {
            #expect(admin.ask("WORKER ADD \(id) skills=plumber verified=yes") == "OK")
            #expect(admin.ask("LOC \(id) \(Self.text(point)) acc=5") == "OK")
            #expect(admin.ask("AVAIL \(id) on") == "OK")
        }
        let exact = try rows(admin.ask("NEAR \(Self.text(Self.east(400, of: cell))) radius_km=2"))
        #expect(exact.count == 2 && exact[0]["dist_m"] as? Int != exact[1]["dist_m"] as? Int, "admins see the 15 m")
        let booker = try client(daemon, try token(admin, "TOKEN ISSUE booker client=web-portal"))
        var random = SeededGenerator(seed: 14)
        var seenTogether = 0
        for _ in 0..<300 {
            let centre = GeoMath.destination(from: cell, metres: random.unit() * 3_000, bearingDegrees: random.unit() * 360)
            let radius = String(format: "%.3f", 0.01 + random.unit() * 3)
            let found = try rows(booker.ask("NEAR \(Self.text(centre)) skill=plumber radius_km=\(radius) limit=10"))
            let a = found.first { $0["id"] as? String == "a" }
            let b = found.first { $0["id"] as? String == "b" }
            #expect((a == nil) == (b == nil), "one seen without the other from \(centre) within \(radius) km")
            if let a, let b {
                seenTogether += 1
                #expect(a["dist_m"] as? Int == b["dist_m"] as? Int && (a["dist_m"] as? Int ?? 1) % 100 == 0)
            }
            #expect(found.allSatisfy { $0["lat"] == nil && $0["lon"] == nil })
        }
        #expect(seenTogether > 20, "the probes mostly missed the workers")
    }

    @Test func aBookerMayCallItsWorkerButNeverLocateIt() throws {
        let daemon = try DaemonProcess(arguments: ["--dispatch.accept", "auto"])
        defer { daemon.stop() }
        let admin = EventClient(try LineConnection(unixPath: daemon.socketPath))
        for (id, metres) in [("sunil", 1_000.0), ("other", 4_000)] {
            #expect(admin.ask("WORKER ADD \(id) skills=plumber verified=yes name=\"\(id)\" phone=\"+91 98765 4321\"") == "OK")
            #expect(admin.ask("LOC \(id) \(Self.text(Self.east(metres))) acc=5 \(Self.ts(100))") == "OK")
            #expect(admin.ask("AVAIL \(id) on") == "OK")
        }
        let portal = try client(daemon, try token(admin.connection, "TOKEN ISSUE booker client=web-portal"))
        let crm = try client(daemon, try token(admin.connection, "TOKEN ISSUE booker client=helpline-crm"))
        let job = try #require(JSONField.value(portal.ask("JOB NEW skill=plumber lat=27.5960 lon=78.0500"), "id"))
        #expect(portal.ask("JOB GET \(job)").contains(#""state":"assigned","worker":"sunil""#))

        let card = portal.ask("WORKER GET sunil")
        #expect(card.hasPrefix(#"OK {"id":"sunil","name":"sunil","phone":"+91 98765 4321""#), "\(card)")
        #expect(!card.contains("\"lat\"") && !card.contains("\"lon\"") && !card.contains("age_s"))
        #expect(portal.ask("WORKER GET other") == "ERR NOTFOUND no worker other on an open job of yours")
        #expect(crm.ask("WORKER GET sunil") == "ERR NOTFOUND no worker sunil on an open job of yours")
        #expect(admin.ask("WORKER GET sunil").contains("\"lat\""), "admins keep the exact view")

        #expect(portal.ask("WATCH \(job)") == "OK")
        #expect(admin.ask("WATCH \(job)") == "OK")
        #expect(admin.ask("LOC sunil \(Self.text(Self.east(800))) acc=5 \(Self.ts(50))") == "OK")
        let seen = try #require(portal.awaitEvents(1).first { $0.hasPrefix("EVT track") }, "no track for the booker")
        #expect(seen.range(of: #"^EVT track \{"job":\d+,"worker":"sunil","dist_m":\d+,"eta_s":\d+\}$"#,
                           options: .regularExpression) != nil, "\(seen)")
        let exact = try #require(admin.awaitEvents(1).first { $0.hasPrefix("EVT track") })
        #expect(exact.contains(#""lat":"#) && exact.contains(#""lon":"#))
        let history = portal.ask("JOB GET \(job)")
        #expect(!history.contains("candidates") && !history.contains("dist_m"), "no distances in a booker's history: \(history)")
        #expect(admin.ask("JOB GET \(job)").contains(#""candidates":[{"id":"sunil""#))
    }

    @Test func aRevokedBookerHearsNothingMoreAndIsClosed() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        let issued = admin.ask("TOKEN ISSUE booker client=partner-app")
        let token = try #require(JSONField.value(issued, "token"))
        let prefix = try #require(JSONField.value(issued, "prefix"))
        let watcher = try client(daemon, token)
        let tomorrow = Int(Date().timeIntervalSince1970) + 86_400
        var jobs: [String] = []
        for ref in ["first", "second"] {
            jobs.append(try #require(JSONField.value(watcher.ask("JOB NEW skill=cook lat=27.5960 lon=78.0500 ref=\(ref) at=\(tomorrow)"), "id")))
        }
        for job in jobs { #expect(watcher.ask("WATCH \(job)") == "OK") }
        #expect(admin.ask("JOB CANCEL \(jobs[0])") == "OK")
        #expect(watcher.awaitEvents(1).first?.contains(#""state":"cancelled""#) == true, "events flowed before the revoke")

        #expect(admin.ask("TOKEN REVOKE \(prefix)") == #"OK {"revoked":1}"#)
        #expect(admin.ask("JOB CANCEL \(jobs[1])") == "OK")
        var after: [String] = []
        while let line = watcher.connection.line() { after.append(line) }
        #expect(after == ["ERR NOAUTH token revoked; closing"], "after the revoke's OK: \(after)")
    }
}
