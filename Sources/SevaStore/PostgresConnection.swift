import CLibPQ
import Foundation

/// One PostgreSQL session through libpq: owns the `PGconn` and a cache of prepared statements.
///
/// libpq's blocking calls suit the store's threads — the writer and the readers each own a
/// connection and wait on it, never the engine's loop — and keep the PostgreSQL backend the
/// same shape as SQLite's (see `docs/high-availability.md` for why not postgres-nio).
/// Parameters go as text, their types inferred by the server from the statement; results come
/// back as text and are parsed here.
public final class PostgresConnection: DatabaseConnection {
    let handle: OpaquePointer
    public let location: String
    public var dialect: SQLDialect { .postgresql }
    private var statements: [String: PostgresStatement] = [:]
    /// Rows changed by the last statement, set by the statement that ran it.
    var lastChanges = 0

    /// Connects to `url` (a libpq URL or `key=value` string, multi-host allowed) and names the
    /// session `applicationName` in `pg_stat_activity`.
    public init(url: String, applicationName: String) throws(DatabaseError) {
        location = Self.withoutPassword(url)
        guard let connection = PQconnectdb(url) else {
            throw DatabaseError(extendedCode: 14, message: "out of memory connecting to \(location)", sqlState: "08001")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.message(PQerrorMessage(connection))
            PQfinish(connection)
            throw DatabaseError(extendedCode: 14, message: "cannot connect to \(location): \(message)", sqlState: "08001")
        }
        handle = connection
        // The server's notices (a table that already exists) are not sevad's to print.
        try execute("SET client_min_messages = warning")
        try execute("SET application_name = '\(applicationName.filter { $0.isLetter || $0.isNumber || "-._ ".contains($0) })'")
    }

    deinit {
        statements.removeAll()
        PQfinish(handle)
    }

    public func execute(_ sql: String) throws(DatabaseError) {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        try check(result, sql: sql)
    }

    public func statement(_ sql: String) throws(DatabaseError) -> any DatabaseStatement {
        if let cached = statements[sql] { return cached }
        let prepared = try PostgresStatement(connection: self, sql: sql, name: "s\(statements.count + 1)")
        statements[sql] = prepared
        return prepared
    }

    public var changes: Int { lastChanges }

    public var inTransaction: Bool { PQtransactionStatus(handle) != PQTRANS_IDLE }

    public var isLost: Bool { PQstatus(handle) != CONNECTION_OK }

    /// The server's PID for this session (for `pg_terminate_backend` in tests and operations).
    public var serverProcessID: Int32 { PQbackendPID(handle) }

    /// Throws the failure `result` reports, if any; a nil result is a lost session.
    func check(_ result: OpaquePointer?, sql: String?) throws(DatabaseError) {
        guard let result else {
            throw DatabaseError(extendedCode: 14, message: Self.message(PQerrorMessage(handle)), sql: sql, sqlState: "08006")
        }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
                ?? (isLost ? "08006" : "XX000")
            let text = PQresultErrorMessage(result).map { Self.message($0) } ?? ""
            throw DatabaseError(extendedCode: Self.nearestSQLiteCode(state), message: text.isEmpty ? "failed" : text,
                                sql: sql, sqlState: state)
        }
    }

    /// SQLite's result code nearest to a SQLSTATE: what decides whether a failure is the
    /// storage's (the batch fails and the store degrades) or the statement's own.
    static func nearestSQLiteCode(_ state: String) -> Int32 {
        switch state {
        case "23505": return 2067  // SQLITE_CONSTRAINT_UNIQUE
        case "23503": return 787  // SQLITE_CONSTRAINT_FOREIGNKEY
        case "25006": return 8  // read-only transaction: the session is on a standby (SQLITE_READONLY)
        case "53100": return 13  // disk full (SQLITE_FULL)
        case "53200": return 7  // out of memory (SQLITE_NOMEM)
        case "40001", "40P01", "55P03": return 5  // serialization, deadlock, lock not available (SQLITE_BUSY)
        case "XX001", "XX002": return 11  // data or index corrupted (SQLITE_CORRUPT)
        default: break
        }
        switch state.prefix(2) {
        case "08", "57", "53": return 14  // connection lost, server shutting down, out of resources (SQLITE_CANTOPEN)
        case "58": return 10  // system error, I/O (SQLITE_IOERR)
        case "23": return 19  // a constraint (SQLITE_CONSTRAINT)
        case "22": return 20  // a value that does not fit (SQLITE_MISMATCH)
        default: return 1
        }
    }

    /// A libpq message on one line.
    static func message(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "" }
        return String(cString: text).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
    }

    /// `url` with any password replaced, for messages and logs.
    static func withoutPassword(_ url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
           let colon = text[scheme.upperBound..<at].firstIndex(of: ":") {
            text.replaceSubrange(text.index(after: colon)..<at, with: "***")
        }
        if let range = text.range(of: #"password=[^ &]*"#, options: .regularExpression) {
            text.replaceSubrange(range, with: "password=***")
        }
        return text
    }
}
