import Foundation
import SevaClient
import Testing
@testable import SevaServer

/// A connection that keeps pushed `EVT` lines apart from replies.
final class EventClient {
    let connection: LineConnection
    private(set) var events: [String] = []

    init(_ connection: LineConnection) { self.connection = connection }

    /// Sends a request; returns its reply, keeping any events that came first.
    func ask(_ request: String) -> String {
        connection.send(request + "\n")
        while let line = connection.line() {
            if line.hasPrefix("EVT ") { events.append(line) } else { return line }
        }
        return "<closed>"
    }

    /// Waits until `count` events have come (or `seconds` pass); returns them all.
    @discardableResult
    func awaitEvents(_ count: Int, seconds: Double = 10) -> [String] {
        let deadline = Date(timeIntervalSinceNow: seconds)
        while events.count < count && Date() < deadline {
            guard connection.hasInput(withinMilliseconds: 100) else { continue }
            guard let line = connection.line() else { break }
            if line.hasPrefix("EVT ") { events.append(line) }
        }
        return events
    }

    /// Events that arrive within `seconds` beyond those already seen.
    func quietFor(_ seconds: Double) -> [String] {
        let before = events.count
        awaitEvents(before + 1, seconds: seconds)
        return Array(events[before...])
    }

    /// Each event as "topic state-or-job" for exact comparison.
    var summary: [String] { events.map(Self.summarise) }

    static func summarise(_ line: String) -> String {
        let parts = line.split(separator: " ", maxSplits: 2)
        let topic = String(parts[1])
        let body = String(parts.count > 2 ? parts[2] : "")
        func field(_ name: String) -> String? { JSONField.value(body, name) }
        switch topic {
        case "job": return "job \(field("state") ?? "?") \(field("worker") ?? "?")"
        case "offer": return "offer \(field("job") ?? "?")"
        case "offer_withdrawn": return "offer_withdrawn \(field("reason") ?? "?")"
        default: return topic
        }
    }

    static func seq(_ line: String) -> Int? { JSONField.value(line, "seq").flatMap { Int($0) } }
}

/// Dispatch on the real daemon over real sockets: a booking portal, two worker phones and a
/// watcher, each seeing exactly the events it must.
@Suite(.serialized) struct DaemonDispatchTests {
    static let hathras = (lat: 27.5960, lon: 78.0500)

    /// `metres` east of Hathras, as "lat lon".
    static func east(_ metres: Double) -> String {
        let lon = hathras.lon + metres / (111_320 * cos(hathras.lat * .pi / 180))
        return String(format: "%.6f %.6f", hathras.lat, lon)
    }

    func token(_ admin: LineConnection, _ request: String) throws -> String {
        try DaemonTests().token(admin.ask(request))
    }

    /// Unix seconds `ago` seconds back, for fixes that move at plausible speeds.
    static func ts(_ ago: Double) -> String { "ts=\(Int(Date().timeIntervalSince1970 - ago))" }

    func phone(_ daemon: DaemonProcess, token: String, at metres: Double) throws -> EventClient {
        let phone = EventClient(try LineConnection(port: daemon.port))
        #expect(phone.ask("AUTH \(token)").hasPrefix(#"OK {"role":"worker""#))
        #expect(phone.ask("LOC \(Self.east(metres)) acc=10 \(Self.ts(100))") == "OK")
        #expect(phone.ask("AVAIL on") == "OK")
        return phone
    }

    @Test func offerDeclineCascadeAcceptTrackArriveDone() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER ADD r1 skills=plumber verified=yes") == "OK")
        #expect(admin.ask("WORKER ADD r2 skills=plumber verified=yes") == "OK")
        let bookerToken = try token(admin, "TOKEN ISSUE booker label=portal")
        let phone1 = try phone(daemon, token: try token(admin, "TOKEN ISSUE worker worker=r1"), at: 300)
        let phone2 = try phone(daemon, token: try token(admin, "TOKEN ISSUE worker worker=r2"), at: 900)
        let portal = EventClient(try LineConnection(port: daemon.port))
        #expect(portal.ask("AUTH \(bookerToken)").hasPrefix("OK"))
        let watcher = EventClient(try LineConnection(port: daemon.port))
        #expect(watcher.ask("AUTH \(bookerToken)").hasPrefix("OK"))
        #expect(watcher.ask("WATCH 1").hasPrefix("ERR NOTFOUND no job 1"))

        let booked = portal.ask("JOB NEW skill=plumber lat=27.5960 lon=78.0500 address=\"12 Sadar Bazar\" customer=\"Meena\" ref=b-1")
        #expect(booked == #"OK {"id":1,"state":"searching","rate_inr":200}"#)
        #expect(portal.ask("JOB NEW skill=plumber lat=27.5960 lon=78.0500 ref=b-1") == #"OK {"id":1,"state":"offered","rate_inr":200}"#,
                "the same ref returns the same job")
        #expect(watcher.ask("WATCH 1") == "OK")
        let offer = phone1.awaitEvents(1).first ?? ""
        #expect(offer.hasPrefix(#"EVT offer {"job":1,"worker":"r1","skill":"plumber","lat":27.596000,"lon":78.050000,"address":"12 Sadar Bazar","dist_m":300,"expires_in_s":30,"rate_inr":200}"#), "\(offer)")
        #expect(phone2.ask("ACCEPT 1").hasPrefix("ERR DENIED job 1 is not offered or assigned to r2"))
        #expect(phone1.ask("DECLINE 1 reason=\"on another job\"") == "OK")
        #expect(phone2.awaitEvents(1).first?.hasPrefix(#"EVT offer {"job":1,"#) == true)
        #expect(phone2.ask("ACCEPT 1") == "OK")
        #expect(phone2.ask("ACCEPT 1").hasPrefix("ERR CONFLICT job 1 is assigned; cannot ACCEPT"))
        watcher.awaitEvents(3)
        #expect(phone2.ask("LOC \(Self.east(500)) \(Self.ts(50))") == "OK")
        let track = watcher.awaitEvents(4).last ?? ""
        #expect(track.range(of: #"^EVT track \{"job":1,"worker":"r2","dist_m":(49[0-9]|50[0-9]),"eta_s":(89|90|91)\}$"#,
                            options: .regularExpression) != nil, "a booker's watcher learns how far, never where: \(track)")
        sleep(1)
        #expect(phone2.ask("LOC \(Self.east(40)) \(Self.ts(0))") == "OK")
        watcher.awaitEvents(6)
        #expect(phone2.ask("START 1") == "OK")
        #expect(phone2.ask("DONE 1") == "OK")
        #expect(phone2.ask("DONE 1").hasPrefix("ERR CONFLICT job 1 is completed"))

        #expect(watcher.awaitEvents(8).map(EventClient.summarise) == [
            "job searching null", "job offered r2", "job assigned r2", "track", "job arrived r2", "track",
            "job started r2", "job completed r2",
        ])
        #expect(phone1.quietFor(0.3).isEmpty && phone1.summary == ["offer 1"], "r1 saw its offer only: \(phone1.events)")
        #expect(phone2.awaitEvents(5).map(EventClient.summarise) == [
            "offer 1", "job assigned r2", "job arrived r2", "job started r2", "job completed r2",
        ])
        #expect(portal.events.isEmpty, "the portal did not watch")

        let job = admin.ask("JOB GET 1")
        for state in ["searching", "offered", "searching", "offered", "assigned", "arrived", "started", "completed"] {
            #expect(job.contains(#""state":"\#(state)""#))
        }
        let bookersView = portal.ask("JOB GET 1")
        #expect(bookersView.hasPrefix(#"OK {"id":1,"ref":"b-1""#) && !bookersView.contains("candidates")
                && !bookersView.contains("reason") && bookersView.contains(#""state":"completed","worker":"r2","detail":{}"#),
                "a booker sees the story, not the distances of the match: \(bookersView)")
        #expect(job.contains(#""reason":"#) && job.contains(#""candidates":[{"id":"r1","dist_m":300,"score":300,"jobs_today":0,"work":0}"#), "\(job)")
        #expect(job.contains(#""declined_by":"r1","reason":"on another job""#))
        #expect(job.contains(#""geofence":true"#))
        let feed = portal.ask("FEED since=0")
        #expect(feed.components(separatedBy: #""seq":"#).count - 1 == 8)
        #expect(admin.ask("STATS").contains(#""offers":{"sent":2,"accepted":1,"declined":1,"expired":0,"withdrawn":0}"#))
        #expect(admin.ask("WORKER GET r2").contains(#""status":"available""#))
    }

    @Test func subscribersResumeAfterADisconnectMissingNothing() throws {
        let daemon = try DaemonProcess(arguments: ["--dispatch.accept", "auto"])
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        for index in 0..<3 {
            #expect(admin.ask("WORKER ADD s\(index) skills=cook verified=yes") == "OK")
            #expect(admin.ask("LOC s\(index) \(Self.east(Double(200 * (index + 1))))") == "OK")
            #expect(admin.ask("AVAIL s\(index) on") == "OK")
        }
        let bookerToken = try token(admin, "TOKEN ISSUE booker")
        let portal = EventClient(try LineConnection(port: daemon.port))
        #expect(portal.ask("AUTH \(bookerToken)").hasPrefix("OK"))
        var seen: [Int] = []
        do {
            let first = EventClient(try LineConnection(port: daemon.port))
            #expect(first.ask("AUTH \(bookerToken)").hasPrefix("OK"))
            #expect(first.ask("SUBSCRIBE jobs since=0") == "OK")
            #expect(portal.ask("JOB NEW skill=cook lat=27.5960 lon=78.0500").hasPrefix(#"OK {"id":1,"#))
            seen = first.awaitEvents(2).compactMap(EventClient.seq)
            #expect(seen.count == 2, "searching and assigned, live")
        }
        // While nobody listens: a second job, and the first one cancelled.
        #expect(portal.ask("JOB NEW skill=cook district=hathras").hasPrefix(#"OK {"id":2,"#))
        #expect(portal.ask("JOB CANCEL 1 reason=\"customer not home\"") == "OK")
        let resumed = EventClient(try LineConnection(port: daemon.port))
        #expect(resumed.ask("AUTH \(bookerToken)").hasPrefix("OK"))
        #expect(resumed.ask("SUBSCRIBE jobs since=\(seen.last ?? 0)") == "OK")
        #expect(portal.ask("JOB NEW skill=cook lat=27.5960 lon=78.0500").hasPrefix(#"OK {"id":3,"#))
        let later = resumed.awaitEvents(5).compactMap(EventClient.seq)
        let feed = portal.ask("FEED since=0")
        let all = feed.components(separatedBy: #""seq":"#).dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(all.count == 7)
        #expect(seen + later == all, "every event once, in order: \(seen) + \(later) vs \(all)")
        #expect(resumed.quietFor(0.3).isEmpty, "nothing repeated")
        #expect(portal.ask("SUBSCRIBE jobs since=0 skill=plumber") == "OK")
        #expect(portal.quietFor(0.3).isEmpty, "a skill filter leaves the cook jobs out")
    }

    @Test func jobCommandErrorsOverBothTransports() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = EventClient(try LineConnection(unixPath: daemon.socketPath))
        let tcpAdmin = EventClient(try LineConnection(port: daemon.port))
        #expect(tcpAdmin.ask("AUTH \(try token(admin.connection, "TOKEN ISSUE admin"))").hasPrefix("OK"))
        for client in [admin, tcpAdmin] {
            for (request, reply) in [
                ("JOB", "ERR BADARG subcommand: usage: JOB NEW|GET|CANCEL|RATE|LIST"),
                ("JOB NEW", "ERR BADARG skill: required"),
                ("JOB NEW skill=wizard lat=27 lon=78", "ERR BADARG skill: unknown skill 'wizard'"),
                ("JOB NEW skill=plumber lat=27", "ERR BADARG lon: give lat and lon together"),
                ("JOB NEW skill=plumber lat=95 lon=78", "ERR BADARG lat: must be within"),
                ("JOB NEW skill=plumber", "ERR BADARG pincode: pincode= or district= is required without lat= and lon="),
                ("JOB NEW skill=plumber district=atlantis", "ERR BADARG district: no district 'atlantis'"),
                ("JOB NEW skill=plumber lat=27 lon=78 colour=red", "ERR BADARG colour: unknown key for JOB NEW"),
                ("JOB GET", "ERR BADARG job: missing"),
                ("JOB GET x", "ERR BADARG job: must be a job id"),
                ("JOB GET 999", "ERR NOTFOUND no job 999"),
                ("JOB CANCEL 999", "ERR NOTFOUND no job 999"),
                ("JOB LIST state=flying", "ERR BADARG state: must be one of"),
                ("ACCEPT 1", "ERR BADARG worker: give the worker id first"),
                ("ACCEPT nobody 999", "ERR NOTFOUND no job 999"),
                ("WATCH 999", "ERR NOTFOUND no job 999"),
                ("FEED since=-1", "ERR BADARG since"),
                ("SUBSCRIBE news", "ERR BADARG topic: the only topic is jobs"),
                ("JOB NEW skill=plumber district=hathras ref=e-1", #"OK {"id":"#),
                ("JOB LIST state=unfilled", #"OK [{"id":"#),
            ] {
                let answer = client.ask(request)
                #expect(answer.hasPrefix(reply), "\(request) → \(answer)")
            }
        }
        #expect(admin.ask("JOB CANCEL 1").hasPrefix("ERR CONFLICT job 1 is unfilled; cannot cancel"))
        #expect(admin.ask("JOB LIST").components(separatedBy: #""id":"#).count - 1 == 1, "one job: the same ref twice")
    }

    @Test func dispatchKeysReloadLiveAndABadFileChangesNothing() throws {
        let directory = NSTemporaryDirectory() + "sevad-reload-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = directory + "/sevad.toml"
        try "[dispatch]\noffer_timeout_s = 30\n\n[rates]\nplumber = 200\n".write(toFile: file, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(directory: directory, arguments: ["--config", file])
        defer { daemon.stop() }
        let admin = EventClient(try LineConnection(unixPath: daemon.socketPath))
        #expect(admin.ask("WORKER ADD q1 skills=plumber verified=yes") == "OK")
        #expect(admin.ask("LOC q1 \(Self.east(200))") == "OK")
        #expect(admin.ask("AVAIL q1 on") == "OK")
        #expect(admin.ask("JOB NEW skill=plumber lat=27.5960 lon=78.0500").contains(#""rate_inr":200"#))
        #expect(admin.awaitEvents(1).first?.contains(#""expires_in_s":30,"#) == true)
        #expect(admin.ask("JOB CANCEL 1") == "OK")
        try "[dispatch]\noffer_timeout_s = 5\n\n[rates]\nplumber = 250\n\n[server]\nmax_line_bytes = 8192\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        #expect(admin.ask("RELOAD") == #"OK {"changed":["dispatch.offer_timeout_s","rates","server.max_line_bytes"],"restart_needed":[]}"#)
        let longer = try LineConnection(unixPath: daemon.socketPath)
        #expect(longer.ask("PING " + String(repeating: "x", count: 6_000)).hasPrefix("ERR BADARG"), "a new connection takes the new max_line_bytes")
        #expect(admin.ask("JOB NEW skill=plumber lat=27.5960 lon=78.0500").contains(#""rate_inr":250"#))
        #expect(admin.awaitEvents(3).last?.contains(#""expires_in_s":5,"#) == true, "\(admin.events)")
        try "[dispatch]\noffer_timeout_s = -3\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(admin.ask("RELOAD").hasPrefix("ERR BADARG configuration not valid, nothing changed: dispatch.offer_timeout_s"))
        #expect(admin.ask("JOB CANCEL 2") == "OK")
        try "[dispatch]\noffer_timeout_s = 7\n\n[rates]\nplumber = 250\n".write(toFile: file, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(waitUntil { daemon.log.components(separatedBy: "reloaded: changed").count - 1 >= 2 }, "SIGHUP reloads: \(daemon.log)")
        #expect(admin.ask("JOB NEW skill=plumber lat=27.5960 lon=78.0500").hasPrefix("OK"))
        #expect(admin.awaitEvents(5).last?.contains(#""expires_in_s":7,"#) == true, "SIGHUP reloads too: \(admin.events.last ?? "")")
    }
}
