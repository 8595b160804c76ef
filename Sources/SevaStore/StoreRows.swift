import SevaCore

/// Column lists and row decoders shared by the writer and the reader, so every query reads
/// a table's columns in one agreed order.
enum StoreColumns {
    static let worker = "id, name, phone, skills, district, verified, radius_km, availability, rating_sum, rating_count, updated_ms"
    static let token = "hash, prefix, role, worker, label, created_ms, revoked_ms, expires_ms, last_used_ms, client"
    static let job = """
        id, ref, skill, lat, lon, address, customer, district, rate_inr, scheduled_ms, state, worker,
        offer_deadline_ms, offers_made, created_ms, updated_ms, client
        """
    static let event = "seq, job, at_ms, state, worker, detail"
    static let eventQualified = "e.seq, e.job, e.at_ms, e.state, e.worker, e.detail"
    static let position = "worker, lat, lon, accuracy_m, at_ms"
}

extension SQLiteStatement {
    /// An enum column: a value this build does not know is an error naming the table, the row
    /// and the value — never a silent default.
    func value<Value: RawRepresentable & CaseIterable>(_ column: Int32, of table: String, row: String) throws(SQLiteError) -> Value
        where Value.RawValue == String {
        let raw = text(column)
        guard let value = Value(rawValue: raw) else {
            let known = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw SQLiteError(extendedCode: 20, message: "\(table) row \(row): \(columnName(column)) '\(raw)' is not one of \(known)")
        }
        return value
    }

    func storedWorker() throws(SQLiteError) -> StoredWorker {
        var worker = StoredWorker(id: text(0), skills: SkillNames(joined: text(3)), updatedMs: int64(10))
        worker.name = text(1)
        worker.phone = text(2)
        worker.district = text(4)
        worker.verified = int64(5) != 0
        worker.radiusKm = optionalDouble(6)
        worker.availability = try value(7, of: "workers", row: worker.id)
        worker.ratingSum = int(8)
        worker.ratingCount = int(9)
        return worker
    }

    func storedToken() throws(SQLiteError) -> StoredToken {
        var token = StoredToken(hash: blob(0), prefix: text(1), role: try value(2, of: "tokens", row: text(1)), worker: optionalText(3),
                                createdMs: int64(5))
        token.label = text(4)
        token.revokedMs = optionalInt64(6)
        token.expiresMs = optionalInt64(7)
        token.lastUsedMs = optionalInt64(8)
        token.client = optionalText(9)
        return token
    }

    func storedJob() throws(SQLiteError) -> StoredJob {
        var job = StoredJob(skill: text(2), lat: double(3), lon: double(4), state: try value(10, of: "jobs", row: "id \(int64(0))"),
                            createdMs: int64(14))
        job.id = int64(0)
        job.ref = optionalText(1)
        job.address = text(5)
        job.customer = text(6)
        job.district = text(7)
        job.rateInr = optionalInt64(8).map(Int.init)
        job.scheduledMs = optionalInt64(9)
        job.worker = optionalText(11)
        job.offerDeadlineMs = optionalInt64(12)
        job.offersMade = int(13)
        job.updatedMs = int64(15)
        job.client = text(16)
        return job
    }

    func storedEvent() throws(SQLiteError) -> StoredJobEvent {
        StoredJobEvent(seq: int64(0), job: int64(1), atMs: int64(2), state: try value(3, of: "job_events", row: "seq \(int64(0))"),
                       worker: optionalText(4), detail: text(5))
    }

    func storedPosition() -> StoredPosition {
        StoredPosition(worker: text(0), lat: double(1), lon: double(2), accuracyM: optionalDouble(3), atMs: int64(4))
    }
}

extension Optional where Wrapped == String {
    var sqlite: SQLiteValue { map { .text($0) } ?? .null }
}

extension Optional where Wrapped == Int64 {
    var sqlite: SQLiteValue { map { .integer($0) } ?? .null }
}

extension Optional where Wrapped == Double {
    var sqlite: SQLiteValue { map { .real($0) } ?? .null }
}
