import Foundation
import SevaClient
import Testing
@testable import SevaServer

/// sevactl, the real binary, against a real daemon: each subcommand as a table and as JSON,
/// the worker register import with its bad rows, and the exit codes of DESIGN.md §8.
@Suite(.serialized) struct SevaCtlTests {
    static var binary: String {
        URL(fileURLWithPath: DaemonProcess.binary).deletingLastPathComponent().appendingPathComponent("sevactl").path
    }

    struct Run {
        let status: Int32
        let output: String
        let errors: String
    }

    func sevactl(_ arguments: [String], socket: String?) -> Run {
        do {
            let run = try ToolRun(Self.binary, arguments + (socket.map { ["--socket", $0] } ?? []))
            let status = run.wait()
            return Run(status: status, output: run.output, errors: run.errors)
        } catch {
            return Run(status: -1, output: "", errors: "\(error)")
        }
    }

    @Test func everySubcommandAsATableAndAsJSON() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let socket = daemon.socketPath
        func ok(_ arguments: [String]) -> String {
            let run = sevactl(arguments, socket: socket)
            #expect(run.status == 0, "sevactl \(arguments.joined(separator: " ")): \(run.errors)")
            return run.output
        }
        #expect(ok(["worker", "add", "w1", "--skills", "plumber,cook", "--name", "Asha Devi", "--verified", "yes"]) == "ok\n")
        #expect(ok(["worker", "set", "w1", "--district", "hathras"]) == "ok\n")
        #expect(ok(["raw", "LOC w1 27.5960 78.0500"]) == "OK\n")
        #expect(ok(["raw", "AVAIL w1 on"]) == "OK\n")
        let table = ok(["workers"])
        #expect(table.hasPrefix("ID  NAME       SKILLS        DISTRICT  VERIFIED  STATUS     AGE_S  JOBS_TODAY  RATING\nw1  Asha Devi  plumber,cook  hathras   yes       available"), "\(table)")
        #expect(ok(["workers", "--json"]).hasPrefix(#"[{"id":"w1","name":"Asha Devi""#))
        #expect(ok(["workers", "--skill", "nurse"]) == "(none)\n")
        #expect(ok(["worker", "get", "w1"]).contains("name: Asha Devi\n"))
        #expect(ok(["near", "27.5970", "78.0500", "--skill", "plumber"]).contains("\nw1  111"))
        #expect(ok(["near", "27.5970", "78.0500", "--json"]).hasPrefix(#"[{"id":"w1","dist_m":111,"#))
        let booked = ok(["job", "new", "--skill", "plumber", "--lat", "27.5960", "--lon", "78.0500", "--address", "12 Sadar Bazar"])
        #expect(booked == "id: 1\nstate: searching\nrate_inr: 200\n", "\(booked)")
        #expect(ok(["jobs"]).contains("\n1   plumber            offered  w1      12 Sadar Bazar"))
        #expect(ok(["jobs", "--state", "offered", "--json"]).hasPrefix(#"[{"id":1,"#))
        let job = ok(["job", "get", "1"])
        #expect(job.contains("state: offered") && job.contains("SEQ  AT") && job.contains(#""reason":"#), "\(job)")
        #expect(ok(["feed"]).contains("\n2    1    "))
        #expect(ok(["feed", "--since", "1", "--json"]).hasPrefix(#"[{"seq":2,"job":1,"#))
        #expect(ok(["job", "cancel", "1", "--reason", "customer away"]) == "ok\n")
        let issued = ok(["token", "issue", "viewer", "--label", "ops laptop"])
        #expect(issued.hasPrefix("token: sv1_") && issued.contains("role: viewer"))
        let prefix = String(issued.split(separator: "\n").first { $0.hasPrefix("prefix: ") }?.dropFirst(8) ?? "")
        #expect(ok(["token", "list"]).contains("\(prefix)  viewer                  ops laptop"))
        let booker = ok(["token", "issue", "booker", "--client", "helpline-crm"])
        #expect(booker.contains("role: booker") && booker.contains("client: helpline-crm"), "\(booker)")
        #expect(ok(["token", "list"]).contains("  booker          helpline-crm"))
        #expect(ok(["token", "revoke", prefix]) == "revoked: 1\n")
        let status = ok(["status"])
        #expect(status.contains("workers           available=1  break=0  busy=0  offered=0  offline=0"), "\(status)")
        #expect(status.contains("offers            accepted=0  declined=0  expired=0  sent=1  withdrawn=1"))
        #expect(status.contains("store             commits="))
        #expect(ok(["status", "--json"]).hasPrefix(#"{"workers":{"#))
        #expect(ok(["worker", "del", "w1"]) == "ok\n")
    }

    @Test func exitCodesScriptsCanUse() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let missing = sevactl(["worker", "get", "nobody"], socket: daemon.socketPath)
        #expect(missing.status == 1 && missing.errors == "sevactl: NOTFOUND no worker nobody\n")
        let raw = sevactl(["raw", "FLY"], socket: daemon.socketPath)
        #expect(raw.status == 1 && raw.output.hasPrefix("ERR UNKNOWN"))
        let usage = sevactl(["worker", "frobnicate"], socket: daemon.socketPath)
        #expect(usage.status == 2, "a usage error: \(usage.errors)")
        let nowhere = sevactl(["status"], socket: daemon.directory + "/absent.sock")
        #expect(nowhere.status == 3 && nowhere.errors.contains("cannot connect to sevad at \(daemon.directory)/absent.sock"))
        let noToken = sevactl(["status", "--host", "127.0.0.1:\(daemon.port)"], socket: nil)
        #expect(noToken.status == 2 && noToken.errors.contains("--host needs --token"))
        let admin = try LineConnection(unixPath: daemon.socketPath)
        let token = try DaemonTests().token(admin.ask("TOKEN ISSUE viewer"))
        let overTCP = sevactl(["status", "--host", "127.0.0.1:\(daemon.port)", "--token", token, "--json"], socket: nil)
        #expect(overTCP.status == 0 && overTCP.output.hasPrefix(#"{"workers":"#), "\(overTCP.errors)")
        let denied = sevactl(["worker", "add", "x", "--skills", "cook", "--host", "127.0.0.1:\(daemon.port)", "--token", token], socket: nil)
        #expect(denied.status == 1 && denied.errors.contains("DENIED"))
        #expect(sevactl(["--version"], socket: nil).output.hasPrefix("sevactl "))
    }

    @Test func theWorkerRegisterImportsWithItsBadRowsReported() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let file = daemon.directory + "/register.csv"
        let register = "\u{FEFF}id,name,phone,skills,district,verified,notes\r\n"
            + "w1,\"Asha, Devi\",+919800000001,plumber;cook,hathras,yes,day shift\r\n"
            + "w2,Ravi,98000,plumber,hathras,yes,\r\n"
            + "w3,Meena,9800000003,wizard,hathras,no,\r\n"
            + "w4,\"Kamla \"\"Didi\"\"\",98000 00004,cook,lucknow,no,\r\n"
            + "w4,Dup,9800000005,cook,lucknow,no,\r\n"
            + "w5,Short\r\n"
            + "w/6,Bad Id,9800000006,cook,lucknow,no,\r\n"
            + "w7,\"Two\nLines\",9800000007,nurse,lucknow,maybe,\r\n"
            + "w8,Gopal,,electrician,,no,\n"
        try register.write(toFile: file, atomically: true, encoding: .utf8)
        let first = sevactl(["import", "workers", file], socket: daemon.socketPath)
        #expect(first.status == 1, "rows were rejected")
        #expect(first.output == "rows read 9, added 3, updated 0, rejected 6\n", "\(first.output)")
        for (line, reason) in [(3, "bad phone '98000'"), (4, "unknown skill 'wizard'"), (6, "duplicate id w4 (first on line 5)"),
                               (7, "2 columns, the header has 7"), (8, "id 'w/6' must be"), (9, "verified must be yes or no")] {
            #expect(first.errors.contains("register.csv:\(line): \(reason)"), "line \(line): \(first.errors)")
        }
        #expect(first.errors.contains("ignoring column 'notes'"))
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER GET w1").contains(#""name":"Asha, Devi","phone":"+919800000001","skills":["plumber","cook"],"verified":true,"district":"hathras""#))
        #expect(admin.ask("WORKER GET w4").contains(#""name":"Kamla \"Didi\"","phone":"9800000004""#))
        #expect(admin.ask("WORKER GET w8").contains(#""name":"Gopal","phone":"","skills":["electrician"]"#))
        let again = sevactl(["import", "workers", file], socket: daemon.socketPath)
        #expect(again.output == "rows read 9, added 0, updated 3, rejected 6\n", "a re-run updates, never duplicates")
        #expect(admin.ask("WORKER LIST").components(separatedBy: #""id":"#).count - 1 == 3)
        let badHeader = daemon.directory + "/bad.csv"
        try "id,name\nw9,X\n".write(toFile: badHeader, atomically: true, encoding: .utf8)
        let refused = sevactl(["import", "workers", badHeader], socket: daemon.socketPath)
        #expect(refused.status == 2 && refused.errors.contains("the header lacks phone, skills, district, verified"))
    }

    @Test func theRegisterMayGiveHomePinCodes() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let file = daemon.directory + "/register-pin.csv"
        try ("id,name,phone,skills,district,verified,pincode\n"
            + "p1,Asha,9800000001,cook,,yes,226001\n"
            + "p2,Ravi,9800000002,cook,,yes,999999\n"
            + "p3,Meena,9800000003,cook,Agra,no,2820\n"
            + "p4,Kamla,9800000004,cook,Agra,no,\n").write(toFile: file, atomically: true, encoding: .utf8)
        let run = sevactl(["import", "workers", file], socket: daemon.socketPath)
        #expect(run.output == "rows read 4, added 2, updated 0, rejected 2\n", "\(run.output) \(run.errors)")
        #expect(run.errors.contains("register-pin.csv:3: ERR BADARG pincode: no PIN code 999999"), "\(run.errors)")
        #expect(run.errors.contains("register-pin.csv:4: pincode '2820' is not a PIN code"))
        #expect(!run.errors.contains("ignoring column"), "pincode is a column the import knows")
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER GET p1").contains(#""district":"Lucknow","pincode":"226001""#), "the district from the PIN code")
        #expect(admin.ask("WORKER GET p2") == "ERR NOTFOUND no worker p2")
        #expect(admin.ask("WORKER GET p4").contains(#""district":"Agra","status""#))
    }

    @Test func theConsoleWatchAndFollow() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER ADD c1 skills=cook verified=yes") == "OK")
        #expect(admin.ask("LOC c1 27.5960 78.0510") == "OK")
        #expect(admin.ask("AVAIL c1 on") == "OK")

        let script = daemon.directory + "/console-input"
        try "PING\nWORKER ADD r1 skills=cook\nhistory\n!!\nquit\n".write(toFile: script, atomically: true, encoding: .utf8)
        let repl = try ToolRun(Self.binary, ["--socket", daemon.socketPath], input: FileHandle(forReadingAtPath: script))
        #expect(repl.wait() == 0)
        let printed = repl.output
        #expect(printed.hasPrefix("OK\nOK\n1  PING\n2  WORKER ADD r1 skills=cook\nERR CONFLICT worker r1 exists"), "\(printed)")

        // A connection of its own: the admin one hears c1's offers (it sent AVAIL for c1).
        let portal = try LineConnection(unixPath: daemon.socketPath)
        #expect(portal.ask("JOB NEW skill=cook lat=27.5960 lon=78.0500").hasPrefix(#"OK {"id":1,"#))
        let watch = try ToolRun(Self.binary, ["watch", "1", "--socket", daemon.socketPath])
        #expect(waitUntil { watch.output.contains("job 1 is offered\n") }, "watch says where the job stands first: \(watch.errors)")
        #expect(portal.ask("JOB CANCEL 1") == "OK")
        #expect(watch.wait() == 0, "watch ends with the job")
        #expect(watch.output == "job 1 is offered\n#3 job 1 cancelled\n", "\(watch.output)")
        let follow = try ToolRun(Self.binary, ["feed", "--follow", "--since", "1", "--socket", daemon.socketPath])
        #expect(waitUntil { follow.output.contains("#3 job 1 cancelled\n") }, "\(follow.output)\(follow.errors)")
        kill(follow.process.processIdentifier, SIGKILL)
        follow.wait()
        #expect(follow.output == "#2 job 1 offered (c1)\n#3 job 1 cancelled\n", "\(follow.output)")
    }
}
