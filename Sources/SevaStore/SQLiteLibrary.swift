import CSQLite

/// Facts about the libsqlite3 the daemon is linked against, checked before the store opens.
public enum SQLiteLibrary {
    /// Oldest SQLite the store supports (3.37: STRICT tables).
    public static let minimumVersionNumber = 3_037_000

    /// The library's version text, e.g. `3.40.1`.
    public static var version: String { String(cString: sqlite3_libversion()) }

    /// The library's version as `major * 1_000_000 + minor * 1_000 + patch`.
    public static var versionNumber: Int { Int(sqlite3_libversion_number()) }

    /// True when the library was built thread-safe (the store uses a writer and a reader thread).
    public static var isThreadSafe: Bool { sqlite3_threadsafe() != 0 }

    /// Nil when the library can serve the store, otherwise what is wrong with it.
    public static var unsuitability: String? {
        if versionNumber < minimumVersionNumber { return "SQLite \(version) is older than 3.37.0" }
        if !isThreadSafe { return "SQLite \(version) was built without thread safety" }
        return nil
    }
}
