/// Copies one store's committed rows into another, empty one — SQLite's file into PostgreSQL
/// when a deployment moves to an active/standby pair, or back: every table and every column,
/// as the source's schema declares them, in one transaction on the target, so a copy that
/// fails half-way leaves the target as empty as it was. Both are brought to this build's schema
/// first. Run it with sevad stopped (`sevad --copy-store-to`).
public enum StoreCopy {
    /// The tables in an order their foreign keys allow.
    public static let tables = ["workers", "tokens", "jobs", "job_events", "worker_positions", "location_history"]

    /// How a column's values are read from the source.
    enum ColumnKind {
        case integer, real, text, blob

        init(declared: String) {
            switch declared.lowercased() {
            case "integer", "bigint": self = .integer
            case "real", "double precision": self = .real
            case "blob", "bytea": self = .blob
            default: self = .text
            }
        }
    }

    /// Copies everything; returns the rows copied per table, in `tables` order. `progress`
    /// hears each table and its rows so far, every 50 000 rows and at its end.
    public static func copy(from source: StoreConfiguration, to target: StoreConfiguration,
                            progress: (String, Int) -> Void = { _, _ in }) throws(StoreError) -> [(table: String, rows: Int)] {
        let from: any DatabaseConnection
        let to: any DatabaseConnection
        do {
            from = try StoreConnections.writer(source, creating: false)
            to = try StoreConnections.writer(target, creating: true)
        } catch {
            throw .unavailable(error.message)
        }
        try StoreSchema.migrate(from)
        try StoreSchema.migrate(to)
        do {
            for table in tables {
                let rows = try to.integer("SELECT count(*) FROM \(table)")
                guard rows == 0 else {
                    throw StoreError.unavailable("\(target.location) already holds \(rows) rows in \(table); copy into an empty database")
                }
            }
            var copied: [(table: String, rows: Int)] = []
            try from.execute(from.dialect.beginSnapshot)
            defer { try? from.execute("COMMIT") }
            try to.execute(to.dialect.beginWrite)
            do {
                for table in tables {
                    copied.append((table, try copyTable(table, from: from, to: to, progress: progress)))
                }
                try to.execute("COMMIT")
            } catch {
                try? to.execute("ROLLBACK")
                throw error
            }
            return copied
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw .database(error)
        } catch {
            throw .database(DatabaseError(extendedCode: 1, message: "\(error)"))
        }
    }

    private static func copyTable(_ table: String, from: any DatabaseConnection, to: any DatabaseConnection,
                                  progress: (String, Int) -> Void) throws(DatabaseError) -> Int {
        let columns = try self.columns(of: table, in: from)
        let names = columns.map(\.name).joined(separator: ", ")
        let select = try from.statement("SELECT \(names) FROM \(table) ORDER BY 1, 2").bind([])
        let insert = try to.statement(
            "INSERT INTO \(table) (\(names)) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))")
        var rows = 0
        while try select.step() {
            var values: [DatabaseValue] = []
            values.reserveCapacity(columns.count)
            for (index, column) in columns.enumerated() {
                let at = Int32(index)
                guard !select.isNull(at) else {
                    values.append(.null)
                    continue
                }
                switch column.kind {
                case .integer: values.append(.integer(select.int64(at)))
                case .real: values.append(.real(select.double(at)))
                case .text: values.append(.text(select.text(at)))
                case .blob: values.append(.blob(select.blob(at)))
                }
            }
            try insert.run(values)
            rows += 1
            if rows % 50_000 == 0 { progress(table, rows) }
        }
        progress(table, rows)
        return rows
    }

    /// The table's columns in order, with how each is read, from the database's own catalogue.
    static func columns(of table: String, in connection: any DatabaseConnection) throws(DatabaseError)
        -> [(name: String, kind: ColumnKind)] {
        let query = try connection.statement(connection.dialect == .sqlite
            ? "SELECT name, type FROM pragma_table_info(?) ORDER BY cid"
            : "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position")
            .bind([.text(table)])
        var columns: [(name: String, kind: ColumnKind)] = []
        while try query.step() { columns.append((query.text(0), ColumnKind(declared: query.text(1)))) }
        guard !columns.isEmpty else { throw DatabaseError(extendedCode: 1, message: "no table \(table) in the source") }
        return columns
    }
}
