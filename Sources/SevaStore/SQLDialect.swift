/// What differs between the store's two databases, in one place: how a writing and a
/// snapshot-reading transaction begin, and the schema's migrations (`StoreSchema`). Every other
/// statement is written once, in SQL both read alike.
public enum SQLDialect: String, Sendable, CaseIterable {
    case sqlite
    case postgresql

    /// Begins the writer's transaction. SQLite's IMMEDIATE takes the write lock at once, so a
    /// batch never fails half-way for want of it; PostgreSQL's one writer needs no such lock.
    var beginWrite: String {
        switch self {
        case .sqlite: return "BEGIN IMMEDIATE"
        case .postgresql: return "BEGIN"
        }
    }

    /// Begins a read transaction that sees one committed snapshot throughout (SQLite's WAL
    /// read transaction is one; PostgreSQL's default, READ COMMITTED, is not).
    var beginSnapshot: String {
        switch self {
        case .sqlite: return "BEGIN"
        case .postgresql: return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
        }
    }

    /// The name operators know it by, for messages.
    public var displayName: String {
        switch self {
        case .sqlite: return "SQLite"
        case .postgresql: return "PostgreSQL"
        }
    }
}
