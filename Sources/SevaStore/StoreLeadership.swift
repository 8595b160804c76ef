/// Which of several sevads sharing one PostgreSQL database is the active one: the one whose
/// writer session holds a session-level advisory lock. The lock lives on the writer's own
/// session, so it fences by itself: a sevad whose session ended (its host died, its network was
/// cut, the database failed over) has lost the lock and can commit nothing more on that
/// session; a new session must take the lock again before it writes, and cannot while another
/// sevad holds it. The standby's writer tries for the lock every `store.probe_interval_s`.
///
/// SQLite's file has one writer by construction: its store is always active.
public enum StoreRole: Sendable, Equatable, CustomStringConvertible {
    case active
    /// Waiting for the lock; `active` names the sevad that holds it, when one does.
    case standby(active: String?)

    public var description: String {
        switch self {
        case .active: return "active"
        case .standby(let active): return "standby; the active is \(active ?? "unknown (none holds the lock yet)")"
        }
    }
}

enum StoreLeadership {
    /// The advisory lock's key ("sevalead" in ASCII), apart from the migrations'.
    static let lockKey: Int64 = 0x7365_7661_6C65_6164

    /// The writer session's `application_name`: how the standby learns the active's name.
    static func applicationName(node: String) -> String {
        "sevad-writer " + String(node.filter { $0.isLetter || $0.isNumber || "-._".contains($0) }.prefix(40))
    }

    /// Takes the lock on `connection` unless another session holds it; true when held now.
    static func take(_ connection: any DatabaseConnection) throws(DatabaseError) -> Bool {
        try connection.integer("SELECT CASE WHEN pg_try_advisory_lock(\(lockKey)) THEN 1 ELSE 0 END") == 1
    }

    /// The node name of the session holding the lock, if any.
    static func holder(_ connection: any DatabaseConnection) throws(DatabaseError) -> String? {
        let name = try connection.text("""
            SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = \(UInt32(truncatingIfNeeded: lockKey >> 32))
            AND l.objid = \(UInt32(truncatingIfNeeded: lockKey)) AND l.objsubid = 1
            """)
        guard !name.isEmpty else { return nil }
        return name.hasPrefix("sevad-writer ") ? String(name.dropFirst("sevad-writer ".count)) : name
    }
}
