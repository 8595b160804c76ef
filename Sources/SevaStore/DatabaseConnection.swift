/// A value bound to a statement parameter or read from a column.
public enum DatabaseValue: Sendable, Equatable {
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
    case null
}

/// One connection to the store's database, SQLite's file or a PostgreSQL session: what the
/// writer, the reader and the schema need of either. A connection is used by one thread at a
/// time, so it carries no lock of its own.
///
/// SQL is written once, in the subset both dialects read alike (`?` and `?N` parameters,
/// `ON CONFLICT`, `RETURNING`, `coalesce`); what differs — transaction modes, the schema's
/// types, the version record — is the `SQLDialect`'s.
public protocol DatabaseConnection: AnyObject {
    /// Which database this is, for the statements that differ.
    var dialect: SQLDialect { get }
    /// Where it is, for messages: the file's path, or the PostgreSQL URL without its password.
    var location: String { get }
    /// Runs fixed SQL text (schema, settings, transaction control) with no values in it.
    func execute(_ sql: String) throws(DatabaseError)
    /// The cached prepared statement for `sql`, preparing it on first use.
    func statement(_ sql: String) throws(DatabaseError) -> any DatabaseStatement
    /// Rows changed by the last statement.
    var changes: Int { get }
    /// True while a transaction is open.
    var inTransaction: Bool { get }
    /// True when the connection cannot be used any more: the SQLite file was deleted, renamed
    /// or replaced since it was opened, or the PostgreSQL session is gone.
    var isLost: Bool { get }
}

/// One prepared statement: parameters are bound by position, never spliced into SQL text.
/// Used only by the thread that owns its connection.
public protocol DatabaseStatement: AnyObject {
    /// The SQL text, for error messages.
    var sql: String { get }
    /// Clears earlier bindings and state, then binds `values` to parameters 1, 2, ….
    @discardableResult
    func bind(_ values: [DatabaseValue]) throws(DatabaseError) -> any DatabaseStatement
    /// Advances to the next row: true when there is one, false when the statement is done.
    func step() throws(DatabaseError) -> Bool
    /// Ends a query early so the statement can be reused.
    func reset()
    func isNull(_ column: Int32) -> Bool
    func int64(_ column: Int32) -> Int64
    func double(_ column: Int32) -> Double
    func text(_ column: Int32) -> String
    func blob(_ column: Int32) -> [UInt8]
    /// The result column's name, as the query gave it.
    func columnName(_ column: Int32) -> String
}

extension DatabaseStatement {
    /// Runs a statement that returns no rows.
    public func run(_ values: [DatabaseValue] = []) throws(DatabaseError) {
        try bind(values)
        while try step() {}
    }

    public func int(_ column: Int32) -> Int { Int(int64(column)) }
    public func optionalText(_ column: Int32) -> String? { isNull(column) ? nil : text(column) }
    public func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }
    public func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : double(column) }
}

extension DatabaseConnection {
    /// The single integer a query like `SELECT count(*) …` returns (0 without a row).
    public func integer(_ sql: String, _ values: [DatabaseValue] = []) throws(DatabaseError) -> Int64 {
        let query = try statement(sql).bind(values)
        defer { query.reset() }
        guard try query.step() else { return 0 }
        return query.int64(0)
    }

    /// The single text a query returns ("" without a row).
    public func text(_ sql: String) throws(DatabaseError) -> String {
        let query = try statement(sql).bind([])
        defer { query.reset() }
        guard try query.step() else { return "" }
        return query.text(0)
    }
}
