import CSQLite

/// One SQLite connection: owns the `sqlite3` handle and a cache of prepared statements.
///
/// A connection is used by one thread at a time — the store writer owns the write
/// connection, the reader the read one — so it carries no lock of its own.
public final class SQLiteConnection: DatabaseConnection {
    let handle: OpaquePointer
    /// The database file's path.
    public let path: String
    public var dialect: SQLDialect { .sqlite }
    public var location: String { path }
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

    public init(path: String, mode: OpenMode) throws(DatabaseError) {
        var connection: OpaquePointer?
        let result = sqlite3_open_v2(path, &connection, mode.flags | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, nil)
        guard result == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(connection)
            throw DatabaseError(extendedCode: result, message: "\(message): \(path)")
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
    public func execute(_ sql: String) throws(DatabaseError) {
        let result = sqlite3_exec(handle, sql, nil, nil, nil)
        guard result == SQLITE_OK else { throw error(result, sql: sql) }
    }

    /// The cached prepared statement for `sql`, preparing it on first use.
    public func statement(_ sql: String) throws(DatabaseError) -> any DatabaseStatement {
        if let cached = statements[sql] { return cached }
        let prepared = try SQLiteStatement(connection: self, sql: sql)
        statements[sql] = prepared
        return prepared
    }

    /// Rows changed by the last statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }
    /// True while a transaction is open.
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// True when the database file was deleted, renamed or replaced since it was opened.
    public var isLost: Bool {
        var moved: Int32 = 0
        let result = sqlite3_file_control(handle, "main", SQLITE_FCNTL_HAS_MOVED, &moved)
        return result == SQLITE_OK && moved != 0
    }

    func error(_ result: Int32, sql: String?) -> DatabaseError {
        let code = sqlite3_extended_errcode(handle)
        return DatabaseError(extendedCode: code == SQLITE_OK ? result : code,
                           message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}
