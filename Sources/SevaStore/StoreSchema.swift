/// The database schema, as an ordered list of migrations per dialect — the same tables,
/// columns and versions in both, each written in its own database's types. A migration is
/// fixed SQL, applied once, inside the start-up transaction; SQLite records the version in
/// `PRAGMA user_version`, PostgreSQL in the `store_schema` table.
enum StoreSchema {
    /// The version this build creates and understands.
    static var currentVersion: Int { sqliteMigrations.count }

    static func migrations(_ dialect: SQLDialect) -> [String] {
        switch dialect {
        case .sqlite: return sqliteMigrations
        case .postgresql: return postgresMigrations
        }
    }

    /// The query that reads the recorded version.
    static func versionQuery(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite: return "PRAGMA user_version"
        case .postgresql: return "SELECT coalesce(max(version), 0) FROM store_schema"
        }
    }

    /// Brings the database up to `currentVersion` in one transaction (or to `target`, for
    /// tests of the upgrade path). A database newer than this build is refused untouched.
    static func migrate(_ connection: any DatabaseConnection, to target: Int = currentVersion) throws(StoreError) {
        do {
            switch connection.dialect {
            case .sqlite: try migrateSQLite(connection, to: target)
            case .postgresql: try migratePostgres(connection, to: target)
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError.database(error)
        } catch {
            throw StoreError.database(DatabaseError(extendedCode: 1, message: "\(error)"))
        }
    }

    private static func migrateSQLite(_ connection: any DatabaseConnection, to target: Int) throws {
        let found = Int(try connection.integer("PRAGMA user_version"))
        if found > currentVersion { throw StoreError.futureSchema(found: found, supported: currentVersion) }
        guard found < target else { return }
        // A table rebuild needs foreign keys off (outside the transaction, where the pragma
        // takes effect); the keys are checked before the commit instead.
        let enforcing = try connection.integer("PRAGMA foreign_keys") != 0
        try connection.execute("PRAGMA foreign_keys = OFF")
        defer { if enforcing { try? connection.execute("PRAGMA foreign_keys = ON") } }
        try connection.execute("BEGIN IMMEDIATE")
        do {
            for version in (found + 1)...target {
                try connection.execute(sqliteMigrations[version - 1])
                // A constant of this build, never a value from outside: PRAGMA takes no parameters.
                try connection.execute("PRAGMA user_version = \(version)")
            }
            let broken = try connection.integer("SELECT count(*) FROM pragma_foreign_key_check")
            guard broken == 0 else {
                throw DatabaseError(extendedCode: 787, message: "migration left \(broken) rows with a broken foreign key")
            }
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// PostgreSQL's migration runs under a transaction-scoped advisory lock, so two sevads
    /// starting together against one database migrate it once.
    private static func migratePostgres(_ connection: any DatabaseConnection, to target: Int) throws {
        try connection.execute("BEGIN")
        do {
            try connection.execute("SELECT pg_advisory_xact_lock(\(migrationLockKey))")
            try connection.execute("CREATE TABLE IF NOT EXISTS store_schema (version INTEGER NOT NULL)")
            let found = Int(try connection.integer(versionQuery(.postgresql)))
            if found > currentVersion { throw StoreError.futureSchema(found: found, supported: currentVersion) }
            if found < target {
                for version in (found + 1)...target {
                    try connection.execute(postgresMigrations[version - 1])
                }
                try connection.execute("DELETE FROM store_schema")
                try connection.statement("INSERT INTO store_schema (version) VALUES (?)").run([.integer(Int64(target))])
            }
            try connection.execute("COMMIT")
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    /// The advisory lock key migrations take ("sevamigr" in ASCII), apart from the leadership
    /// lock's.
    static let migrationLockKey: Int64 = 0x7365_7661_6D69_6772
}
