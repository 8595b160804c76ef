/// What one dispatch step did, for the engine to carry out in order: the changes to write
/// through the store (all in one commit), then — only after that commit — the notices to
/// send to connections.
public struct DispatchOutcome: Sendable {
    public var changes: [DispatchChange] = []
    public var notices: [DispatchNotice] = []

    public init() {}

    public var isEmpty: Bool { changes.isEmpty && notices.isEmpty }
}

/// A change that must be committed before anyone is told of it.
public enum DispatchChange: Sendable, Equatable {
    /// A new job row and its first event.
    case created(Job, JobEvent)
    /// The job's row as it is now, and the event that made it so.
    case transition(Job, JobEvent)
    /// A worker set to `break` after letting `timeouts_to_away` offers expire in a row.
    case availability(worker: String, Availability)
    /// The household's rating of a completed job: the `rated` event, and the stars to add
    /// to its worker's rating.
    case rated(JobEvent, worker: String, stars: Int)
}

/// A message for connections, sent after the step's commit.
public enum DispatchNotice: Sendable, Equatable {
    /// `EVT offer` to the worker.
    case offer(worker: String, job: Job, metres: Double, expiresInSeconds: Double)
    /// `EVT offer_withdrawn` to the worker: expired, cancelled, or the worker went offline.
    case offerWithdrawn(worker: String, job: Int64, reason: String)
    /// `EVT job` to the job's watchers and subscribers (a booker's only for its client's
    /// jobs) — and to `worker`, who is on the job.
    case jobChanged(JobEvent, skill: String, district: String, client: String, worker: String?)
    /// `EVT track` to the job's watchers (at most one a second a job).
    case track(job: Int64, worker: String, point: GeoPoint, metres: Double, etaSeconds: Double)
}

/// The structured detail of a job event (a JSON object once written): the match decision,
/// a decline's reason, what moved the job on.
public struct EventDetail: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Double)
        case integer(Int)
        case flag(Bool)
        /// The candidates a match considered, best first, with the policy's score of each.
        case candidates([RankedCandidate])
    }

    public struct Field: Sendable, Equatable {
        public let key: String
        public let value: Value
    }

    public private(set) var fields: [Field] = []
    /// Detail as read back from the store: the JSON text as it was written.
    public private(set) var recorded: String?

    public init() {}

    public init(recorded json: String) { recorded = json }

    public mutating func add(_ key: String, _ value: Value) { fields.append(Field(key: key, value: value)) }

    public func adding(_ key: String, _ value: Value) -> EventDetail {
        var copy = self
        copy.add(key, value)
        return copy
    }
}

/// One candidate as a match decision records it.
public struct RankedCandidate: Sendable, Equatable {
    public let worker: String
    public let metres: Double
    /// The policy's score (lower is better; the first was chosen): metres for `nearest`, the
    /// rank for `nearest-fair`, metres plus the weighed work for `fair-share`.
    public let score: Double
    public let jobsToday: Int
    /// Today's jobs and the fading earlier days' (`Candidate.work`).
    public let work: Double

    public init(worker: String, metres: Double, score: Double, jobsToday: Int, work: Double) {
        self.worker = worker
        self.metres = metres
        self.score = score
        self.jobsToday = jobsToday
        self.work = work
    }
}

/// Dispatch counters for STATS.
public struct DispatchCounters: Sendable, Equatable {
    public var offersSent = 0
    public var offersAccepted = 0
    public var offersDeclined = 0
    public var offersExpired = 0
    public var offersWithdrawn = 0
    public var unfilledBySkill: [String: Int] = [:]
    public var unfilledByDistrict: [String: Int] = [:]
    /// Recent seconds from booking (or scheduled search start) to assignment, newest last.
    public private(set) var timesToAssign: [Double] = []

    static let timesKept = 4_096

    mutating func noteAssigned(after seconds: Double) {
        if timesToAssign.count == Self.timesKept { timesToAssign.removeFirst(Self.timesKept / 4) }
        timesToAssign.append(seconds)
    }

    /// The q-quantile (0...1) of recent times to assign, or nil before the first.
    public func timeToAssign(_ q: Double) -> Double? {
        guard !timesToAssign.isEmpty else { return nil }
        let sorted = timesToAssign.sorted()
        return sorted[Int((q * Double(sorted.count - 1)).rounded())]
    }
}
