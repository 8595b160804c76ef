/// Opens the store's connections, each set up for its part: the writer's, the readers', and
/// (SQLite only) the checkpointer's. The settings are this build's constants and validated
/// integers from the configuration: SQLite's PRAGMAs and PostgreSQL's SET take no parameters.
enum StoreConnections {
    /// The writer's connection; `creating` makes a missing SQLite file.
    static func writer(_ configuration: StoreConfiguration, creating: Bool) throws(DatabaseError) -> any DatabaseConnection {
        switch configuration.backend {
        case .sqlite:
            let connection = try SQLiteConnection(path: configuration.path, mode: creating ? .readWriteCreate : .readWrite)
            try connection.execute("PRAGMA busy_timeout = \(max(0, configuration.busyTimeoutMs))")
            let mode = try connection.text("PRAGMA journal_mode = WAL")
            guard mode.lowercased() == "wal" else {
                throw DatabaseError(extendedCode: 1, message: "cannot switch \(configuration.path) to WAL (got \(mode))")
            }
            try connection.execute("PRAGMA synchronous = \(configuration.synchronous == .full ? "FULL" : "NORMAL")")
            try connection.execute("PRAGMA foreign_keys = ON")
            try connection.execute("PRAGMA temp_store = MEMORY")
            try connection.execute("PRAGMA cache_size = -\(max(64, configuration.cacheSizeKiB))")
            try connection.execute("PRAGMA wal_autocheckpoint = \(max(0, configuration.walAutocheckpointPages))")
            return connection
        case .postgresql:
            let connection = try PostgresConnection(url: configuration.url,
                                                    applicationName: StoreLeadership.applicationName(node: configuration.resolvedNodeName))
            try connection.execute("SET synchronous_commit = \(configuration.synchronous == .full ? "on" : "off")")
            try connection.execute("SET lock_timeout = \(max(0, configuration.busyTimeoutMs))")
            return connection
        }
    }

    /// A read-only connection for the reader.
    static func reader(_ configuration: StoreConfiguration) throws(DatabaseError) -> any DatabaseConnection {
        switch configuration.backend {
        case .sqlite:
            let connection = try SQLiteConnection(path: configuration.path, mode: .readWrite)
            try connection.execute("PRAGMA busy_timeout = \(max(0, configuration.busyTimeoutMs))")
            try connection.execute("PRAGMA cache_size = -\(max(64, configuration.cacheSizeKiB))")
            try connection.execute("PRAGMA query_only = ON")
            return connection
        case .postgresql:
            let connection = try PostgresConnection(url: configuration.url, applicationName: "sevad-reader")
            try connection.execute("SET default_transaction_read_only = on")
            return connection
        }
    }
}
