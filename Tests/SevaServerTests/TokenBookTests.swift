import SevaCore
import SevaWire
import Testing
@testable import SevaServer

@Suite struct TokenBookTests {
    @Test func issuedTokensAuthenticateAsTheirRole() {
        var book = TokenBook()
        var random = SeededGenerator(seed: 1)
        let (workerToken, workerEntry) = book.issue(role: .worker, worker: "w-1", label: "phone", now: 10, using: &random)
        let (bookerToken, _) = book.issue(role: .booker, worker: nil, label: "portal", now: 11, using: &random)
        #expect(book.authenticate(workerToken)?.role == .worker && book.authenticate(workerToken)?.worker == "w-1")
        #expect(book.authenticate(bookerToken)?.role == .booker && book.authenticate(bookerToken)?.worker == nil)
        #expect(book.authenticate(workerToken)?.token == TokenIdentity(prefix: workerEntry.prefix, hash: workerEntry.hash))
        #expect(workerEntry.hash == AccessToken.hash(workerToken) && workerEntry.prefix == AccessToken.prefix(workerToken))
        #expect(!book.entries.contains { $0.hash == Array(workerToken.utf8) }, "only hashes are kept")
        #expect(book.count == 2)
    }

    @Test func wrongAndMalformedTokensDoNot() {
        var book = TokenBook()
        var random = SeededGenerator(seed: 2)
        let (token, _) = book.issue(role: .admin, worker: nil, label: "", now: 0, using: &random)
        var wrong = Array(token.utf8)
        wrong[wrong.count - 1] = wrong[wrong.count - 1] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(book.authenticate(String(decoding: wrong, as: UTF8.self)) == nil, "same prefix, wrong secret")
        #expect(book.authenticate("") == nil)
        #expect(book.authenticate(String(token.dropLast())) == nil)
        #expect(book.authenticate(token + "x") == nil)
    }

    @Test func revocationByPrefixAndByWorker() {
        var book = TokenBook()
        var random = SeededGenerator(seed: 3)
        let (first, firstEntry) = book.issue(role: .worker, worker: "w-1", label: "", now: 0, using: &random)
        let (second, _) = book.issue(role: .worker, worker: "w-1", label: "", now: 0, using: &random)
        let (third, _) = book.issue(role: .viewer, worker: nil, label: "", now: 0, using: &random)
        let byPrefix = book.revoke(prefix: firstEntry.prefix)
        #expect(byPrefix.map(\.prefix) == [firstEntry.prefix])
        #expect(book.authenticate(first) == nil)
        #expect(book.authenticate(second) != nil)
        let byWorker = book.revoke(worker: "w-1")
        #expect(byWorker.map(\.worker) == ["w-1"])
        #expect(book.authenticate(second) == nil)
        #expect(book.authenticate(third)?.role == .viewer)
        let none = book.revoke(prefix: "sv1_zzzzzzzz")
        #expect(none.isEmpty)
    }

    @Test func aBookerBelongsToItsClientOrIsItsOwn() {
        var random = SystemRandomNumberGenerator()
        let named = TokenBook.mint(role: .booker, worker: nil, client: "helpline-crm", label: "", now: 0, using: &random)
        let own = TokenBook.mint(role: .booker, worker: nil, label: "", now: 0, using: &random)
        let viewer = TokenBook.mint(role: .viewer, worker: nil, client: "ignored", label: "", now: 0, using: &random)
        #expect(named.entry.client == "helpline-crm")
        #expect(own.entry.client == own.entry.prefix, "a booker without client= is a client of its own")
        #expect(viewer.entry.client == nil, "only bookers belong to a client")
        let book = TokenBook([named.entry, own.entry])
        guard case .valid(let principal) = book.verdict(named.token, now: 1) else { Issue.record("not valid"); return }
        #expect(principal.client == "helpline-crm" && principal.jobScope == .client("helpline-crm"))
        #expect(Principal(role: .viewer).jobScope == .all && !Principal(role: .booker).seesExactPositions)
    }

    @Test func aBookRebuiltFromStoredEntriesAuthenticates() {
        var book = TokenBook()
        var random = SeededGenerator(seed: 4)
        let (token, entry) = book.issue(role: .gateway, worker: nil, label: "gw", now: 5, using: &random)
        let reloaded = TokenBook([entry])
        #expect(reloaded.authenticate(token)?.role == .gateway)
        #expect(reloaded.entries == [entry])
    }

    @Test func expiryRotationGraceAndLastUse() throws {
        var book = TokenBook()
        var random = SeededGenerator(seed: 3)
        let (token, entry) = TokenBook.mint(role: .gateway, worker: nil, label: "g", now: 100, expiresAt: 200, using: &random)
        book.add(entry)
        guard case .valid(let principal) = book.verdict(token, now: 199.9) else { Issue.record("valid before expiry"); return }
        #expect(book.verdict(token, now: 200) == .expired)
        #expect(book.verdict("sv1_" + String(repeating: "B", count: 32), now: 150) == .unknown)
        let identity = try #require(principal.token)
        book.touch(identity, now: 150)
        #expect(book.entry(identity)?.lastUsedAt == 150)
        book.expire(identity, at: 120)
        #expect(book.verdict(token, now: 121) == .expired, "a grace period shortens the life")
        book.expire(identity, at: 500)
        #expect(book.entry(identity)?.expiresAt == 120, "but never lengthens it")
        _ = book.revoke(prefix: entry.prefix)
        #expect(book.entry(identity) == nil)
    }
}

extension TokenBook {
    /// The principal a presented token stands for when expiry is not in question.
    func authenticate(_ token: String) -> Principal? {
        if case .valid(let principal) = verdict(token, now: -.infinity) { return principal }
        return nil
    }
}
