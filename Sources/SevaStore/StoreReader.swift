import Foundation

/// The read path: a second connection (WAL lets it read while the writer commits) for the
/// start-up load and the queries that must hit disk. Calls are serialised by a lock — they
/// come from the daemon's reader tasks, never from the engine loop.
///
/// `@unchecked Sendable`: the connection is only used while `lock` is held.
public final class StoreReader: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: SQLiteConnection?

    init(_ configuration: StoreConfiguration) throws(StoreError) {
        do {
            let connection = try SQLiteConnection(path: configuration.path, mode: .readWrite)
            try connection.execute("PRAGMA busy_timeout = \(max(0, configuration.busyTimeoutMs))")
            try connection.execute("PRAGMA cache_size = -\(max(64, configuration.cacheSizeKiB))")
            try connection.execute("PRAGMA query_only = ON")
            self.connection = connection
        } catch {
            throw .unavailable(error.message)
        }
    }

    func close() {
        lock.lock()
        connection = nil
        lock.unlock()
    }

    private func reading<T>(_ body: (SQLiteConnection) throws(SQLiteError) -> T) throws(StoreError) -> T {
        lock.lock()
        defer { lock.unlock() }
        guard let connection else { throw .closed }
        do {
            // One read transaction: everything read comes from one committed snapshot.
            try connection.execute("BEGIN")
            defer { try? connection.execute("COMMIT") }
            return try body(connection)
        } catch {
            throw .sqlite(error)
        }
    }

    /// Workers, live tokens, open jobs, last positions and the highest seq, from one snapshot.
    public func loadRecoveredState() throws(StoreError) -> RecoveredState {
        try reading { connection throws(SQLiteError) in
            var state = RecoveredState()
            let workers = try connection.statement("SELECT \(StoreColumns.worker) FROM workers ORDER BY id").bind([])
            while try workers.step() { state.workers.append(workers.storedWorker()) }
            let tokens = try connection.statement(
                "SELECT \(StoreColumns.token) FROM tokens WHERE revoked_ms IS NULL ORDER BY prefix").bind([])
            while try tokens.step() { state.tokens.append(tokens.storedToken()) }
            let jobs = try connection.statement("""
                SELECT \(StoreColumns.job) FROM jobs WHERE state NOT IN ('completed', 'cancelled', 'unfilled') ORDER BY id
                """).bind([])
            while try jobs.step() { state.openJobs.append(jobs.storedJob()) }
            let positions = try connection.statement(
                "SELECT \(StoreColumns.position) FROM worker_positions ORDER BY worker").bind([])
            while try positions.step() { state.positions.append(positions.storedPosition()) }
            state.lastSeq = try connection.integer("SELECT coalesce(max(seq), 0) FROM job_events")
            return state
        }
    }

    /// One job as committed, or nil.
    public func job(_ id: Int64) throws(StoreError) -> StoredJob? {
        try reading { connection throws(SQLiteError) in
            let query = try connection.statement("SELECT \(StoreColumns.job) FROM jobs WHERE id = ?").bind([.integer(id)])
            defer { query.reset() }
            return try query.step() ? query.storedJob() : nil
        }
    }

    /// One job found by its idempotency ref, or nil.
    public func job(ref: String) throws(StoreError) -> StoredJob? {
        try reading { connection throws(SQLiteError) in
            let query = try connection.statement("SELECT \(StoreColumns.job) FROM jobs WHERE ref = ?").bind([.text(ref)])
            defer { query.reset() }
            return try query.step() ? query.storedJob() : nil
        }
    }

    /// A job's history, oldest first.
    public func history(ofJob id: Int64) throws(StoreError) -> [StoredJobEvent] {
        try reading { connection throws(SQLiteError) in
            let query = try connection.statement(
                "SELECT \(StoreColumns.event) FROM job_events WHERE job = ? ORDER BY seq").bind([.integer(id)])
            var events: [StoredJobEvent] = []
            while try query.step() { events.append(query.storedEvent()) }
            return events
        }
    }

    /// Events after `seq`, oldest first, at most `limit` — the durable feed.
    public func events(after seq: Int64, limit: Int) throws(StoreError) -> [StoredJobEvent] {
        try reading { connection throws(SQLiteError) in
            let query = try connection.statement(
                "SELECT \(StoreColumns.event) FROM job_events WHERE seq > ? ORDER BY seq LIMIT ?")
                .bind([.integer(seq), .integer(Int64(max(0, limit)))])
            var events: [StoredJobEvent] = []
            while try query.step() { events.append(query.storedEvent()) }
            return events
        }
    }

    /// A worker's location history between two times, oldest first.
    public func locationHistory(of worker: String, fromMs: Int64 = 0, toMs: Int64 = .max) throws(StoreError)
        -> [StoredPosition] {
        try reading { connection throws(SQLiteError) in
            let query = try connection.statement("""
                SELECT worker, lat, lon, NULL, at_ms FROM location_history
                WHERE worker = ? AND at_ms >= ? AND at_ms <= ? ORDER BY at_ms
                """).bind([.text(worker), .integer(fromMs), .integer(toMs)])
            var samples: [StoredPosition] = []
            while try query.step() { samples.append(query.storedPosition()) }
            return samples
        }
    }

    /// `PRAGMA integrity_check`: "ok" when the file is sound.
    public func integrityCheck() throws(StoreError) -> String {
        try reading { connection throws(SQLiteError) in try connection.text("PRAGMA integrity_check") }
    }

    /// The schema version recorded in the file.
    public func schemaVersion() throws(StoreError) -> Int {
        try reading { connection throws(SQLiteError) in Int(try connection.integer("PRAGMA user_version")) }
    }
}
