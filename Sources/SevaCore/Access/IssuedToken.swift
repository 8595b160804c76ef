/// One issued bearer token as sevad keeps it, in memory and in the store: its SHA-256 hash
/// and clear prefix, never the token itself (DESIGN.md §2).
public struct IssuedToken: Sendable, Equatable {
    public var hash: [UInt8]
    public var prefix: String
    public var role: Role
    public var worker: String?
    /// A booker token's client (a booker issued without `client=` is its own, named by its prefix).
    public var client: String?
    public var label: String
    public var createdAt: Double
    /// Unix seconds after which the token no longer authenticates (nil: never).
    public var expiresAt: Double?
    /// The last successful AUTH with it.
    public var lastUsedAt: Double?

    public init(hash: [UInt8], prefix: String, role: Role, worker: String?, client: String? = nil, label: String,
                createdAt: Double, expiresAt: Double? = nil, lastUsedAt: Double? = nil) {
        self.hash = hash
        self.prefix = prefix
        self.role = role
        self.worker = worker
        self.client = role == .booker ? client ?? prefix : nil
        self.label = label
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }

    public func isExpired(now: Double) -> Bool { expiresAt.map { now >= $0 } ?? false }
}
