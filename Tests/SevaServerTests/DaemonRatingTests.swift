import Foundation
import SevaClient
import Testing

/// JOB RATE on the real daemon: over both transports, every error, the stars in the worker's
/// JSON and the job's history, across a restart, and the rating floor at work in dispatch.
@Suite(.serialized) struct DaemonRatingTests {
    typealias Dispatch = DaemonDispatchTests

    /// Puts the worker `metres` east of Hathras, available.
    func place(_ admin: EventClient, _ worker: String, at metres: Double) {
        #expect(admin.ask("LOC \(worker) \(Dispatch.east(metres)) acc=10 ts=\(Int(Date().timeIntervalSince1970))") == "OK")
        #expect(admin.ask("AVAIL \(worker) on") == "OK")
    }

    /// Books a job from `booker` (auto mode assigns it at once) and returns its id and worker.
    func book(_ booker: EventClient, _ admin: EventClient) throws -> (id: Int, worker: String) {
        let reply = booker.ask("JOB NEW skill=plumber lat=27.5960 lon=78.0500")
        let id = try #require(JSONField.value(reply, "id").flatMap { Int($0) }, "\(reply)")
        let worker = try #require(JSONField.value(admin.ask("JOB GET \(id)"), "worker"), "job \(id) was assigned")
        return (id, worker)
    }

    /// The daemon's `/metrics` lines.
    func metrics(_ daemon: DaemonProcess) throws -> [String] {
        let range = try #require(daemon.log.range(of: #"metrics on http 127\.0\.0\.1:(\d+)/metrics"#, options: .regularExpression))
        let port = try #require(Int(daemon.log[range].split(separator: ":").last?.split(separator: "/").first ?? ""))
        let http = try LineConnection(port: port)
        http.send("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        var lines: [String] = []
        while let line = http.line() { lines.append(line) }
        return lines
    }

    func finish(_ job: (id: Int, worker: String), _ admin: EventClient) {
        for step in ["ARRIVED", "START", "DONE"] { #expect(admin.ask("\(step) \(job.worker) \(job.id)") == "OK", "\(step)") }
    }

    @Test func ratingsOverBothTransportsPersistAndKeepALowRatedWorkerOut() throws {
        let daemon = try DaemonProcess(arguments: ["--dispatch.accept", "auto", "--dispatch.policy", "nearest",
                                                   "--dispatch.min_rating", "3", "--dispatch.min_ratings", "2",
                                                   "--metrics.listen", "127.0.0.1:0"])
        let admin = EventClient(try LineConnection(unixPath: daemon.socketPath))
        for worker in ["r1", "r2"] { #expect(admin.ask("WORKER ADD \(worker) skills=plumber verified=yes") == "OK") }
        place(admin, "r1", at: 300)
        place(admin, "r2", at: 900)
        let portal = EventClient(try LineConnection(port: daemon.port))
        #expect(portal.ask("AUTH \(try Dispatch().token(admin.connection, "TOKEN ISSUE booker client=portal"))").hasPrefix("OK"))
        let other = EventClient(try LineConnection(port: daemon.port))
        #expect(other.ask("AUTH \(try Dispatch().token(admin.connection, "TOKEN ISSUE booker client=crm"))").hasPrefix("OK"))

        var rated: [Int] = []
        for (client, stars) in [(admin, 1), (portal, 2)] {
            let job = try book(portal, admin)
            #expect(job.worker == "r1", "nearest")
            #expect(client.ask("JOB RATE \(job.id) stars=\(stars)").hasPrefix("ERR CONFLICT job \(job.id) is assigned; cannot RATE"))
            finish(job, admin)
            #expect(client.ask("JOB RATE \(job.id) stars=9").hasPrefix("ERR BADARG stars"))
            #expect(client.ask("JOB RATE \(job.id)").hasPrefix("ERR BADARG stars: required"))
            #expect(other.ask("JOB RATE \(job.id) stars=5").hasPrefix("ERR NOTFOUND no job \(job.id)"), "another client's job")
            #expect(client.ask("JOB RATE \(job.id) stars=\(stars) comment=\"came late\"") == "OK")
            #expect(client.ask("JOB RATE \(job.id) stars=5").hasPrefix("ERR CONFLICT job \(job.id) is already rated"))
            #expect(client.ask("JOB RATE 999 stars=5").hasPrefix("ERR NOTFOUND no job 999"))
            rated.append(job.id)
            place(admin, "r1", at: 300)
        }
        let worker = admin.ask("WORKER GET r1")
        #expect(worker.contains(#""rating":1.5,"ratings":2"#), "\(worker)")
        let history = portal.ask("JOB GET \(rated[1])")
        #expect(history.contains(#""state":"completed","event":"rated","worker":"r1","detail":{"stars":2,"comment":"came late"}"#),
                "the booker sees its rating in the history: \(history)")
        #expect(admin.ask("FEED since=0").contains(#""state":"completed","event":"rated","worker":"r1"}"#))

        // Two ratings with a mean of 1.5: below the floor of 3, r1 is passed over.
        let third = try book(portal, admin)
        #expect(third.worker == "r2")
        let decision = admin.ask("JOB GET \(third.id)")
        #expect(decision.contains("below the rating floor (dispatch.min_rating), left out: r1"), "\(decision)")
        finish(third, admin)
        // r1 did two jobs, r2 one, both online: the Gini of [1, 2] is 1/6.
        #expect(admin.ask("STATS").contains(#""fairness":{"gini_jobs_today":0.167,"workers_with_jobs_today":2}"#))
        let metrics = try self.metrics(daemon)
        #expect(metrics.contains { $0.hasPrefix("sevad_jobs_today_gini 0.1666") } && metrics.contains("sevad_jobs_today_workers 2"),
                "\(metrics.filter { $0.contains("jobs_today") })")
        let sorted = SevaCtlTests().sevactl(["workers", "--sort", "jobs_today"], socket: daemon.socketPath)
        #expect(sorted.status == 0)
        let lines = sorted.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "2 workers; jobs today: 3 in all, mean 1.5, Gini 0.167, with none 0", "\(sorted.output)")
        #expect(lines.count == 4 && lines[2].hasPrefix("r1 ") && lines[3].hasPrefix("r2 "), "most jobs today first: \(sorted.output)")
        #expect(daemon.stop() == 0)

        let restarted = try DaemonProcess(directory: daemon.directory, arguments: ["--dispatch.accept", "auto"])
        defer { restarted.stop() }
        let again = EventClient(try LineConnection(unixPath: restarted.socketPath))
        #expect(again.ask("WORKER GET r1").contains(#""rating":1.5,"ratings":2"#))
        #expect(again.ask("JOB GET \(rated[0])").contains(#""event":"rated","worker":"r1","detail":{"stars":1,"comment":"came late"}"#))
        #expect(again.ask("JOB RATE \(rated[0]) stars=5").hasPrefix("ERR CONFLICT job \(rated[0]) is already rated"),
                "read back from the store after the restart")
        let byTool = SevaCtlTests().sevactl(["job", "rate", "\(third.id)", "--stars", "5"], socket: restarted.socketPath)
        #expect(byTool.status == 0 && byTool.output == "ok\n", "a job completed before the restart is rated from the store: \(byTool.errors)")
        #expect(again.ask("JOB RATE \(third.id) stars=4").hasPrefix("ERR CONFLICT job \(third.id) is already rated"))
        #expect(again.ask("WORKER GET r2").contains(#""rating":5.0,"ratings":1"#))
    }
}
