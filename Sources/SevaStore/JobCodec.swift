import SevaCore
import SevaWire

/// How SevaCore's `Job` and `JobEvent` are kept in `jobs` and `job_events`: the one place
/// where a job's fields meet columns. States are enum columns (an unknown one is an error
/// naming the row), times are the domain's seconds, kept as integer milliseconds
/// (`StoreTime`), and an event's detail is its JSON object.
enum JobCodec {
    /// `jobs`' columns in the order `insertValues` binds them and `job()` reads them.
    static let columns = """
        id, ref, skill, lat, lon, address, customer, district, rate_inr, scheduled_ms, state, worker,
        offer_deadline_ms, offers_made, created_ms, updated_ms, client, placed, pincode
        """
    /// The same without `id`, for a job the store numbers.
    static let columnsAfterID = String(columns.drop { $0 != "," }.dropFirst())
    static let eventColumns = "seq, job, at_ms, state, worker, detail, kind"
    static let eventColumnsAfterSeq = String(eventColumns.drop { $0 != "," }.dropFirst())
    static let eventColumnsQualified = eventColumns.split(separator: ",").map { "e." + $0.filter { $0 != " " } }
        .joined(separator: ", ")

    /// The states in which a job is still live and comes back after a restart, as an SQL list
    /// made from `JobState` itself (constants, safe to splice).
    static let openStatesSQL = JobState.allCases.filter(\.isOpen).map { "'\($0.rawValue)'" }.joined(separator: ", ")

    /// The values of `columns` for `job`, in order (`id` first).
    static func values(_ job: Job) -> [DatabaseValue] {
        [
            .integer(job.id), job.ref.databaseValue, .text(job.skill), .real(job.point.latitude), .real(job.point.longitude),
            .text(job.address), .text(job.customer), .text(job.district), job.rateInr.map { Int64($0) }.databaseValue,
            job.scheduledAt.map(StoreTime.milliseconds).databaseValue, .text(job.state.rawValue), job.worker.databaseValue,
            job.offerDeadline.map(StoreTime.milliseconds).databaseValue, .integer(Int64(job.offersMade)),
            .integer(StoreTime.milliseconds(job.createdAt)), .integer(StoreTime.milliseconds(job.updatedAt)),
            .text(job.client), .text(job.placed.rawValue), job.pincode.map { Int64($0.value) }.databaseValue,
        ]
    }

    /// What a transition changes: state, worker, offer and time (then the id).
    static func transitionValues(_ job: Job) -> [DatabaseValue] {
        [
            .text(job.state.rawValue), job.worker.databaseValue, job.offerDeadline.map(StoreTime.milliseconds).databaseValue,
            .integer(Int64(job.offersMade)), .integer(StoreTime.milliseconds(job.updatedAt)), .integer(job.id),
        ]
    }

    static func eventValues(_ event: JobEvent) -> [DatabaseValue] {
        [
            .integer(event.seq), .integer(event.job), .integer(StoreTime.milliseconds(event.at)), .text(event.state.rawValue),
            event.worker.databaseValue, .text(event.detail.jsonText), .text(event.kind.rawValue),
        ]
    }
}

/// What the codecs' column lists share.
enum StoreColumns {
    /// One `?` per column of a comma-separated list, for its INSERT.
    static func placeholders(_ columns: String) -> String {
        Array(repeating: "?", count: columns.split(separator: ",").count).joined(separator: ", ")
    }
}

/// The store's one conversion of time: the domain's seconds (a `Double`, as every clock in
/// sevad reads) to the integer milliseconds its columns keep, and back.
public enum StoreTime {
    public static func milliseconds(_ seconds: Double) -> Int64 { Int64((seconds * 1000).rounded()) }
    public static func seconds(_ milliseconds: Int64) -> Double { Double(milliseconds) / 1000 }
}

extension DatabaseStatement {
    /// A `jobs` row as SevaCore's job, without history. Its skill's matching bits come from
    /// the catalogue of the daemon that restores it (`SkillSet()` until then).
    func job() throws(DatabaseError) -> Job {
        let id = int64(0)
        let row = "id \(id)"
        let point: GeoPoint
        do { point = try GeoPoint(latitude: double(3), longitude: double(4)) } catch {
            throw DatabaseError(extendedCode: 20, message: "jobs row \(row): lat/lon \(double(3)), \(double(4)) is not a place")
        }
        var job = Job(id: id, skill: text(2), skillSet: SkillSet(), point: point, state: try value(10, of: "jobs", row: row),
                      createdAt: StoreTime.seconds(int64(14)))
        job.ref = optionalText(1)
        job.address = text(5)
        job.customer = text(6)
        job.district = text(7)
        job.rateInr = optionalInt64(8).map(Int.init)
        job.scheduledAt = optionalInt64(9).map(StoreTime.seconds)
        job.worker = optionalText(11)
        job.offerDeadline = optionalInt64(12).map(StoreTime.seconds)
        job.offersMade = int(13)
        job.updatedAt = StoreTime.seconds(int64(15))
        job.client = text(16)
        job.placed = try value(17, of: "jobs", row: row)
        if let code = optionalInt64(18) {
            guard let pincode = PinCode(value: UInt32(clamping: code)) else {
                throw DatabaseError(extendedCode: 20, message: "jobs row \(row): pincode \(code) is not a PIN code")
            }
            job.pincode = pincode
        }
        return job
    }

    /// A `job_events` row as SevaCore's event; its detail is the JSON text as written.
    func jobEvent() throws(DatabaseError) -> JobEvent {
        JobEvent(seq: int64(0), job: int64(1), at: StoreTime.seconds(int64(2)),
                 state: try value(3, of: "job_events", row: "seq \(int64(0))"), worker: optionalText(4),
                 detail: EventDetail(recorded: text(5)), kind: try value(6, of: "job_events", row: "seq \(int64(0))"))
    }
}
