import SevaWire

/// The live set of access tokens, by hash: issuing, authenticating, revoking, listing. The
/// engine owns it and mirrors every change to the store's `tokens` table.
///
/// A presented token is looked up by its clear prefix, then its SHA-256 is compared with the
/// stored hash in constant time; the token itself is never kept.
public struct TokenBook: Sendable {
    /// One issued token, as kept: the hash, never the token.
    public struct Entry: Sendable, Equatable {
        public var hash: [UInt8]
        public var prefix: String
        public var role: Role
        public var worker: String?
        public var label: String
        public var createdAt: Double

        public init(hash: [UInt8], prefix: String, role: Role, worker: String?, label: String, createdAt: Double) {
            self.hash = hash
            self.prefix = prefix
            self.role = role
            self.worker = worker
            self.label = label
            self.createdAt = createdAt
        }
    }

    private var byPrefix: [String: [Entry]] = [:]

    public init(_ entries: [Entry] = []) {
        for entry in entries { byPrefix[entry.prefix, default: []].append(entry) }
    }

    /// Tokens held.
    public var count: Int { byPrefix.values.reduce(0) { $0 + $1.count } }

    /// Issues a new token: returns the token (to show once) and the entry (to store).
    public mutating func issue(role: Role, worker: String?, label: String, now: Double,
                               using random: inout some RandomNumberGenerator) -> (token: String, entry: Entry) {
        let minted = Self.mint(role: role, worker: worker, label: label, now: now, using: &random)
        add(minted.entry)
        return minted
    }

    /// A new token and its entry, not yet in any book (the engine adds it after the commit).
    public static func mint(role: Role, worker: String?, label: String, now: Double,
                            using random: inout some RandomNumberGenerator) -> (token: String, entry: Entry) {
        let token = AccessToken.generate(using: &random)
        let entry = Entry(hash: AccessToken.hash(token), prefix: AccessToken.prefix(token), role: role, worker: worker,
                          label: label, createdAt: now)
        return (token, entry)
    }

    /// Adds an entry issued elsewhere (once its store write has committed).
    public mutating func add(_ entry: Entry) {
        byPrefix[entry.prefix, default: []].append(entry)
    }

    /// The principal a presented token stands for, or nil.
    public func authenticate(_ token: String) -> Principal? {
        guard AccessToken.isWellFormed(token), let candidates = byPrefix[AccessToken.prefix(token)] else { return nil }
        let hash = AccessToken.hash(token)
        var found: Principal?
        for entry in candidates where AccessToken.constantTimeEquals(entry.hash, hash) {
            found = Principal(role: entry.role, worker: entry.worker)
        }
        return found
    }

    /// Revokes every token whose prefix starts with `prefix`; returns the revoked entries.
    public mutating func revoke(prefix: String) -> [Entry] {
        var revoked: [Entry] = []
        for key in byPrefix.keys where key.hasPrefix(prefix) {
            revoked += byPrefix.removeValue(forKey: key) ?? []
        }
        return revoked.sorted { $0.prefix < $1.prefix }
    }

    /// Revokes every token bound to `worker` (when the worker is deleted); returns how many.
    @discardableResult
    public mutating func revoke(worker: String) -> Int {
        var revoked = 0
        for key in Array(byPrefix.keys) {
            let before = byPrefix[key]?.count ?? 0
            byPrefix[key]?.removeAll { $0.worker == worker }
            revoked += before - (byPrefix[key]?.count ?? 0)
            if byPrefix[key]?.isEmpty == true { byPrefix[key] = nil }
        }
        return revoked
    }

    /// Every entry, by prefix — for TOKEN LIST, which shows prefixes, never tokens.
    public var entries: [Entry] { byPrefix.values.flatMap { $0 }.sorted { $0.prefix < $1.prefix } }
}
