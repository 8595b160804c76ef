/// One booking as the dispatcher holds it: what was asked for, where it stands, and its
/// history (every transition with its time, worker and detail).
public struct Job: Sendable, Equatable {
    public let id: Int64
    /// The client that booked it (a booker token's client); "" for the operator's own bookings
    /// and jobs from before clients existed, which only admins and viewers see.
    public var client = ""
    public var ref: String?
    public var skill: String
    public var skillSet: SkillSet
    public var point: GeoPoint
    public var address = ""
    public var customer = ""
    public var district = ""
    /// How `point` was found, and the PIN code it came from.
    public var placed = Placement.gps
    public var pincode: PinCode?
    /// The published visit rate for the skill (`[rates]`); never used to match.
    public var rateInr: Int?
    /// When the visit is booked for (`at=`); nil for now.
    public var scheduledAt: Double?
    public var state: JobState
    /// The worker holding the offer (offered) or on the job (assigned and after).
    public var worker: String?
    /// When the pending offer expires.
    public var offerDeadline: Double?
    public var offersMade = 0
    /// The household rated the job (JOB RATE, once, after `completed`).
    public var rated = false
    /// Workers offered the job so far, in order: a cascade never asks one twice.
    public var tried: [String] = []
    public let createdAt: Double
    public var updatedAt: Double
    public var events: [JobEvent] = []

    public init(id: Int64, skill: String, skillSet: SkillSet, point: GeoPoint, state: JobState, createdAt: Double) {
        self.id = id
        self.skill = skill
        self.skillSet = skillSet
        self.point = point
        self.state = state
        self.createdAt = createdAt
        updatedAt = createdAt
    }

    /// A new job as `request` asks for it, searching until the dispatcher says otherwise.
    public init(id: Int64, request: JobRequest, skillSet: SkillSet, createdAt: Double) {
        self.init(id: id, skill: request.skill, skillSet: skillSet, point: request.point, state: .searching, createdAt: createdAt)
        client = request.client
        ref = request.ref
        address = request.address
        customer = request.customer
        district = request.district
        placed = request.placed
        pincode = request.pincode
        rateInr = request.rateInr
        scheduledAt = request.scheduledAt
    }

    /// Gives a job read back from the store its history, and with it the workers already
    /// tried (offered, or assigned by an admin), so a restored cascade never asks one twice.
    public mutating func restore(history: [JobEvent]) {
        events = history
        rated = history.contains { $0.kind == .rated }
        tried = []
        for event in history where event.state == .offered || event.state == .assigned {
            if let worker = event.worker, !tried.contains(worker) { tried.append(worker) }
        }
    }
}

/// What an entry of a job's history records: a move to `state`, or the household's rating
/// of a completed job (the state stays `completed`).
public enum JobEventKind: String, Sendable, CaseIterable {
    case transition, rated
}

/// One entry of a job's history; `seq` is global and increasing across all jobs, so the
/// event feed can resume from any point.
public struct JobEvent: Sendable, Equatable {
    public let seq: Int64
    public let job: Int64
    public let at: Double
    /// The job's state after the event.
    public let state: JobState
    public let worker: String?
    /// The match decision, a decline's reason, the stars, what happened.
    public let detail: EventDetail
    public let kind: JobEventKind

    public init(seq: Int64, job: Int64, at: Double, state: JobState, worker: String?, detail: EventDetail,
                kind: JobEventKind = .transition) {
        self.seq = seq
        self.job = job
        self.at = at
        self.state = state
        self.worker = worker
        self.detail = detail
        self.kind = kind
    }
}

/// What a booker asks for (JOB NEW), checked for form by the wire layer.
public struct JobRequest: Sendable, Equatable {
    /// Who books: refs are unique per client, and only this client sees the job.
    public var client = ""
    public var ref: String?
    public var skill: String
    public var point: GeoPoint
    public var address = ""
    public var customer = ""
    public var district = ""
    public var placed = Placement.gps
    public var pincode: PinCode?
    public var rateInr: Int?
    public var scheduledAt: Double?

    public init(skill: String, point: GeoPoint) {
        self.skill = skill
        self.point = point
    }
}

/// An idempotency key as it is unique: within one client.
public struct ClientRef: Hashable, Sendable {
    public let client: String
    public let ref: String

    public init(client: String, ref: String) {
        self.client = client
        self.ref = ref
    }
}
