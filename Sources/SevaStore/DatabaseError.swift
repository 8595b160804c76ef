import CSQLite

/// A failure reported by SQLite: its extended result code, its message, and the statement.
///
/// `isStorageFailure` tells the failures of the disk or file (full, I/O error, read-only,
/// cannot open, corrupt, out of memory, busy) from those of the request itself (a constraint,
/// a misuse): the first kind fails a whole batch and degrades the store, the second only the
/// operation that caused it.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// SQLite's extended result code (`sqlite3_extended_errcode`).
    public let extendedCode: Int32
    /// SQLite's message, e.g. `database or disk is full`.
    public let message: String
    /// The SQL text that failed, without any bound values.
    public let sql: String?

    public init(extendedCode: Int32, message: String, sql: String? = nil) {
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    /// The primary result code (`SQLITE_FULL`, `SQLITE_IOERR`, …).
    public var primaryCode: Int32 { extendedCode & 0xFF }

    /// True for failures of the storage rather than of the statement.
    public var isStorageFailure: Bool {
        [SQLITE_FULL, SQLITE_IOERR, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_CORRUPT, SQLITE_NOTADB,
         SQLITE_NOMEM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PERM, SQLITE_PROTOCOL].contains(primaryCode)
    }

    public var description: String {
        let text = "SQLite error \(extendedCode) (\(String(cString: sqlite3_errstr(extendedCode)))): \(message)"
        return sql.map { text + " in `\($0)`" } ?? text
    }
}
