import Foundation
import SevaCore

/// The read path: connections of their own (SQLite's WAL, like PostgreSQL's MVCC, lets them
/// read while the writer commits) for the start-up load and the queries that must hit disk. Calls are serialised by a lock —
/// they come from the daemon's reader tasks, never from the engine loop.
///
/// `@unchecked Sendable`: the connections are only used while `lock` is held (the second one
/// by the loader thread that `loadRecoveredState` starts and waits for).
public final class StoreReader: @unchecked Sendable {
    private let lock = NSLock()
    private var connection: (any DatabaseConnection)?
    /// A second connection, so the recovery load reads two tables at once.
    private var loader: (any DatabaseConnection)?
    private let configuration: StoreConfiguration
    /// Held by the writer around each commit; taken while both load snapshots are opened.
    private let commitGate: NSLock
    /// The catalogue workers' skills are named by.
    private let skills: SkillCatalogue

    init(_ configuration: StoreConfiguration, skills: SkillCatalogue, commitGate: NSLock) throws(StoreError) {
        self.commitGate = commitGate
        self.skills = skills
        self.configuration = configuration
        do {
            connection = try StoreConnections.reader(configuration)
            loader = try StoreConnections.reader(configuration)
        } catch {
            throw .unavailable(error.message)
        }
    }

    /// A connection that is lost (a PostgreSQL session ended, say by a failover) is opened
    /// afresh before the next read; one that cannot be is the read's failure.
    private func reopenIfLost() throws(DatabaseError) {
        if connection?.isLost == true { connection = try StoreConnections.reader(configuration) }
        if loader?.isLost == true { loader = try StoreConnections.reader(configuration) }
    }

    func close() {
        lock.lock()
        connection = nil
        loader = nil
        lock.unlock()
    }

    private func reading<T>(_ body: (any DatabaseConnection) throws(DatabaseError) -> T) throws(StoreError) -> T {
        StoreThreadGuard.checkNotForbidden("a query")
        lock.lock()
        defer { lock.unlock() }
        guard self.connection != nil else { throw .closed }
        do {
            return try readOnce(body)
        } catch where connection?.isLost == true || error.needsNewConnection {
            // A session ended under the read (a PostgreSQL failover): a read changes nothing,
            // so it is tried once more on a new one.
            do { return try readOnce(body) } catch { throw .database(error) }
        } catch {
            throw .database(error)
        }
    }

    private func readOnce<T>(_ body: (any DatabaseConnection) throws(DatabaseError) -> T) throws(DatabaseError) -> T {
        try reopenIfLost()
        guard let connection else { throw DatabaseError(extendedCode: 14, message: "no read connection") }
        // One read transaction: everything read comes from one committed snapshot.
        try connection.execute(connection.dialect.beginSnapshot)
        defer { if !connection.isLost { try? connection.execute("COMMIT") } }
        return try body(connection)
    }

    /// Workers, live tokens, open jobs with their histories, last positions, the highest seq
    /// and job id, and the jobs completed today, from one snapshot.
    ///
    /// Workers are read on a second connection by a second thread while this one reads the
    /// rest. Both read transactions are opened while the writer's commit gate is held, so they
    /// see the same committed state.
    /// `completedRecently` counts by local day from `dayStart` (Unix seconds), `memoryDays` back.
    public func loadRecoveredState(dayStart: Double = 0, memoryDays: Int = 0) throws(StoreError) -> RecoveredState {
        StoreThreadGuard.checkNotForbidden("the recovery load")
        lock.lock()
        defer { lock.unlock() }
        guard self.connection != nil, self.loader != nil else { throw .closed }
        do {
            return try loadOnce(dayStart: dayStart, memoryDays: memoryDays)
        } catch where connection?.isLost == true || loader?.isLost == true || error.needsNewConnection {
            do { return try loadOnce(dayStart: dayStart, memoryDays: memoryDays) } catch { throw .database(error) }
        } catch {
            throw .database(error)
        }
    }

    private func loadOnce(dayStart: Double, memoryDays: Int) throws(DatabaseError) -> RecoveredState {
        try reopenIfLost()
        guard let connection, let loader else { throw DatabaseError(extendedCode: 14, message: "no read connection") }
        commitGate.lock()
        do {
            try Self.openSnapshot(connection)
            try Self.openSnapshot(loader)
        } catch {
            commitGate.unlock()
            throw error
        }
        commitGate.unlock()
        defer {
            for reader in [connection, loader] where !reader.isLost {
                try? reader.execute("COMMIT")
                // The load filled both page caches with every worker's row, read once: give
                // the memory back (up to store.cache_size_kib each) rather than keep it resident.
                if reader.dialect == .sqlite { try? reader.execute("PRAGMA shrink_memory") }
            }
        }
        let workers = WorkerLoad(loader, skills: skills)
        let rest = Result { () throws(DatabaseError) in
            try Self.loadAllButWorkers(connection, dayStart: dayStart, memoryDays: memoryDays)
        }
        // The loader's thread is waited for whatever happened here, before its connection is touched again.
        let loaded = try workers.result()
        var state = try rest.get()
        state.workers = loaded
        return state
    }

    /// Starts a read transaction and makes it take its snapshot now (both databases defer that
    /// to the first read).
    private static func openSnapshot(_ connection: any DatabaseConnection) throws(DatabaseError) {
        try connection.execute(connection.dialect.beginSnapshot)
        _ = try connection.integer("SELECT count(*) FROM store_health")
    }

    private static func loadAllButWorkers(_ connection: any DatabaseConnection, dayStart: Double,
                                          memoryDays: Int) throws(DatabaseError) -> RecoveredState {
        var state = RecoveredState()
        let tokens = try connection.statement(
            "SELECT \(TokenCodec.columns) FROM tokens WHERE revoked_ms IS NULL ORDER BY prefix").bind([])
        while try tokens.step() { state.tokens.append(try tokens.issuedToken()) }
        let jobs = try connection.statement("""
            SELECT \(JobCodec.columns) FROM jobs
            WHERE state IN (\(JobCodec.openStatesSQL)) ORDER BY id
            """).bind([])
        while try jobs.step() { state.openJobs.append(try jobs.job()) }
        // In id order (SQLite's scan of a table keyed by it without a rowid costs no sort).
        state.positions.reserveCapacity(Int(try connection.integer("SELECT count(*) FROM worker_positions")))
        let positions = try connection.statement("SELECT \(PositionCodec.columns) FROM worker_positions ORDER BY worker").bind([])
        while try positions.step() { state.positions.append(try positions.workerPosition(of: "worker_positions")) }
        let events = try connection.statement("""
            SELECT \(JobCodec.eventColumns) FROM job_events WHERE job IN (SELECT id FROM jobs
            WHERE state IN (\(JobCodec.openStatesSQL))) ORDER BY job, seq
            """).bind([])
        var histories: [Int64: [JobEvent]] = [:]
        while try events.step() {
            let event = try events.jobEvent()
            histories[event.job, default: []].append(event)
        }
        for index in state.openJobs.indices {
            state.openJobs[index].restore(history: histories[state.openJobs[index].id] ?? [])
        }
        state.lastSeq = try connection.integer("SELECT coalesce(max(seq), 0) FROM job_events")
        state.lastJobID = try connection.integer("SELECT coalesce(max(id), 0) FROM jobs")
        let start = StoreTime.milliseconds(dayStart)
        let completed = try connection.statement("""
            SELECT worker, CASE WHEN at_ms >= ?1 THEN 0 ELSE (?1 - at_ms - 1) / 86400000 + 1 END AS days_ago, count(*)
            FROM job_events WHERE state = 'completed' AND kind = 'transition' AND at_ms >= ?2 AND worker IS NOT NULL
            GROUP BY worker, days_ago
            """).bind([.integer(start), .integer(start - Int64(memoryDays) * 86_400_000)])
        while try completed.step() {
            let daysAgo = completed.int(1)
            var counts = state.completedRecently[completed.text(0)] ?? []
            if counts.count <= daysAgo { counts += Array(repeating: 0, count: daysAgo + 1 - counts.count) }
            counts[daysAgo] = completed.int(2)
            state.completedRecently[completed.text(0)] = counts
        }
        return state
    }

    /// One job as committed, or nil.
    public func job(_ id: Int64) throws(StoreError) -> Job? {
        try reading { connection throws(DatabaseError) in
            let query = try connection.statement("SELECT \(JobCodec.columns) FROM jobs WHERE id = ?").bind([.integer(id)])
            defer { query.reset() }
            return try query.step() ? try query.job() : nil
        }
    }

    /// The job a client booked with this idempotency ref, or nil.
    public func job(ref: String, client: String = "") throws(StoreError) -> Job? {
        try reading { connection throws(DatabaseError) in
            let query = try connection.statement("SELECT \(JobCodec.columns) FROM jobs WHERE client = ? AND ref = ?")
                .bind([.text(client), .text(ref)])
            defer { query.reset() }
            return try query.step() ? try query.job() : nil
        }
    }

    /// How many jobs were booked with a ref, and each (client, ref) in turn — for the filter
    /// that spares JOB NEW a read for a fresh ref.
    public func forEachRef(counted: (Int) -> Void, _ body: (_ client: String, _ ref: String) -> Void) throws(StoreError) {
        try reading { connection throws(DatabaseError) in
            counted(Int(try connection.integer("SELECT count(*) FROM jobs WHERE ref IS NOT NULL")))
            let query = try connection.statement("SELECT client, ref FROM jobs WHERE ref IS NOT NULL").bind([])
            while try query.step() { body(query.text(0), query.text(1)) }
        }
    }

    /// The jobs booked with these refs, each by its client — one read for a batch of bookings.
    public func jobs(refs: [(client: String, ref: String)]) throws(StoreError) -> [Job] {
        try reading { connection throws(DatabaseError) in
            let query = try connection.statement("SELECT \(JobCodec.columns) FROM jobs WHERE client = ? AND ref = ?")
            var found: [Job] = []
            for key in refs {
                try query.bind([.text(key.client), .text(key.ref)])
                if try query.step() { found.append(try query.job()) }
                query.reset()
            }
            return found
        }
    }

    /// Jobs with ids above `after`, in id order, at most `limit`, optionally of one state,
    /// skill and client — JOB LIST. (A filter's parameter is cast to TEXT where it is tested for NULL,
    /// which PostgreSQL needs to know its type.)
    public func jobs(after: Int64, state: String?, skill: String?, client: String? = nil, limit: Int) throws(StoreError)
        -> [Job] {
        try reading { connection throws(DatabaseError) in
            let query = try connection.statement("""
                SELECT \(JobCodec.columns) FROM jobs WHERE id > ? AND (CAST(?2 AS TEXT) IS NULL OR state = ?2)
                AND (CAST(?3 AS TEXT) IS NULL OR skill = ?3) AND (CAST(?5 AS TEXT) IS NULL OR client = ?5) ORDER BY id LIMIT ?4
                """).bind([.integer(after), state.databaseValue, skill.databaseValue, .integer(Int64(max(0, limit))), client.databaseValue])
            var jobs: [Job] = []
            while try query.step() { jobs.append(try query.job()) }
            return jobs
        }
    }

    /// A job's history, oldest first.
    public func history(ofJob id: Int64) throws(StoreError) -> [JobEvent] {
        try reading { connection throws(DatabaseError) in
            let query = try connection.statement(
                "SELECT \(JobCodec.eventColumns) FROM job_events WHERE job = ? ORDER BY seq").bind([.integer(id)])
            var events: [JobEvent] = []
            while try query.step() { events.append(try query.jobEvent()) }
            return events
        }
    }

    /// Events after `seq`, oldest first, at most `limit` — the durable feed — optionally only
    /// those of jobs of one skill, district and client.
    public func events(after seq: Int64, limit: Int, skill: String? = nil, district: String? = nil,
                       client: String? = nil) throws(StoreError) -> [JobEvent] {
        try reading { connection throws(DatabaseError) in
            let query = skill == nil && district == nil && client == nil
                ? try connection.statement("SELECT \(JobCodec.eventColumns) FROM job_events WHERE seq > ? ORDER BY seq LIMIT ?")
                    .bind([.integer(seq), .integer(Int64(max(0, limit)))])
                : try connection.statement("""
                    SELECT \(JobCodec.eventColumnsQualified) FROM job_events e JOIN jobs j ON j.id = e.job
                    WHERE e.seq > ?1 AND (CAST(?3 AS TEXT) IS NULL OR j.skill = ?3) AND (CAST(?4 AS TEXT) IS NULL OR j.district = ?4)
                    AND (CAST(?5 AS TEXT) IS NULL OR j.client = ?5) ORDER BY e.seq LIMIT ?2
                    """).bind([.integer(seq), .integer(Int64(max(0, limit))), skill.databaseValue, district.databaseValue, client.databaseValue])
            var events: [JobEvent] = []
            while try query.step() { events.append(try query.jobEvent()) }
            return events
        }
    }

    /// A worker's location history between two times, oldest first.
    public func locationHistory(of worker: String, from: Double = 0, to: Double = 9e15) throws(StoreError)
        -> [WorkerPosition] {
        try reading { connection throws(DatabaseError) in
            let query = try connection.statement("""
                SELECT worker, lat, lon, NULL, at_ms FROM location_history
                WHERE worker = ? AND at_ms >= ? AND at_ms <= ? ORDER BY at_ms
                """).bind([.text(worker), .integer(StoreTime.milliseconds(from)), .integer(StoreTime.milliseconds(to))])
            var samples: [WorkerPosition] = []
            while try query.step() { samples.append(try query.workerPosition(of: "location_history")) }
            return samples
        }
    }

    /// SQLite's `PRAGMA integrity_check`: "ok" when the file is sound. PostgreSQL keeps its
    /// own pages' checksums and has no such check to ask for: "ok" when it answers.
    public func integrityCheck() throws(StoreError) -> String {
        try reading { connection throws(DatabaseError) in
            connection.dialect == .sqlite ? try connection.text("PRAGMA integrity_check")
                : try connection.integer("SELECT 1") == 1 ? "ok" : "no answer"
        }
    }

    /// The schema version recorded in the database.
    public func schemaVersion() throws(StoreError) -> Int {
        try reading { connection throws(DatabaseError) in Int(try connection.integer(StoreSchema.versionQuery(connection.dialect))) }
    }
}

/// Reads the workers table on its own thread and connection, for the recovery load.
/// `@unchecked Sendable`: `outcome` is written by the loader thread before it signals `done`
/// and read only after `done` was waited for.
private final class WorkerLoad: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<[RegisteredWorker], DatabaseError> = .success([])

    init(_ connection: any DatabaseConnection, skills: SkillCatalogue) {
        nonisolated(unsafe) let connection = connection
        Thread.detachNewThread { [self] in
            outcome = Result { () throws(DatabaseError) in try Self.load(connection, skills: skills) }
            done.signal()
        }
    }

    func result() throws(DatabaseError) -> [RegisteredWorker] {
        done.wait()
        return try outcome.get()
    }

    private static func load(_ connection: any DatabaseConnection, skills: SkillCatalogue) throws(DatabaseError) -> [RegisteredWorker] {
        var workers: [RegisteredWorker] = []
        workers.reserveCapacity(Int(try connection.integer("SELECT count(*) FROM workers")))
        let query = try connection.statement("SELECT \(WorkerCodec.columns) FROM workers ORDER BY id").bind([])
        var decoded: [String: SkillSet] = [:]
        while try query.step() { workers.append(try query.registeredWorker(skills: skills, decoded: &decoded)) }
        return workers
    }
}
