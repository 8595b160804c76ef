import SevaCore

/// The typed writes an operation makes inside the writer's open transaction. It exists only
/// on the writer thread, for the duration of one operation; every value is bound, none is
/// spliced into SQL.
public struct StoreTransaction {
    let connection: any DatabaseConnection
    /// `store.location_history_days`: with 0, history is never written.
    let historyDays: Int
    /// The catalogue workers' skills are named by.
    let skills: SkillCatalogue

    /// Adds a worker or replaces the registered fields of an existing one.
    public func upsertWorker(_ worker: RegisteredWorker) throws(DatabaseError) {
        try connection.statement(SQL.upsertWorker).run(WorkerCodec.values(worker, skills: skills))
    }

    /// Removes a worker (its tokens and position go with it). Returns false when unknown.
    @discardableResult
    public func deleteWorker(_ id: String) throws(DatabaseError) -> Bool {
        try connection.statement("DELETE FROM workers WHERE id = ?").run([.text(id)])
        return connection.changes > 0
    }

    public func insertToken(_ token: IssuedToken) throws(DatabaseError) {
        try connection.statement(SQL.insertToken)
            .run(TokenCodec.values(token))
    }

    /// Sets a token's expiry (rotation) and last use (AUTH); nil leaves a value as it is.
    public func updateToken(hash: [UInt8], expiresAt: Double? = nil, lastUsedAt: Double? = nil) throws(DatabaseError) {
        try connection.statement("""
            UPDATE tokens SET expires_ms = coalesce(?, expires_ms), last_used_ms = coalesce(?, last_used_ms) WHERE hash = ?
            """).run([expiresAt.map(StoreTime.milliseconds).databaseValue, lastUsedAt.map(StoreTime.milliseconds).databaseValue, .blob(hash)])
    }

    /// Revokes every live token whose prefix starts with `prefix`; returns how many.
    @discardableResult
    public func revokeTokens(prefix: String, at time: Double) throws(DatabaseError) -> Int {
        try connection.statement("""
            UPDATE tokens SET revoked_ms = ? WHERE revoked_ms IS NULL AND substr(prefix, 1, length(?)) = ?
            """).run([.integer(StoreTime.milliseconds(time)), .text(prefix), .text(prefix)])
        return connection.changes
    }

    /// Creates a job with the store's next id, or — when the same client has a job with the same
    /// `ref` — returns that one untouched.
    public func createJob(_ job: Job) throws(DatabaseError) -> (job: Job, created: Bool) {
        let insert = try connection.statement(SQL.createJob).bind(Array(JobCodec.values(job).dropFirst()))
        if try insert.step() {
            let id = insert.int64(0)
            insert.reset()
            return (try committedJob(id), true)
        }
        let existing = try connection.statement("SELECT \(JobCodec.columns) FROM jobs WHERE client = ? AND ref = ?")
            .bind([.text(job.client), job.ref.databaseValue])
        defer { existing.reset() }
        guard try existing.step() else {
            throw DatabaseError(extendedCode: 19, message: "job insert ignored but no job has ref \(job.ref ?? "")")
        }
        return (try existing.job(), false)
    }

    private func committedJob(_ id: Int64) throws(DatabaseError) -> Job {
        let query = try connection.statement("SELECT \(JobCodec.columns) FROM jobs WHERE id = ?").bind([.integer(id)])
        defer { query.reset() }
        guard try query.step() else { throw DatabaseError(extendedCode: 12, message: "no job \(id)") }
        return try query.job()
    }

    /// Inserts a job whose id the engine has chosen; a clash of id or `ref` is an error (the
    /// engine's view and the store's would disagree).
    public func insertJob(_ job: Job) throws(DatabaseError) {
        try connection.statement(SQL.insertJob).run(JobCodec.values(job))
    }

    /// Sets a worker's availability (a worker the dispatcher put on break).
    public func setAvailability(worker: String, _ availability: Availability, at time: Double) throws(DatabaseError) {
        try connection.statement("UPDATE workers SET availability = ?, updated_ms = ? WHERE id = ?")
            .run([.text(availability.rawValue), .integer(StoreTime.milliseconds(time)), .text(worker)])
    }

    /// Adds one rating to a worker's (nothing when the worker was deleted since).
    public func addRating(worker: String, stars: Int) throws(DatabaseError) {
        try connection.statement("UPDATE workers SET rating_sum = rating_sum + ?, rating_count = rating_count + 1 WHERE id = ?")
            .run([.integer(Int64(stars)), .text(worker)])
    }

    /// Writes a job's new state and appends the event that records it (with the next seq);
    /// returns the event's seq.
    @discardableResult
    public func recordTransition(_ job: Job, detail: EventDetail = EventDetail()) throws(DatabaseError) -> Int64 {
        try updateJob(job)
        return try appendEvent(JobEvent(seq: 0, job: job.id, at: job.updatedAt, state: job.state, worker: job.worker,
                                        detail: detail))
    }

    /// Writes a job's state, worker, offer and time as they are now.
    public func updateJob(_ job: Job) throws(DatabaseError) {
        try connection.statement("""
            UPDATE jobs SET state = ?, worker = ?, offer_deadline_ms = ?, offers_made = ?, updated_ms = ? WHERE id = ?
            """).run(JobCodec.transitionValues(job))
        guard connection.changes == 1 else { throw DatabaseError(extendedCode: 12, message: "no job \(job.id)") }
    }

    /// Appends one event to a job's history — with its `seq` when given (> 0), else the next
    /// one; returns its seq.
    @discardableResult
    public func appendEvent(_ event: JobEvent) throws(DatabaseError) -> Int64 {
        var values = JobCodec.eventValues(event)
        if event.seq > 0 {
            try connection.statement(SQL.insertEvent).run(values)
            return event.seq
        }
        values.removeFirst()
        let insert = try connection.statement(SQL.appendEvent).bind(values)
        defer { insert.reset() }
        guard try insert.step() else { throw DatabaseError(extendedCode: 1, message: "no seq returned for job \(event.job)'s event") }
        return insert.int64(0)
    }

    /// Replaces the position snapshot of these workers.
    public func savePositions(_ positions: [WorkerPosition]) throws(DatabaseError) {
        let upsert = try connection.statement(SQL.upsertPosition)
        for position in positions {
            try upsert.run(PositionCodec.values(position))
        }
    }

    /// Appends sampled positions to the location history (a sample already there is kept);
    /// writes nothing when `store.location_history_days` is 0.
    public func appendLocationHistory(_ samples: [WorkerPosition]) throws(DatabaseError) {
        guard historyDays > 0 else { return }
        let insert = try connection.statement("""
            INSERT INTO location_history (worker, at_ms, lat, lon) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        for sample in samples {
            try insert.run([.text(sample.worker), .integer(StoreTime.milliseconds(sample.at)), .real(sample.point.latitude),
                            .real(sample.point.longitude)])
        }
    }

    /// Deletes location history older than `before` (Unix seconds); returns how many samples went.
    @discardableResult
    public func purgeLocationHistory(before: Double) throws(DatabaseError) -> Int {
        try connection.statement("DELETE FROM location_history WHERE at_ms < ?").run([.integer(StoreTime.milliseconds(before))])
        return connection.changes
    }
}

/// The statements whose text is built from a codec's column list, built once: the writer
/// prepares each once and finds it again by its text on every use.
private enum SQL {
    static let upsertWorker = """
        INSERT INTO workers (\(WorkerCodec.columns)) VALUES (\(StoreColumns.placeholders(WorkerCodec.columns)))
        ON CONFLICT(id) DO UPDATE SET name = excluded.name, phone = excluded.phone, skills = excluded.skills,
            district = excluded.district, verified = excluded.verified, radius_km = excluded.radius_km,
            availability = excluded.availability, rating_sum = excluded.rating_sum,
            rating_count = excluded.rating_count, updated_ms = excluded.updated_ms, pincode = excluded.pincode
        """
    static let insertToken = "INSERT INTO tokens (\(TokenCodec.columns)) VALUES (\(StoreColumns.placeholders(TokenCodec.columns)))"
    /// The next id is the highest + 1, as SQLite gives an INTEGER PRIMARY KEY; the store's one
    /// writer makes that safe on PostgreSQL too.
    static let createJob = """
        INSERT INTO jobs (\(JobCodec.columns)) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM jobs),
            \(StoreColumns.placeholders(JobCodec.columnsAfterID)))
        ON CONFLICT(client, ref) DO NOTHING RETURNING id
        """
    static let insertJob = """
        INSERT INTO jobs (\(JobCodec.columns)) VALUES (\(StoreColumns.placeholders(JobCodec.columns)))
        """
    static let insertEvent = "INSERT INTO job_events (\(JobCodec.eventColumns)) VALUES (\(StoreColumns.placeholders(JobCodec.eventColumns)))"
    static let appendEvent = """
        INSERT INTO job_events (\(JobCodec.eventColumns)) VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM job_events),
            \(StoreColumns.placeholders(JobCodec.eventColumnsAfterSeq))) RETURNING seq
        """
    static let upsertPosition = """
        INSERT INTO worker_positions (\(PositionCodec.columns)) VALUES (\(StoreColumns.placeholders(PositionCodec.columns)))
        ON CONFLICT(worker) DO UPDATE SET lat = excluded.lat, lon = excluded.lon,
            accuracy_m = excluded.accuracy_m, at_ms = excluded.at_ms
        """
}
