import SevaCore
import SevaWire
import Testing
@testable import SevaServer

/// The tokens-and-sessions part on a hand-set clock: TTL, rotation grace, revocation, and
/// which sessions end when — without a daemon, a socket or a sleep.
@Suite struct TokenDeskTests {
    var random = SeededGenerator(seed: 7)

    func principal(_ verdict: TokenBook.Verdict) -> Principal? {
        if case .valid(let principal) = verdict { return principal }
        return nil
    }

    @Test mutating func anIssuedTokenWorksUntilItsTTLAndItsSessionsEndThen() throws {
        var desk = TokenDesk()
        let issued = desk.issue(role: .booker, worker: nil, client: "portal", label: "web", expiresAt: 1_000 + 3_600,
                                now: 1_000, using: &random)
        #expect(issued.record.role == .booker && issued.record.expiresAt == 4_600 && issued.record.client == "portal")
        let signedIn = try #require(principal(desk.authenticate(issued.token, now: 1_001).verdict))
        let identity = try #require(signedIn.token)
        desk.signedIn(identity)
        #expect(desk.sessionEnded(signedIn, now: 4_599) == nil)
        #expect(desk.expiredSessions(now: 4_599, hasSessions: { _ in true }).isEmpty)
        #expect(desk.expiredSessions(now: 4_600, hasSessions: { _ in true }) == [identity])
        #expect(desk.expiredSessions(now: 4_601, hasSessions: { _ in true }).isEmpty, "each end is due once")
        #expect(desk.sessionEnded(signedIn, now: 4_600) == "token expired")
        #expect(desk.authenticate(issued.token, now: 4_600).verdict == .expired)
        #expect(!String(decoding: desk.list(now: 1_001).bytes, as: UTF8.self).contains(issued.token), "TOKEN LIST never shows a secret")
    }

    /// A tracker that authenticates every request moves its token's last use once a minute.
    @Test mutating func lastUseMovesOnceAMinuteNotEveryRequest() throws {
        var desk = TokenDesk()
        let issued = desk.issue(role: .worker, worker: "w1", client: nil, label: "phone", expiresAt: nil, now: 0, using: &random)
        #expect(desk.authenticate(issued.token, now: 10).touched)
        #expect(!desk.authenticate(issued.token, now: 40).touched && !desk.authenticate(issued.token, now: 69.9).touched)
        #expect(desk.book.entries.first?.lastUsedAt == 10)
        #expect(desk.authenticate(issued.token, now: 70).touched)
        #expect(desk.book.entries.first?.lastUsedAt == 70)
        #expect(!desk.authenticate("sv1_" + String(repeating: "Q", count: 32), now: 200).touched)
    }

    @Test mutating func aRotatedTokenKeepsWorkingForItsGraceThenItsSessionsEnd() throws {
        var desk = TokenDesk()
        let old = desk.issue(role: .worker, worker: "w1", client: nil, label: "phone", expiresAt: nil, now: 0, using: &random)
        let identity = try #require(principal(desk.authenticate(old.token, now: 10).verdict)?.token)
        desk.signedIn(identity)
        let rotated = try desk.rotate(prefix: old.record.prefix, now: 100, grace: 60, hasSessions: { $0 == identity },
                                      using: &random).get()
        #expect(rotated.record.worker == "w1" && rotated.record.role == .worker && rotated.record.label == "phone")
        #expect(rotated.replaced?.hash == old.record.hash && rotated.replaced?.expiresAt == 160)
        #expect(principal(desk.authenticate(rotated.token, now: 101).verdict) != nil)
        #expect(principal(desk.authenticate(old.token, now: 159).verdict) != nil, "the old token works through its grace")
        #expect(desk.expiredSessions(now: 159, hasSessions: { _ in true }).isEmpty)
        #expect(desk.expiredSessions(now: 160, hasSessions: { _ in true }) == [identity])
        #expect(desk.authenticate(old.token, now: 160).verdict == .expired)
        #expect(throws: WireError.self) { try desk.rotate(prefix: old.record.prefix, now: 200, grace: 60, hasSessions: { _ in false },
                                                          using: &random).get() }
    }

    @Test mutating func aRotatedBookerTokenKeepsItsClient() throws {
        var desk = TokenDesk()
        let old = desk.issue(role: .booker, worker: nil, client: "helpline-crm", label: "crm", expiresAt: nil, now: 0,
                             using: &random)
        let rotated = try desk.rotate(prefix: old.record.prefix, now: 10, grace: 0, hasSessions: { _ in false },
                                      using: &random).get()
        #expect(rotated.record.client == "helpline-crm", "the replacement books and sees the same client's jobs")
        let signedIn = try #require(principal(desk.authenticate(rotated.token, now: 11).verdict))
        #expect(signedIn.client == "helpline-crm")
    }

    @Test mutating func revokingEndsSessionsAndAnUnknownPrefixIsNotFound() throws {
        var desk = TokenDesk()
        let first = desk.issue(role: .viewer, worker: nil, client: nil, label: "", expiresAt: nil, now: 0, using: &random)
        _ = desk.issue(role: .viewer, worker: nil, client: nil, label: "", expiresAt: nil, now: 0, using: &random)
        let session = try #require(principal(desk.authenticate(first.token, now: 1).verdict))
        #expect(throws: WireError.self) { try desk.rotate(prefix: "sv1_", now: 2, grace: 0, hasSessions: { _ in false },
                                                          using: &random).get() }
        let revoked = try desk.revoke(prefix: first.record.prefix).get()
        #expect(revoked == [try #require(session.token)] && desk.count == 1)
        #expect(desk.sessionEnded(session, now: 2) == "token revoked")
        #expect(desk.authenticate(first.token, now: 2).verdict == .unknown)
        #expect(throws: WireError.self) { try desk.revoke(prefix: first.record.prefix).get() }
    }

    @Test mutating func aWorkersTokensGoWithIt() throws {
        var desk = TokenDesk()
        let phone = desk.issue(role: .worker, worker: "w9", client: nil, label: "", expiresAt: nil, now: 0, using: &random)
        _ = desk.issue(role: .booker, worker: nil, client: nil, label: "", expiresAt: nil, now: 0, using: &random)
        #expect(desk.revoke(worker: "w9").map(\.prefix) == [phone.record.prefix])
        #expect(desk.count == 1)
    }
}
