import Foundation
import SevaClient
import Testing
@testable import SevaServer

/// DESIGN.md §2's role table on the real daemon over TCP: every role against every command of
/// the server issue, allowed or refused exactly as the table says. The table is written out
/// here, apart from `Permissions`, so a change to either shows.
@Suite(.serialized) struct DaemonRoleTests {
    /// Who may use each request; `nil` role = not authenticated.
    static let matrix: [(request: String, allowed: Set<String>)] = [
        ("WORKER ADD new-%ROLE% skills=cook", ["admin"]),
        ("WORKER SET w1 name=Ramesh", ["admin"]),
        ("WORKER GET w1", ["admin", "booker", "viewer"]),
        ("WORKER LIST", ["admin", "viewer"]),
        ("WORKER DEL nobody", ["admin"]),
        ("TOKEN ISSUE viewer", ["admin"]),
        ("TOKEN LIST", ["admin"]),
        ("TOKEN REVOKE zzzzzzzz", ["admin"]),
        ("TOKEN ROTATE zzzzzzzz", ["admin"]),
        ("LOC w1 27.5960 78.0500", ["admin", "gateway", "worker"]),
        ("LOC w2 27.5960 78.0500", ["admin", "gateway"]),
        ("AVAIL w1 on", ["admin", "gateway", "worker"]),
        ("AVAIL w2 on", ["admin", "gateway"]),
        ("NEAR 27.5960 78.0500", ["admin", "booker", "viewer"]),
        ("STATS", ["admin", "viewer"]),
    ]

    static let roles = ["anonymous", "admin", "booker", "worker", "gateway", "viewer"]

    @Test func everyRoleAgainstEveryCommand() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER ADD w1 skills=cook") == "OK")
        #expect(admin.ask("WORKER ADD w2 skills=cook") == "OK")
        var clients: [String: LineConnection] = [:]
        for role in Self.roles {
            let client = try LineConnection(port: daemon.port)
            if role != "anonymous" {
                let binding = role == "worker" ? " worker=w1" : ""
                let token = try DaemonTests().token(admin.ask("TOKEN ISSUE \(role)\(binding)"))
                #expect(client.ask("AUTH \(token)").contains(#""role":"\#(role)""#))
            }
            clients[role] = client
        }
        for (template, allowed) in Self.matrix {
            for role in Self.roles {
                let request = template.replacingOccurrences(of: "%ROLE%", with: role)
                let reply = clients[role]!.ask(request)
                if role == "anonymous" {
                    #expect(reply.hasPrefix("ERR NOAUTH"), "\(role): \(request) → \(reply)")
                } else if allowed.contains(role) {
                    #expect(!reply.hasPrefix("ERR DENIED") && !reply.hasPrefix("ERR NOAUTH"), "\(role): \(request) → \(reply)")
                } else {
                    #expect(reply.hasPrefix("ERR DENIED"), "\(role): \(request) → \(reply)")
                }
            }
        }
        for role in Self.roles {
            let client = clients[role]!
            #expect(client.ask("PING") == "OK", "\(role) may always PING")
            #expect(client.ask("HELLO").hasPrefix(#"OK {"server":"sevad""#), "\(role) may always say HELLO")
        }
    }

    @Test func aWorkerActsOnlyForItself() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER ADD w1 skills=cook verified=yes") == "OK")
        #expect(admin.ask("WORKER ADD w2 skills=cook verified=yes") == "OK")
        #expect(admin.ask("LOC w2 26.8467 80.9462") == "OK")
        let token = try DaemonTests().token(admin.ask("TOKEN ISSUE worker worker=w1"))
        let phone = try LineConnection(port: daemon.port)
        #expect(phone.ask("AUTH \(token)") == #"OK {"role":"worker","worker":"w1"}"#)
        #expect(phone.ask("LOC 27.5960 78.0500") == "OK", "the short form moves the worker itself")
        #expect(phone.ask("AVAIL on") == "OK")
        #expect(phone.ask("LOC w2 27.5960 78.0500").hasPrefix("ERR DENIED a worker token acts only for its own worker (w1)"))
        #expect(phone.ask("AVAIL w2 off").hasPrefix("ERR DENIED"))
        #expect(admin.ask("WORKER GET w2").contains(#""lat":26.846700"#), "w2 did not move")
        #expect(admin.ask("WORKER GET w1").contains(#""status":"available","lat":27.596000"#))
    }
}
