import CSQLite

/// One SQLite connection: owns the `sqlite3` handle and a cache of prepared statements.
///
/// A connection is used by one thread at a time — the store writer owns the write
/// connection, the reader the read one — so it carries no lock of its own.
public final class SQLiteConnection {
    let handle: OpaquePointer
    /// The database file's path.
    public let path: String
    private var statements: [String: SQLiteStatement] = [:]

    /// How to open a connection.
    public struct OpenMode: Sendable {
        let flags: Int32
        /// Read and write; the file must exist.
        public static let readWrite = OpenMode(flags: SQLITE_OPEN_READWRITE)
        /// Read and write, creating the file when missing.
        public static let readWriteCreate = OpenMode(flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        /// Read only.
        public static let readOnly = OpenMode(flags: SQLITE_OPEN_READONLY)
    }

    public init(path: String, mode: OpenMode) throws(SQLiteError) {
        var connection: OpaquePointer?
        let result = sqlite3_open_v2(path, &connection, mode.flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nil)
        guard result == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(connection)
            throw SQLiteError(extendedCode: result, message: "\(message): \(path)")
        }
        handle = connection
        self.path = path
        sqlite3_extended_result_codes(handle, 1)
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs fixed SQL text (schema, pragmas, transaction control) with no values in it.
    public func execute(_ sql: String) throws(SQLiteError) {
        let result = sqlite3_exec(handle, sql, nil, nil, nil)
        guard result == SQLITE_OK else { throw error(result, sql: sql) }
    }

    /// The cached prepared statement for `sql`, preparing it on first use.
    public func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = statements[sql] { return cached }
        let prepared = try SQLiteStatement(connection: self, sql: sql)
        statements[sql] = prepared
        return prepared
    }

    /// The single integer a query like `PRAGMA user_version` returns.
    public func integer(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> Int64 {
        let query = try statement(sql).bind(values)
        defer { query.reset() }
        guard try query.step() else { return 0 }
        return query.int64(0)
    }

    /// The single text a query like `PRAGMA journal_mode` returns.
    public func text(_ sql: String) throws(SQLiteError) -> String {
        let query = try statement(sql).bind([])
        defer { query.reset() }
        guard try query.step() else { return "" }
        return query.text(0)
    }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }
    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }
    /// True while a transaction is open.
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// True when the database file was deleted, renamed or replaced since it was opened.
    public var fileHasMoved: Bool {
        var moved: Int32 = 0
        let result = sqlite3_file_control(handle, "main", SQLITE_FCNTL_HAS_MOVED, &moved)
        return result == SQLITE_OK && moved != 0
    }

    func error(_ result: Int32, sql: String?) -> SQLiteError {
        let code = sqlite3_extended_errcode(handle)
        return SQLiteError(extendedCode: code == SQLITE_OK ? result : code,
                           message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}
