import CSQLite

/// A failure reported by the store's database: a code, its message, and the statement.
///
/// SQLite's extended result codes are the store's vocabulary for what went wrong: PostgreSQL's
/// SQLSTATE is mapped to the nearest one (and kept in `sqlState`), so the writer's rules —
/// which failures fail a batch and degrade the store, which only their own operation — are
/// written once for both backends. `isStorageFailure` tells the failures of the disk, file or
/// database session (full, I/O error, read-only, cannot open, corrupt, out of memory, busy,
/// connection lost) from those of the request itself (a constraint, a misuse): the first kind
/// fails a whole batch and degrades the store, the second only the operation that caused it.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    /// SQLite's extended result code, or the nearest one to PostgreSQL's SQLSTATE.
    public let extendedCode: Int32
    /// The database's message, e.g. `database or disk is full`.
    public let message: String
    /// The SQL text that failed, without any bound values.
    public let sql: String?
    /// PostgreSQL's five-character SQLSTATE, when PostgreSQL reported the failure.
    public let sqlState: String?

    public init(extendedCode: Int32, message: String, sql: String? = nil, sqlState: String? = nil) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
        self.sqlState = sqlState
    }

    /// The primary result code (`SQLITE_FULL`, `SQLITE_IOERR`, …).
    public var primaryCode: Int32 { extendedCode & 0xFF }

    /// True for failures of the storage rather than of the statement.
    public var isStorageFailure: Bool {
        [SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_CORRUPT, SQLITE_NOTADB,
         SQLITE_NOMEM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PERM, SQLITE_PROTOCOL].contains(primaryCode)
    }

    /// True when the connection cannot be used again and must be opened anew: the file could not
    /// be opened or became read-only, or the PostgreSQL session was lost or landed on a standby.
    public var needsNewConnection: Bool { [SQLITE_CANTOPEN, SQLITE_READONLY].contains(primaryCode) }

    public var description: String {
        let text = sqlState.map { "PostgreSQL error \($0): \(message)" }
            ?? "SQLite error \(extendedCode) (\(String(cString: sqlite3_errstr(extendedCode)))): \(message)"
        return sql.map { text + " in `\($0)`" } ?? text
    }
}
