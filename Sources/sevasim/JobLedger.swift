import SevaCore

/// What the simulator saw of one job: when it was booked, how it went, who took it.
struct JobRecord {
    var booking: Int?
    var skill = ""
    var household: GeoPoint?
    var bookedAt: Double?
    var scheduled = false
    /// Who could have taken the job when it was booked (not for scheduled jobs).
    var idleCandidates: [OptimalPickup.Candidate]?
    var searchingAt: Double?
    var assignedAt: Double?
    var worker: String?
    var workerPosition: GeoPoint?
    var pickupMetres: Double?
    var offers = 0
    var state = "searching"

    var isOpen: Bool { ["scheduled", "searching", "offered"].contains(state) }
    var wasAssigned: Bool { assignedAt != nil }

    /// Seconds from booking (or, for a scheduled job, from the start of its search) to the
    /// worker's acceptance.
    var timeToAssign: Double? {
        guard let assignedAt, let start = scheduled ? searchingAt : bookedAt else { return nil }
        return max(0, assignedAt - start)
    }
}

/// Every job the run made, by the daemon's id, as bookings, offers and `EVT job` told.
struct JobLedger {
    private(set) var records: [Int64: JobRecord] = [:]

    subscript(id: Int64) -> JobRecord {
        get { records[id] ?? JobRecord() }
        set { records[id] = newValue }
    }

    var jobs: Dictionary<Int64, JobRecord>.Values { records.values }

    func count(where predicate: (JobRecord) -> Bool) -> Int { records.values.reduce(0) { $0 + (predicate($1) ? 1 : 0) } }

    /// An `EVT job` state change, seen at `time`.
    mutating func observe(job id: Int64, state: String, worker: String?, at time: Double) {
        var record = self[id]
        record.state = state
        if state == "searching" && record.searchingAt == nil { record.searchingAt = time }
        if state == "assigned" && record.assignedAt == nil {
            record.assignedAt = time
            record.worker = worker
        }
        records[id] = record
    }
}
