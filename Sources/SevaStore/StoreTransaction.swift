import SevaCore

/// The typed writes an operation makes inside the writer's open transaction. It exists only
/// on the writer thread, for the duration of one operation; every value is bound, none is
/// spliced into SQL.
public struct StoreTransaction {
    let connection: SQLiteConnection
    /// `store.location_history_days`: with 0, history is never written.
    let historyDays: Int

    /// Adds a worker or replaces the registered fields of an existing one.
    public func upsertWorker(_ worker: StoredWorker) throws(SQLiteError) {
        try connection.statement("""
            INSERT INTO workers (\(StoreColumns.worker)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name, phone = excluded.phone, skills = excluded.skills,
                district = excluded.district, verified = excluded.verified, radius_km = excluded.radius_km,
                availability = excluded.availability, rating_sum = excluded.rating_sum,
                rating_count = excluded.rating_count, updated_ms = excluded.updated_ms
            """).run([
            .text(worker.id), .text(worker.name), .text(worker.phone), .text(worker.skills.joined),
            .text(worker.district), .integer(worker.verified ? 1 : 0), worker.radiusKm.sqlite,
            .text(worker.availability.rawValue), .integer(Int64(worker.ratingSum)), .integer(Int64(worker.ratingCount)),
            .integer(worker.updatedMs),
        ])
    }

    /// Removes a worker (its tokens and position go with it). Returns false when unknown.
    @discardableResult
    public func deleteWorker(_ id: String) throws(SQLiteError) -> Bool {
        try connection.statement("DELETE FROM workers WHERE id = ?").run([.text(id)])
        return connection.changes > 0
    }

    public func insertToken(_ token: StoredToken) throws(SQLiteError) {
        try connection.statement("INSERT INTO tokens (\(StoreColumns.token)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").run([
            .blob(token.hash), .text(token.prefix), .text(token.role.rawValue), token.worker.sqlite, .text(token.label),
            .integer(token.createdMs), token.revokedMs.sqlite, token.expiresMs.sqlite, token.lastUsedMs.sqlite,
            token.client.sqlite,
        ])
    }

    /// Sets a token's expiry (rotation) and last use (AUTH); nil leaves a value as it is.
    public func updateToken(hash: [UInt8], expiresMs: Int64? = nil, lastUsedMs: Int64? = nil) throws(SQLiteError) {
        try connection.statement("""
            UPDATE tokens SET expires_ms = coalesce(?, expires_ms), last_used_ms = coalesce(?, last_used_ms) WHERE hash = ?
            """).run([expiresMs.sqlite, lastUsedMs.sqlite, .blob(hash)])
    }

    /// Revokes every live token whose prefix starts with `prefix`; returns how many.
    @discardableResult
    public func revokeTokens(prefix: String, atMs: Int64) throws(SQLiteError) -> Int {
        try connection.statement("""
            UPDATE tokens SET revoked_ms = ? WHERE revoked_ms IS NULL AND substr(prefix, 1, length(?)) = ?
            """).run([.integer(atMs), .text(prefix), .text(prefix)])
        return connection.changes
    }

    /// Creates a job, or — when the same client has a job with the same `ref` — returns that
    /// one untouched.
    public func createJob(_ job: StoredJob) throws(SQLiteError) -> (job: StoredJob, created: Bool) {
        try connection.statement("""
            INSERT INTO jobs (client, ref, skill, lat, lon, address, customer, district, rate_inr, scheduled_ms, state,
                worker, offer_deadline_ms, offers_made, created_ms, updated_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(client, ref) DO NOTHING
            """).run([
            .text(job.client), job.ref.sqlite, .text(job.skill), .real(job.lat), .real(job.lon), .text(job.address), .text(job.customer),
            .text(job.district), job.rateInr.map { Int64($0) }.sqlite, job.scheduledMs.sqlite, .text(job.state.rawValue),
            job.worker.sqlite, job.offerDeadlineMs.sqlite, .integer(Int64(job.offersMade)), .integer(job.createdMs),
            .integer(job.updatedMs),
        ])
        if connection.changes > 0 {
            var created = job
            created.id = connection.lastInsertRowID
            return (created, true)
        }
        let existing = try connection.statement("SELECT \(StoreColumns.job) FROM jobs WHERE client = ? AND ref = ?")
            .bind([.text(job.client), job.ref.sqlite])
        defer { existing.reset() }
        guard try existing.step() else {
            throw SQLiteError(extendedCode: 19, message: "job insert ignored but no job has ref \(job.ref ?? "")")
        }
        return (try existing.storedJob(), false)
    }

    /// Inserts a job whose id the engine has chosen; a clash of id or `ref` is an error (the
    /// engine's view and the store's would disagree).
    public func insertJob(_ job: StoredJob) throws(SQLiteError) {
        try connection.statement("""
            INSERT INTO jobs (id, client, ref, skill, lat, lon, address, customer, district, rate_inr, scheduled_ms, state,
                worker, offer_deadline_ms, offers_made, created_ms, updated_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).run([
            .integer(job.id), .text(job.client), job.ref.sqlite, .text(job.skill), .real(job.lat), .real(job.lon), .text(job.address),
            .text(job.customer), .text(job.district), job.rateInr.map { Int64($0) }.sqlite, job.scheduledMs.sqlite,
            .text(job.state.rawValue), job.worker.sqlite, job.offerDeadlineMs.sqlite, .integer(Int64(job.offersMade)),
            .integer(job.createdMs), .integer(job.updatedMs),
        ])
    }

    /// Sets a worker's availability (a worker the dispatcher put on break).
    public func setAvailability(worker: String, _ availability: Availability, atMs: Int64) throws(SQLiteError) {
        try connection.statement("UPDATE workers SET availability = ?, updated_ms = ? WHERE id = ?")
            .run([.text(availability.rawValue), .integer(atMs), .text(worker)])
    }

    /// Writes a job's new state and appends the event that records it (with the engine's
    /// `seq`, or the next one when 0); returns the event's seq.
    @discardableResult
    public func recordTransition(_ job: StoredJob, seq: Int64 = 0, detail: String = "{}") throws(SQLiteError) -> Int64 {
        try updateJob(job)
        return try appendEvent(StoredJobEvent(seq: seq, job: job.id, atMs: job.updatedMs, state: job.state,
                                              worker: job.worker, detail: detail))
    }

    /// Writes a job's state, worker, offer and time as they are now.
    public func updateJob(_ job: StoredJob) throws(SQLiteError) {
        try connection.statement("""
            UPDATE jobs SET state = ?, worker = ?, offer_deadline_ms = ?, offers_made = ?, updated_ms = ? WHERE id = ?
            """).run([
            .text(job.state.rawValue), job.worker.sqlite, job.offerDeadlineMs.sqlite, .integer(Int64(job.offersMade)),
            .integer(job.updatedMs), .integer(job.id),
        ])
        guard connection.changes == 1 else { throw SQLiteError(extendedCode: 12, message: "no job \(job.id)") }
    }

    /// Appends one event to a job's history — with its `seq` when given (> 0), else the next
    /// one; returns its seq.
    @discardableResult
    public func appendEvent(_ event: StoredJobEvent) throws(SQLiteError) -> Int64 {
        if event.seq > 0 {
            try connection.statement("INSERT INTO job_events (seq, job, at_ms, state, worker, detail) VALUES (?, ?, ?, ?, ?, ?)")
                .run([.integer(event.seq), .integer(event.job), .integer(event.atMs), .text(event.state.rawValue), event.worker.sqlite,
                      .text(event.detail)])
            return event.seq
        }
        try connection.statement("INSERT INTO job_events (job, at_ms, state, worker, detail) VALUES (?, ?, ?, ?, ?)")
            .run([.integer(event.job), .integer(event.atMs), .text(event.state.rawValue), event.worker.sqlite, .text(event.detail)])
        return connection.lastInsertRowID
    }

    /// Replaces the position snapshot of these workers.
    public func savePositions(_ positions: [StoredPosition]) throws(SQLiteError) {
        let upsert = try connection.statement("""
            INSERT INTO worker_positions (\(StoreColumns.position)) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(worker) DO UPDATE SET lat = excluded.lat, lon = excluded.lon,
                accuracy_m = excluded.accuracy_m, at_ms = excluded.at_ms
            """)
        for position in positions {
            try upsert.run([.text(position.worker), .real(position.lat), .real(position.lon),
                            position.accuracyM.sqlite, .integer(position.atMs)])
        }
    }

    /// Appends sampled positions to the location history (a sample already there is kept);
    /// writes nothing when `store.location_history_days` is 0.
    public func appendLocationHistory(_ samples: [StoredPosition]) throws(SQLiteError) {
        guard historyDays > 0 else { return }
        let insert = try connection.statement("""
            INSERT INTO location_history (worker, at_ms, lat, lon) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        for sample in samples {
            try insert.run([.text(sample.worker), .integer(sample.atMs), .real(sample.lat), .real(sample.lon)])
        }
    }

    /// Deletes location history older than `beforeMs`; returns how many samples went.
    @discardableResult
    public func purgeLocationHistory(beforeMs: Int64) throws(SQLiteError) -> Int {
        try connection.statement("DELETE FROM location_history WHERE at_ms < ?").run([.integer(beforeMs)])
        return connection.changes
    }
}
