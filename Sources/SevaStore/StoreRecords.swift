import SevaCore

/// The rows the store keeps, as plain values: the engine turns them into its own state.

/// A registered worker (table `workers`).
public struct StoredWorker: Sendable, Equatable {
    public var id: String
    public var name = ""
    public var phone = ""
    /// Catalogue skill names.
    public var skills: SkillNames
    public var district = ""
    public var verified = false
    public var radiusKm: Double?
    /// The worker's own last choice: `on`, `off` or `break`.
    public var availability = Availability.off
    public var ratingSum = 0
    public var ratingCount = 0
    public var updatedMs: Int64

    public init(id: String, skills: SkillNames, updatedMs: Int64) {
        self.id = id
        self.skills = skills
        self.updatedMs = updatedMs
    }
}

/// A worker's skills as the store keeps them: catalogue names joined by commas. One string
/// rather than an array, so loading a million workers does not allocate a million arrays.
public struct SkillNames: Sendable, Hashable, Sequence, ExpressibleByArrayLiteral, CustomStringConvertible {
    /// The names joined by ",", as stored.
    public let joined: String

    public init(_ names: [String]) { joined = names.joined(separator: ",") }
    public init(arrayLiteral names: String...) { self.init(names) }
    init(joined: String) { self.joined = joined }

    /// The names, in their stored order.
    public var names: [String] { joined.split(separator: ",").map(String.init) }

    public func makeIterator() -> IndexingIterator<[String]> { names.makeIterator() }

    public var description: String { joined }
}

/// An issued token (table `tokens`): only its SHA-256 hash is kept.
public struct StoredToken: Sendable, Equatable {
    public var hash: [UInt8]
    /// The first characters of the token, shown in listings and used to revoke it.
    public var prefix: String
    public var role: Role
    public var worker: String?
    /// A booker token's client: the jobs it books and sees are this client's.
    public var client: String?
    public var label = ""
    public var createdMs: Int64
    public var revokedMs: Int64?
    public var expiresMs: Int64?
    public var lastUsedMs: Int64?

    public init(hash: [UInt8], prefix: String, role: Role, worker: String? = nil, createdMs: Int64) {
        self.hash = hash
        self.prefix = prefix
        self.role = role
        self.worker = worker
        self.createdMs = createdMs
    }
}

/// A booking (table `jobs`) in its latest state.
public struct StoredJob: Sendable, Equatable {
    /// Assigned by the store when the job is created.
    public var id: Int64 = 0
    /// The client that booked it ("" for none: admin bookings and jobs from before clients).
    public var client = ""
    /// The booker's idempotency key: the same ref from the same client never makes a second job.
    public var ref: String?
    public var skill: String
    public var lat: Double
    public var lon: Double
    public var address = ""
    public var customer = ""
    public var district = ""
    public var rateInr: Int?
    public var scheduledMs: Int64?
    public var state: JobState
    public var worker: String?
    /// When the pending offer expires, so a restart can resume its timer.
    public var offerDeadlineMs: Int64?
    public var offersMade = 0
    public var createdMs: Int64
    public var updatedMs: Int64

    /// States in which a job is still live and must come back after a restart.
    /// The open states as an SQL list, from `JobState` itself (constants, safe to splice).
    static let openStatesSQL = JobState.allCases.filter(\.isOpen).map { "'\($0.rawValue)'" }.joined(separator: ", ")

    public init(skill: String, lat: Double, lon: Double, state: JobState, createdMs: Int64) {
        self.skill = skill
        self.lat = lat
        self.lon = lon
        self.state = state
        self.createdMs = createdMs
        updatedMs = createdMs
    }
}

/// One entry of a job's history (table `job_events`); `seq` is global and increasing.
public struct StoredJobEvent: Sendable, Equatable {
    public var seq: Int64
    public var job: Int64
    public var atMs: Int64
    public var state: JobState
    public var worker: String?
    /// A JSON object: candidates, reasons, the detail of the transition.
    public var detail: String

    public init(seq: Int64 = 0, job: Int64, atMs: Int64, state: JobState, worker: String? = nil, detail: String = "{}") {
        self.seq = seq
        self.job = job
        self.atMs = atMs
        self.state = state
        self.worker = worker
        self.detail = detail
    }
}

/// A worker's position: the snapshot in `worker_positions`, or a sample in `location_history`.
public struct StoredPosition: Sendable, Equatable {
    public var worker: String
    public var lat: Double
    public var lon: Double
    public var accuracyM: Double?
    public var atMs: Int64

    public init(worker: String, lat: Double, lon: Double, accuracyM: Double? = nil, atMs: Int64) {
        self.worker = worker
        self.lat = lat
        self.lon = lon
        self.accuracyM = accuracyM
        self.atMs = atMs
    }
}

/// Everything the daemon needs to resume: what the recovery loader reads at start-up and
/// after a failed commit.
public struct RecoveredState: Sendable, Equatable {
    public var workers: [StoredWorker] = []
    /// Tokens not revoked.
    public var tokens: [StoredToken] = []
    /// Jobs in an open state, with their offer deadlines.
    public var openJobs: [StoredJob] = []
    public var positions: [StoredPosition] = []
    /// The history of every open job, in job then seq order.
    public var openJobEvents: [StoredJobEvent] = []
    /// The highest event `seq` and job id committed (0 when none).
    public var lastSeq: Int64 = 0
    public var lastJobID: Int64 = 0
    /// Jobs each worker completed since the start of the local day (the loader's `dayStartMs`).
    public var completedToday: [String: Int] = [:]

    public init() {}
}
