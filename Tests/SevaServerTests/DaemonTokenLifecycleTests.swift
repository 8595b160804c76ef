import Foundation
import SevaClient
import Testing

/// Tokens over their life on the real daemon (issue 8): expiry, rotation with a grace
/// period, the last use in TOKEN LIST (never the token), and revocation ending open sessions.
@Suite(.serialized) struct DaemonTokenLifecycleTests {
    func issue(_ admin: LineConnection, _ request: String) throws -> (token: String, prefix: String) {
        let reply = admin.ask(request)
        let token = try #require(JSONField.value(reply, "token"), "\(reply)")
        return (token, String(token.prefix(12)))
    }

    func row(_ admin: LineConnection, _ prefix: String) throws -> [String: Any] {
        let reply = admin.ask("TOKEN LIST")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(reply.dropFirst(3).utf8)) as? [[String: Any]])
        return try #require(rows.first { $0["prefix"] as? String == prefix }, "\(reply)")
    }

    @Test func revocationEndsOpenSessionsAtOnce() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER ADD w1 skills=cook") == "OK")
        let gateway = try issue(admin, "TOKEN ISSUE gateway")
        let phone = try LineConnection(port: daemon.port)
        #expect(phone.ask("AUTH \(gateway.token)").contains(#""role":"gateway""#))
        #expect(phone.ask("LOC w1 27.5960 78.0500") == "OK")
        #expect(admin.ask("TOKEN REVOKE \(gateway.prefix)") == #"OK {"revoked":1}"#)
        #expect(phone.line() == "ERR NOAUTH token revoked; closing", "told without asking anything")
        #expect(phone.line() == nil, "and the connection is closed")
        let again = try LineConnection(port: daemon.port)
        #expect(again.ask("AUTH \(gateway.token)") == "ERR DENIED invalid token")
    }

    @Test func expiredTokensStopWorkingOnOpenAndNewSessions() throws {
        let daemon = try DaemonProcess(arguments: ["--server.auth_backoff_s", "0"])
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        let shortLived = try issue(admin, "TOKEN ISSUE viewer ttl_days=0.00002")   // ≈ 1.7 s
        let client = try LineConnection(port: daemon.port)
        #expect(client.ask("AUTH \(shortLived.token)").contains(#""role":"viewer""#))
        #expect(client.ask("STATS").hasPrefix("OK"))
        #expect(try row(admin, shortLived.prefix)["expires_at"] as? Int != nil)
        #expect(client.line() == "ERR NOAUTH token expired; closing", "ended when the token expires, without a command")
        #expect(client.line() == nil)
        let fresh = try LineConnection(port: daemon.port)
        #expect(fresh.ask("AUTH \(shortLived.token)") == "ERR DENIED token expired")
        #expect(try row(admin, shortLived.prefix)["expired"] as? Bool == true)
    }

    @Test func rotationIssuesAReplacementAndTheOldOneWorksForTheGracePeriod() throws {
        let daemon = try DaemonProcess(arguments: ["--server.token_rotate_grace_s", "1.5", "--server.auth_backoff_s", "0"])
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        let old = try issue(admin, "TOKEN ISSUE booker label=portal ttl_days=30")
        let rotated = admin.ask("TOKEN ROTATE \(old.prefix)")
        let new = try #require(JSONField.value(rotated, "token"), "\(rotated)")
        #expect(JSONField.value(rotated, "replaces") == old.prefix && JSONField.value(rotated, "role") == "booker")
        let newRow = try row(admin, String(new.prefix(12)))
        #expect(newRow["label"] as? String == "portal")
        let lifetime = (newRow["expires_at"] as? Int ?? 0) - (newRow["created_at"] as? Int ?? 0)
        #expect(abs(lifetime - 30 * 86_400) <= 1, "the replacement keeps the old one's lifetime")
        let during = try LineConnection(port: daemon.port)
        #expect(during.ask("AUTH \(old.token)").contains(#""role":"booker""#), "the old token works during the grace period")
        #expect(during.line() == "ERR NOAUTH token expired; closing", "and its session ends when the grace period does")
        let after = try LineConnection(port: daemon.port)
        #expect(after.ask("AUTH \(new)").contains(#""role":"booker""#))
        #expect(after.ask("JOB LIST").hasPrefix("OK"))
        #expect(admin.ask("TOKEN ROTATE \(old.prefix)").hasPrefix("ERR NOTFOUND"), "an expired token is not rotated")
    }

    @Test func tokenListShowsTheLastUseNeverTheTokenAndItSurvivesARestart() throws {
        let directory = NSTemporaryDirectory() + "sevad-tokens-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var daemon = try DaemonProcess(directory: directory)
        var admin = try LineConnection(unixPath: daemon.socketPath)
        let viewer = try issue(admin, "TOKEN ISSUE viewer ttl_days=2")
        #expect(try row(admin, viewer.prefix)["last_used_at"] is NSNull)
        let before = Int(Date().timeIntervalSince1970)
        #expect(try LineConnection(port: daemon.port).ask("AUTH \(viewer.token)").contains("viewer"))
        let used = try #require(try row(admin, viewer.prefix)["last_used_at"] as? Int)
        #expect(used >= before - 1 && used <= before + 2)
        #expect(!admin.ask("TOKEN LIST").contains(viewer.token), "TOKEN LIST never shows a token")
        let expires = try row(admin, viewer.prefix)["expires_at"] as? Int
        daemon.stop()
        daemon = try DaemonProcess(directory: directory)
        defer { daemon.stop() }
        admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(try row(admin, viewer.prefix)["last_used_at"] as? Int == used)
        #expect(try row(admin, viewer.prefix)["expires_at"] as? Int == expires)
    }
}
