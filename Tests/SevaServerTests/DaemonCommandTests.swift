import Foundation
import SevaClient
import Testing
@testable import SevaServer

/// Every command of the server issue, its success path and each error it can answer, on the
/// real daemon over each transport: the Unix socket (admin by SO_PEERCRED) and TCP (admin by
/// token). A failed request must leave the state as it was: the script reads it back after.
@Suite(.serialized) struct DaemonCommandTests {
    enum Transport: String, CaseIterable, CustomTestStringConvertible {
        case unix, tcp
        var testDescription: String { rawValue }
    }

    /// One request and the start of the reply it must get.
    struct Step {
        let request: String
        let reply: String
        init(_ request: String, _ reply: String) {
            self.request = request
            self.reply = reply
        }
    }

    func connect(_ transport: Transport, to daemon: DaemonProcess) throws -> LineConnection {
        let unix = try LineConnection(unixPath: daemon.socketPath)
        guard transport == .tcp else { return unix }
        let admin = try DaemonTests().token(unix.ask("TOKEN ISSUE admin label=tcp-admin"))
        let client = try LineConnection(port: daemon.port)
        #expect(client.ask("AUTH \(admin)") == #"OK {"role":"admin","worker":null}"#)
        return client
    }

    func run(_ steps: [Step], on client: LineConnection) {
        for step in steps {
            let reply = client.ask(step.request)
            #expect(reply.hasPrefix(step.reply), "\(step.request) → \(reply), expected \(step.reply)…")
        }
    }

    @Test(arguments: Transport.allCases) func connectionCommands(_ transport: Transport) throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = try connect(transport, to: daemon)
        run([
            Step("HELLO", #"OK {"server":"sevad","version":""#),
            Step("hello name=\"portal 7\"", #"OK {"server":"sevad""#),
            Step("HELLO colour=red", "ERR BADARG colour: unknown key for HELLO; it takes name="),
            Step("HELLO extra", "ERR BADARG extra: unexpected argument"),
            Step("PING", "OK"),
            Step("ping now", "ERR BADARG now: unexpected argument"),
            Step("FLY to=moon", "ERR UNKNOWN unknown verb 'FLY'"),
            Step("\"quoted verb\"", "ERR PROTO"),
            Step("PING a=\"unbalanced", "ERR PROTO unbalanced quote"),
            Step("PING Key=1", "ERR PROTO keys are lower-case ASCII"),
            Step("PING =1", "ERR PROTO an argument may not start with '='"),
            Step("PING a=\"\\q\"", "ERR PROTO unknown escape"),
            Step("STATS", #"OK {"workers":{"#),
            Step("STATS now", "ERR BADARG"),
            Step("AUTH", "ERR BADARG token: missing"),
            Step("RELOAD", #"OK {"changed":[],"restart_needed":[]}"#),
            Step("RELOAD now", "ERR BADARG now: unexpected argument"),
        ], on: client)
        #expect(client.ask("QUIT") == "OK")
        #expect(client.line() == nil, "QUIT closes after its OK")
    }

    @Test(arguments: Transport.allCases) func workerCommands(_ transport: Transport) throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = try connect(transport, to: daemon)
        run([
            Step("WORKER ADD t1 skills=cook,plumber name=\"Asha \\\"Didi\\\" Devi\" phone=+919800000001 district=hathras verified=yes radius_km=8", "OK"),
            Step("worker add t2 skills=mason", "OK"),
            Step("WORKER", "ERR BADARG subcommand: usage: WORKER ADD|SET|GET|DEL|LIST"),
            Step("WORKER FLY t1", "ERR BADARG subcommand"),
            Step("WORKER ADD", "ERR BADARG id: missing"),
            Step("WORKER ADD t/3 skills=cook", "ERR BADARG id: must be 1-64 of"),
            Step("WORKER ADD \(String(repeating: "x", count: 65)) skills=cook", "ERR BADARG id: must be 1-64 of"),
            Step("WORKER ADD t3", "ERR BADARG skills: required"),
            Step("WORKER ADD t3 skills=wizard", "ERR BADARG skills: unknown skill 'wizard'"),
            Step("WORKER ADD t3 skills=Cook", "ERR BADARG skills: skill names are lower-case"),
            Step("WORKER ADD t3 skills=cook colour=red", "ERR BADARG colour: unknown key for WORKER ADD"),
            Step("WORKER ADD t3 skills=cook skills=mason", "ERR BADARG skills: given twice"),
            Step("WORKER ADD t3 skills=cook verified=maybe", "ERR BADARG verified: must be yes or no"),
            Step("WORKER ADD t3 skills=cook radius_km=1e400", "ERR BADARG radius_km: must be a plain decimal"),
            Step("WORKER ADD t3 skills=cook radius_km=9000", "ERR BADARG radius_km: must be within"),
            Step("WORKER ADD t1 skills=cook", "ERR CONFLICT worker t1 exists"),
            Step("WORKER GET t1", #"OK {"id":"t1","name":"Asha \"Didi\" Devi","phone":"+919800000001","skills":["plumber","cook"],"verified":true,"district":"hathras","status":"offline","jobs_today":0,"ratings":0}"#),
            Step("WORKER GET t3", "ERR NOTFOUND no worker t3"),
            Step("WORKER GET", "ERR BADARG id: missing"),
            Step("WORKER GET t1 t2", "ERR BADARG t2: unexpected argument"),
            Step("WORKER SET t2 name=Mohan verified=yes", "OK"),
            Step("WORKER SET t2", "ERR BADARG key=value: give at least one field"),
            Step("WORKER SET t2 skills=wizard", "ERR BADARG skills: unknown skill"),
            Step("WORKER SET t3 name=x", "ERR NOTFOUND no worker t3"),
            Step("WORKER SET t2 age=40", "ERR BADARG age: unknown key"),
            Step("WORKER GET t2", #"OK {"id":"t2","name":"Mohan","phone":"","skills":["mason"],"verified":true"#),
            Step("WORKER LIST", #"OK [{"id":"t1""#),
            Step("WORKER LIST skill=mason", #"OK [{"id":"t2""#),
            Step("WORKER LIST skill=wizard", "ERR BADARG skill: unknown skill"),
            Step("WORKER LIST district=hathras limit=1", #"OK [{"id":"t1""#),
            Step("WORKER LIST after=t1", #"OK [{"id":"t2""#),
            Step("WORKER LIST status=offline after=t2", "OK []"),
            Step("WORKER LIST status=flying", "ERR BADARG status: must be one of"),
            Step("WORKER LIST limit=0", "ERR BADARG limit: must be a whole number in 1...10000"),
            Step("WORKER LIST limit=ten", "ERR BADARG limit"),
            Step("WORKER DEL t2", "OK"),
            Step("WORKER DEL t2", "ERR NOTFOUND no worker t2"),
            Step("WORKER GET t2", "ERR NOTFOUND"),
            Step("WORKER LIST", #"OK [{"id":"t1""#),
        ], on: client)
        #expect(!client.ask("WORKER LIST").contains(#""id":"t2""#))
        #expect(!client.ask("WORKER LIST").contains(#""id":"t3""#), "no failed ADD created a worker")
    }

    @Test(arguments: Transport.allCases) func deviceAndQueryCommands(_ transport: Transport) throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = try connect(transport, to: daemon)
        let now = Int(Date().timeIntervalSince1970)
        run([
            Step("WORKER ADD d1 skills=electrician verified=yes", "OK"),
            Step("LOC d1 27.5960 78.0500 acc=8 ts=\(now - 5) speed=1.5 heading=90", "OK"),
            Step("AVAIL d1 on", "OK"),
            Step("NEAR 27.5970 78.0500 skill=electrician radius_km=5 limit=3", #"OK [{"id":"d1","dist_m":111,"lat":27.596000,"lon":78.050000,"status":"available","age_s":"#),
            Step("LOC d1 91 78", "ERR BADARG lat"),
            Step("LOC d1 -90.5 78", "ERR BADARG lat"),
            Step("LOC d1 27 181", "ERR BADARG lon"),
            Step("LOC d1 1e400 78", "ERR BADARG lat"),
            Step("LOC d1 nan 78", "ERR BADARG lat"),
            Step("LOC d1 27 inf", "ERR BADARG lon"),
            Step("LOC d1 27 0x4E", "ERR BADARG lon"),
            Step("LOC d1 27 \(String(repeating: "9", count: 400))", "ERR BADARG lon"),
            Step("LOC d1 27", "ERR BADARG lat must be a decimal"),
            Step("LOC 27", "ERR BADARG lon: missing"),
            Step("LOC d1 27.5 78.0 acc=-1", "ERR BADARG acc: must be within"),
            Step("LOC d1 27.5 78.0 ts=yesterday", "ERR BADARG ts: must be a plain decimal"),
            Step("LOC d1 27.5 78.0 heading=400", "ERR BADARG heading"),
            Step("LOC d1 27.5 78.0 altitude=200", "ERR BADARG altitude: unknown key for LOC"),
            Step("LOC d1 27.5 78.0 9", "ERR BADARG 9: unexpected argument"),
            Step("LOC nobody 27.5 78.0", "ERR NOTFOUND no worker nobody"),
            Step("LOC 27.5 78.0", "ERR BADARG worker: give the worker id first"),
            Step("AVAIL d1 maybe", "ERR BADARG state: must be on, off or break"),
            Step("AVAIL nobody on", "ERR NOTFOUND no worker nobody"),
            Step("AVAIL on", "ERR BADARG worker: give the worker id first"),
            Step("NEAR 27.5970 78.0500 skill=electrician radius_km=5 limit=3", #"OK [{"id":"d1","dist_m":111,"lat":27.596000,"lon":78.050000,"#),
            Step("NEAR 27.5970 78.0500 skill=plumber", "OK []"),
            Step("NEAR 27.5970 78.0500 skill=wizard", "ERR BADARG skill: unknown skill"),
            Step("NEAR 95 78", "ERR BADARG lat"),
            Step("NEAR 27.5 78 limit=0", "ERR BADARG limit"),
            Step("NEAR 27.5 78 radius_km=0", "ERR BADARG radius_km"),
            Step("NEAR 27.5 78 all=maybe", "ERR BADARG all: must be yes or no"),
            Step("NEAR 27.5 78 near=me", "ERR BADARG near: unknown key for NEAR"),
            Step("AVAIL d1 break", "OK"),
            Step("NEAR 27.5970 78.0500", "OK []"),
            Step("NEAR 27.5970 78.0500 all=yes", #"OK [{"id":"d1","dist_m":111,"lat":27.596000,"lon":78.050000,"status":"break""#),
            Step("LOC d1 27.6000 78.0500 ts=\(now - 60)", "OK"),
            Step("LOC d1 27.6000 78.0500 ts=\(now + 3_600)", "ERR BADARG ts: ts is 3"),
            Step("LOC d1 27.6000 78.0500 ts=\(now + 3_600)", "ERR BADARG ts: ts is 3"),
            Step("LOC d1 28.9000 78.0500", "OK"),
            Step("WORKER GET d1", #"OK {"id":"d1","name":"","phone":"","skills":["electrician"],"verified":true,"district":"","status":"break","lat":27.596000,"lon":78.050000"#),
            Step("STATS", #"OK {"workers":{"available":0,"break":1,"busy":0,"offered":0,"offline":0},"fixes":{"accepted":1,"older":1,"suspect":1,"future":2}"#),
        ], on: client)
    }

    @Test(arguments: Transport.allCases) func tokenCommands(_ transport: Transport) throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = try connect(transport, to: daemon)
        #expect(client.ask("WORKER ADD k1 skills=nurse") == "OK")
        run([
            Step("TOKEN", "ERR BADARG subcommand: usage: TOKEN ISSUE|REVOKE|ROTATE|LIST"),
            Step("TOKEN ISSUE", "ERR BADARG role: missing"),
            Step("TOKEN ISSUE wizard", "ERR BADARG role: must be one of admin"),
            Step("TOKEN ISSUE worker", "ERR BADARG worker: required for a worker token"),
            Step("TOKEN ISSUE viewer worker=k1", "ERR BADARG worker: only a worker token"),
            Step("TOKEN ISSUE worker worker=nobody", "ERR NOTFOUND no worker nobody"),
            Step("TOKEN ISSUE viewer ttl=5", "ERR BADARG ttl: unknown key"),
            Step("TOKEN REVOKE", "ERR BADARG prefix: missing"),
            Step("TOKEN REVOKE sv1", "ERR BADARG prefix: give at least 4 characters"),
            Step("TOKEN REVOKE zzzzzzzz", "ERR NOTFOUND no token starts with zzzzzzzz"),
            Step("TOKEN LIST all", "ERR BADARG all: unexpected argument"),
        ], on: client)
        let issued = client.ask("TOKEN ISSUE worker worker=k1 label=\"k1 phone\"")
        #expect(issued.hasPrefix(#"OK {"token":"sv1_"#))
        let secret = try DaemonTests().token(issued)
        let list = client.ask("TOKEN LIST")
        #expect(list.contains(#""role":"worker","worker":"k1","label":"k1 phone""#))
        #expect(!list.contains(secret), "TOKEN LIST never shows a token")
        let phone = try LineConnection(port: daemon.port)
        #expect(phone.ask("AUTH \(secret)") == #"OK {"role":"worker","worker":"k1"}"#)
        let prefix = String(secret.prefix(12))
        #expect(client.ask("TOKEN REVOKE \(prefix)") == #"OK {"revoked":1}"#)
        #expect(client.ask("TOKEN REVOKE \(prefix)").hasPrefix("ERR NOTFOUND"))
        let again = try LineConnection(port: daemon.port)
        #expect(again.ask("AUTH \(secret)").hasPrefix("ERR DENIED invalid token"), "a revoked token no longer works")
    }

    /// `ERR UNAVAILABLE` when the store cannot commit: nothing changes, and the daemon takes
    /// writes again once the disk does. Needs root (chattr), as the project's machines have.
    @Test(arguments: Transport.allCases) func aStoreThatCannotCommitAnswersUnavailable(_ transport: Transport) throws {
        let daemon = try DaemonProcess(arguments: ["--store.probe_interval_s", "0.2"])
        defer { daemon.stop() }
        let client = try connect(transport, to: daemon)
        #expect(client.ask("WORKER ADD u1 skills=painter") == "OK")
        let database = daemon.directory + "/sevad.db"
        let files = [database, database + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
        try #require(runProcess("/bin/sh", ["-c", "chattr +i " + files.joined(separator: " ")]).status == 0, "chattr +i needs root on ext4")
        var refused = ""
        for attempt in 0..<20 where !refused.hasPrefix("ERR UNAVAILABLE") {
            refused = client.ask("WORKER ADD u-\(attempt) skills=painter")
            #expect(refused.hasPrefix("OK") || refused.hasPrefix("ERR UNAVAILABLE"), "\(refused)")
        }
        #expect(refused.hasPrefix("ERR UNAVAILABLE"), "writes kept succeeding on an immutable store: \(refused)")
        #expect(client.ask("WORKER SET u1 name=changed").hasPrefix("ERR UNAVAILABLE"))
        #expect(!client.ask("WORKER GET u1").contains("changed"), "a refused change is not applied in memory")
        _ = runProcess("/bin/sh", ["-c", "chattr -i " + files.joined(separator: " ")])
        var accepted = false
        for _ in 0..<100 where !accepted {
            usleep(100_000)
            accepted = client.ask("WORKER SET u1 name=later") == "OK"
        }
        #expect(accepted, "the daemon takes writes again once the store can commit")
        #expect(client.ask("WORKER GET u1").contains(#""name":"later""#))
    }
}
