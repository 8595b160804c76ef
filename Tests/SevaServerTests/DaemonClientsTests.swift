import Foundation
import SevaClient
import Testing

/// Whose job it is, on the real daemon (DESIGN.md §2; issue 14 finding 3): a booker acts on
/// its own client's jobs only, another client's is `NOTFOUND` in every verb, listing, feed and
/// replay, refs are per client, and two tokens of one client share its jobs — also after a
/// restart.
@Suite(.serialized) struct DaemonClientsTests {
    func booker(_ daemon: DaemonProcess, _ token: String) throws -> EventClient {
        let client = EventClient(try LineConnection(port: daemon.port))
        #expect(client.ask("AUTH \(token)").hasPrefix(#"OK {"role":"booker""#))
        return client
    }

    func token(_ admin: LineConnection, _ request: String) throws -> String {
        let reply = admin.ask(request)
        return try #require(JSONField.value(reply, "token"), "\(reply)")
    }

    func id(_ reply: String) -> String { JSONField.value(reply, "id") ?? "?" }

    @Test func aBookerSeesItsOwnClientsJobsOnly() throws {
        let directory = NSTemporaryDirectory() + "sevad-clients-\(getpid())-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var daemon = try DaemonProcess(directory: directory)
        let admin = try LineConnection(unixPath: daemon.socketPath)
        let portalToken = try token(admin, "TOKEN ISSUE booker client=web-portal label=portal")
        let portalSecond = try token(admin, "TOKEN ISSUE booker client=web-portal label=portal-2")
        let crmToken = try token(admin, "TOKEN ISSUE booker client=helpline-crm")
        let loneToken = try token(admin, "TOKEN ISSUE booker")
        #expect(admin.ask("TOKEN LIST").contains(#""client":"helpline-crm""#))

        let portal = try booker(daemon, portalToken)
        let crm = try booker(daemon, crmToken)
        let crmWatch = try booker(daemon, crmToken)
        #expect(crmWatch.ask("SUBSCRIBE jobs") == "OK")
        // Booked for tomorrow, so it stays open with no worker about.
        let booked = "JOB NEW skill=plumber lat=27.5960 lon=78.0500 ref=call-17 at=\(Int(Date().timeIntervalSince1970) + 86_400)"
        let portalJob = id(portal.ask(booked))
        let crmJob = id(crm.ask(booked))
        #expect(portalJob != crmJob && portalJob != "?" && crmJob != "?", "the same ref from two clients makes two jobs")
        #expect(id(portal.ask(booked)) == portalJob && id(crm.ask(booked)) == crmJob, "and again each its own")

        for verb in ["JOB GET \(portalJob)", "JOB CANCEL \(portalJob)", "WATCH \(portalJob)"] {
            #expect(crm.ask(verb) == "ERR NOTFOUND no job \(portalJob)", "\(verb) by another client")
        }
        #expect(crm.ask("JOB GET 999999") == "ERR NOTFOUND no job 999999", "the same answer as a job that never was")
        let crmList = crm.ask("JOB LIST")
        #expect(crmList.contains(#""id":\#(crmJob),"#) && !crmList.contains(#""id":\#(portalJob),"#), "\(crmList)")
        let crmFeed = crm.ask("FEED since=0")
        #expect(crmFeed.contains(#""job":\#(crmJob),"#) && !crmFeed.contains(#""job":\#(portalJob),"#), "\(crmFeed)")
        let replay = EventClient(try LineConnection(port: daemon.port))
        #expect(replay.ask("AUTH \(crmToken)").hasPrefix("OK"))
        #expect(replay.ask("SUBSCRIBE jobs since=0") == "OK")
        #expect(!replay.events.isEmpty && replay.events.allSatisfy { $0.contains(#""job":\#(crmJob),"#) }, "\(replay.events)")
        #expect(portal.ask("JOB CANCEL \(portalJob) reason=\"customer away\"") == "OK")
        #expect(crm.ask("JOB CANCEL \(crmJob)") == "OK")
        let heard = crmWatch.awaitEvents(2)
        #expect(heard.count == 2 && heard.allSatisfy { $0.contains(#""job":\#(crmJob),"#) },
                "a live subscriber hears its client's jobs and nothing of another's: \(heard)")

        let lone = try booker(daemon, loneToken)
        #expect(lone.ask("JOB GET \(crmJob)") == "ERR NOTFOUND no job \(crmJob)", "a token without client= is its own client")
        let second = try booker(daemon, portalSecond)
        #expect(second.ask("JOB GET \(portalJob)").contains(#""state":"cancelled""#), "two tokens of one client share jobs")
        #expect(id(second.ask(booked)) == portalJob, "and its refs")
        #expect(admin.ask("JOB GET \(crmJob)").contains(#""client":"helpline-crm""#), "admins see every job")
        #expect(admin.ask("JOB LIST").contains(#""id":\#(portalJob),"#))

        daemon.stop()
        daemon = try DaemonProcess(directory: directory)
        defer { daemon.stop() }
        let crmAgain = try booker(daemon, crmToken)
        #expect(crmAgain.ask("JOB GET \(portalJob)") == "ERR NOTFOUND no job \(portalJob)", "after a restart too")
        #expect(crmAgain.ask("JOB GET \(crmJob)").contains(#""ref":"call-17""#))
        // Once the filter of the store's refs is built, old refs are still found and fresh ones skip the store.
        let restarted = try LineConnection(unixPath: daemon.socketPath)
        #expect(waitUntil { JSONField.value(restarted.ask("STATS"), "filter_ready") == "true" })
        #expect(id(crmAgain.ask(booked)) == crmJob)
        let portalAgain = try booker(daemon, portalSecond)
        #expect(id(portalAgain.ask(booked)) == portalJob, "refs stay per client across a restart")
        let fresh = id(portalAgain.ask(booked.replacingOccurrences(of: "ref=call-17", with: "ref=call-18")))
        #expect(fresh != portalJob && fresh != "?")
        #expect(id(portalAgain.ask(booked.replacingOccurrences(of: "ref=call-17", with: "ref=call-18"))) == fresh)
        #expect(Int(JSONField.value(restarted.ask("STATS"), "known_new") ?? "") ?? 0 >= 1, "a fresh ref skipped the store")
    }

    @Test func anotherTokenOnTheSameConnectionStartsAfresh() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("TOKEN ISSUE booker client=sv1_AbCdEfGh").hasPrefix("ERR BADARG client: names starting sv1_ are kept"))
        let portalToken = try token(admin, "TOKEN ISSUE booker client=web-portal")
        let crmToken = try token(admin, "TOKEN ISSUE booker client=helpline-crm")
        let tomorrow = Int(Date().timeIntervalSince1970) + 86_400
        let client = try booker(daemon, portalToken)
        let job = id(client.ask("JOB NEW skill=cook lat=27.5960 lon=78.0500 at=\(tomorrow)"))
        #expect(client.ask("WATCH \(job)") == "OK")
        #expect(client.ask("SUBSCRIBE jobs") == "OK")
        #expect(client.ask("AUTH \(crmToken)").contains(#""client":"helpline-crm""#))
        #expect(admin.ask("JOB CANCEL \(job)") == "OK")
        let crmJob = id(client.ask("JOB NEW skill=cook lat=27.5960 lon=78.0500 at=\(tomorrow)"))
        #expect(client.ask("WATCH \(crmJob)") == "OK")
        #expect(admin.ask("JOB CANCEL \(crmJob)") == "OK")
        let heard = client.awaitEvents(1)
        #expect(heard.count == 1 && heard.allSatisfy { $0.contains(#""job":\#(crmJob),"#) },
                "what the connection watched and subscribed to as the portal went with the portal's token: \(heard)")
    }
}
