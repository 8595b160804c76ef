import SevaCore
import SevaWire

/// The live set of access tokens, by hash: issuing (optionally with an expiry), authenticating,
/// rotating, revoking, listing with the last use. The engine owns it and mirrors every change
/// to the store's `tokens` table.
///
/// A presented token is looked up by its clear prefix, then its SHA-256 is compared with the
/// stored hash in constant time; the token itself is never kept.
public struct TokenBook: Sendable {
    /// What a presented token turned out to be.
    public enum Verdict: Sendable, Equatable {
        case valid(Principal)
        case expired
        case unknown
        /// Not judged: this sevad is a standby (the reason says which sevad is active).
        case unavailable(String)
    }

    private var byPrefix: [String: [IssuedToken]] = [:]

    public init(_ entries: [IssuedToken] = []) {
        for entry in entries { byPrefix[entry.prefix, default: []].append(entry) }
    }

    /// Tokens held.
    public var count: Int { byPrefix.values.reduce(0) { $0 + $1.count } }

    /// Issues a new token: returns the token (to show once) and the entry (to store).
    public mutating func issue(role: Role, worker: String?, label: String, now: Double,
                               using random: inout some RandomNumberGenerator) -> (token: String, entry: IssuedToken) {
        let minted = Self.mint(role: role, worker: worker, label: label, now: now, using: &random)
        add(minted.entry)
        return minted
    }

    /// A new token and its entry, not yet in any book (the engine adds it after the commit).
    /// A booker token without a `client` is a client of its own.
    public static func mint(role: Role, worker: String?, client: String? = nil, label: String, now: Double,
                            expiresAt: Double? = nil, using random: inout some RandomNumberGenerator)
        -> (token: String, entry: IssuedToken) {
        let token = AccessToken.generate(using: &random)
        let entry = IssuedToken(hash: AccessToken.hash(token), prefix: AccessToken.prefix(token), role: role, worker: worker,
                          client: client, label: label, createdAt: now, expiresAt: expiresAt)
        return (token, entry)
    }

    /// Adds an entry issued elsewhere (once its store write has committed).
    public mutating func add(_ entry: IssuedToken) {
        byPrefix[entry.prefix, default: []].append(entry)
    }

    /// Whether a presented token authenticates at `now`.
    public func verdict(_ token: String, now: Double) -> Verdict {
        guard AccessToken.isWellFormed(token), let candidates = byPrefix[AccessToken.prefix(token)] else { return .unknown }
        let hash = AccessToken.hash(token)
        var found: IssuedToken?
        for entry in candidates where AccessToken.constantTimeEquals(entry.hash, hash) { found = entry }
        guard let found else { return .unknown }
        if found.isExpired(now: now) { return .expired }
        return .valid(Principal(role: found.role, worker: found.worker, client: found.client,
                                token: TokenIdentity(prefix: found.prefix, hash: found.hash)))
    }

    /// The entry a session stands on, if it is still held (revoked ones are not).
    public func entry(_ identity: TokenIdentity) -> IssuedToken? {
        byPrefix[identity.prefix]?.first { $0.hash == identity.hash }
    }

    /// Notes a successful AUTH.
    public mutating func touch(_ identity: TokenIdentity, now: Double) {
        guard let index = byPrefix[identity.prefix]?.firstIndex(where: { $0.hash == identity.hash }) else { return }
        byPrefix[identity.prefix]?[index].lastUsedAt = now
    }

    /// Makes the token stop working at `time` at the latest (rotation's grace period).
    public mutating func expire(_ identity: TokenIdentity, at time: Double) {
        guard let index = byPrefix[identity.prefix]?.firstIndex(where: { $0.hash == identity.hash }),
              let current = byPrefix[identity.prefix]?[index] else { return }
        byPrefix[identity.prefix]?[index].expiresAt = min(current.expiresAt ?? .infinity, time)
    }

    /// The identity a session on this entry stands on.
    public static func identity(of entry: IssuedToken) -> TokenIdentity { TokenIdentity(prefix: entry.prefix, hash: entry.hash) }

    /// Revokes every token whose prefix starts with `prefix`; returns the revoked entries.
    public mutating func revoke(prefix: String) -> [IssuedToken] {
        var revoked: [IssuedToken] = []
        for key in byPrefix.keys where key.hasPrefix(prefix) {
            revoked += byPrefix.removeValue(forKey: key) ?? []
        }
        return revoked.sorted { $0.prefix < $1.prefix }
    }

    /// Revokes every token bound to `worker` (when the worker is deleted); returns the revoked entries.
    @discardableResult
    public mutating func revoke(worker: String) -> [IssuedToken] {
        var revoked: [IssuedToken] = []
        for key in Array(byPrefix.keys) {
            revoked += byPrefix[key]?.filter { $0.worker == worker } ?? []
            byPrefix[key]?.removeAll { $0.worker == worker }
            if byPrefix[key]?.isEmpty == true { byPrefix[key] = nil }
        }
        return revoked
    }

    /// Every entry, by prefix — for TOKEN LIST, which shows prefixes, never tokens.
    public var entries: [IssuedToken] { byPrefix.values.flatMap { $0 }.sorted { $0.prefix < $1.prefix } }
}
