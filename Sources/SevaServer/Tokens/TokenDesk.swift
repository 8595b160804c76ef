import SevaCore
import SevaStore
import SevaWire

/// Tokens and the sessions that stand on them: issuing, rotating with a grace period,
/// revoking, expiry, and when each signed-in token's sessions must end. It owns the
/// `TokenBook` and the session-expiry schedule; it says what to store and which sessions to
/// end, and does neither itself (the engine persists and closes), so it is pure and is
/// tested with a hand-set clock.
struct TokenDesk {
    private(set) var book: TokenBook
    private var expiries = SessionExpiries()

    init(_ book: TokenBook = TokenBook()) { self.book = book }


    /// A token just minted: the secret (shown once), what to store, and the reply.
    struct Issued {
        let token: String
        let record: IssuedToken
        /// The token it replaces (TOKEN ROTATE): its hash and the end of its grace, to store.
        let replaced: (hash: [UInt8], expiresAt: Double)?
        let reply: JSONWriter
    }

    // MARK: - Issuing, rotating, revoking

    /// TOKEN ISSUE: a new token, in the book at once (the engine stores it before the reply).
    mutating func issue(role: Role, worker: String?, client: String?, label: String, expiresAt: Double?, now: Double,
                        using random: inout some RandomNumberGenerator) -> Issued {
        issue(role: role, worker: worker, client: client, label: label, expiresAt: expiresAt, now: now, grace: 0,
              replacing: nil, hasSessions: { _ in false }, using: &random)
    }

    /// TOKEN ROTATE: a new token like the one `prefix` names (role, worker, client, label and
    /// lifetime); the old one keeps working for `grace` seconds, and its sessions (those
    /// `hasSessions` says exist) end then.
    mutating func rotate(prefix: String, now: Double, grace: Double, hasSessions: (TokenIdentity) -> Bool,
                         using random: inout some RandomNumberGenerator) -> Result<Issued, WireError> {
        let matching = book.entries.filter { $0.prefix.hasPrefix(prefix) && !$0.isExpired(now: now) }
        guard let old = matching.first else { return .failure(WireError(.notFound, "no live token starts with \(prefix)")) }
        guard matching.count == 1 else {
            return .failure(.badArgument("prefix", "\(matching.count) tokens start with \(prefix); give more of it"))
        }
        let lifetime = old.expiresAt.map { $0 - old.createdAt }
        return .success(issue(role: old.role, worker: old.worker, client: old.client, label: old.label,
                              expiresAt: lifetime.map { now + $0 }, now: now, grace: grace, replacing: old,
                              hasSessions: hasSessions, using: &random))
    }

    private mutating func issue(role: Role, worker: String?, client: String?, label: String, expiresAt: Double?, now: Double,
                                grace: Double, replacing old: IssuedToken?, hasSessions: (TokenIdentity) -> Bool,
                                using random: inout some RandomNumberGenerator) -> Issued {
        let (token, entry) = TokenBook.mint(role: role, worker: worker, client: client, label: label, now: now,
                                            expiresAt: expiresAt, using: &random)
        book.add(entry)
        var json = JSONWriter()
        json.beginObject()
        json.key("token"); json.string(token)
        json.key("prefix"); json.string(entry.prefix)
        json.key("role"); json.string(role.rawValue)
        if let client = entry.client { json.key("client"); json.string(client) }
        json.key("expires_at"); if let expiresAt { json.integer(Int(expiresAt)) } else { json.null() }
        var replaced: (hash: [UInt8], expiresAt: Double)?
        if let old {
            let graceEnds = min(old.expiresAt ?? .infinity, now + grace)
            let identity = TokenBook.identity(of: old)
            book.expire(identity, at: graceEnds)
            if hasSessions(identity) { expiries.schedule(identity, at: graceEnds) }
            replaced = (old.hash, graceEnds)
            json.key("replaces"); json.string(old.prefix)
            json.key("replaced_expires_at"); json.integer(Int(graceEnds))
        }
        json.endObject()
        return Issued(token: token, record: entry, replaced: replaced, reply: json)
    }

    /// TOKEN REVOKE: the tokens `prefix` starts, gone from the book; their sessions are the
    /// engine's to end before it answers.
    mutating func revoke(prefix: String) -> Result<[TokenIdentity], WireError> {
        guard book.entries.contains(where: { $0.prefix.hasPrefix(prefix) }) else {
            return .failure(WireError(.notFound, "no token starts with \(prefix)"))
        }
        return .success(book.revoke(prefix: prefix).map(TokenBook.identity))
    }

    /// A worker removed: its tokens go with it.
    mutating func revoke(worker: String) -> [TokenIdentity] { book.revoke(worker: worker).map(TokenBook.identity) }

    /// TOKEN LIST: every live token, never a secret.
    func list(now: Double) -> JSONWriter {
        var json = JSONWriter()
        json.beginArray()
        for entry in book.entries {
            json.beginObject()
            json.key("prefix"); json.string(entry.prefix)
            json.key("role"); json.string(entry.role.rawValue)
            if let worker = entry.worker { json.key("worker"); json.string(worker) }
            if let client = entry.client { json.key("client"); json.string(client) }
            json.key("label"); json.string(entry.label)
            json.key("created_at"); json.integer(Int(entry.createdAt))
            json.key("expires_at"); if let at = entry.expiresAt { json.integer(Int(at)) } else { json.null() }
            json.key("last_used_at"); if let at = entry.lastUsedAt { json.integer(Int(at)) } else { json.null() }
            json.key("expired"); json.bool(entry.isExpired(now: now))
            json.endObject()
        }
        json.endArray()
        return json
    }

    // MARK: - Sessions

    /// AUTH: what `token` stands for now; a valid token's last use is noted.
    /// A token's last use is kept to this many seconds: an app that authenticates every
    /// request (a tracker on the HTTP face) notes it once a minute, not a store write a fix.
    static let lastUseResolution = 60.0

    /// The verdict on `token`, and whether its last use moved (and so is to be written).
    mutating func authenticate(_ token: String, now: Double) -> (verdict: TokenBook.Verdict, touched: Bool) {
        let verdict = book.verdict(token, now: now)
        guard case .valid(let principal) = verdict, let identity = principal.token else { return (verdict, false) }
        if let last = book.entry(identity)?.lastUsedAt, now - last < Self.lastUseResolution { return (verdict, false) }
        book.touch(identity, now: now)
        return (verdict, true)
    }

    /// A session signed in on `identity`: it is to end when the token expires.
    mutating func signedIn(_ identity: TokenIdentity) {
        if let expiry = book.entry(identity)?.expiresAt { expiries.schedule(identity, at: expiry) }
    }

    /// Why a token session may no longer act (revoked, expired), or nil while it may.
    func sessionEnded(_ principal: Principal, now: Double) -> String? {
        guard let identity = principal.token else { return nil }
        guard let entry = book.entry(identity) else { return "token revoked" }
        return entry.isExpired(now: now) ? "token expired" : nil
    }

    /// The tokens whose sessions (those `hasSessions` says exist) must end by `now`: their
    /// expiry or rotation grace has passed. A token that turns out live after all (a rotation
    /// undone by a failed commit) is put back on its own expiry.
    mutating func expiredSessions(now: Double, hasSessions: (TokenIdentity) -> Bool) -> [TokenIdentity] {
        var expired: [TokenIdentity] = []
        for token in expiries.due(now: now) where hasSessions(token) {
            if let entry = book.entry(token), !entry.isExpired(now: now) {
                if let later = entry.expiresAt { expiries.schedule(token, at: later) }
                continue
            }
            expired.append(token)
        }
        return expired
    }

    var count: Int { book.count }
}
