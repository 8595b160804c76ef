import SevaCore

/// A request decoded from its line: what the client asked for, with every argument checked
/// for form (ranges, numbers, ids). Whether the connection may do it, and whether the named
/// things exist, is for the session and the engine to decide.
public enum Command: Sendable, Equatable {
    case hello(name: String?)
    case auth(token: String)
    case ping
    case quit
    case workerAdd(id: String, WorkerFields)
    case workerSet(id: String, WorkerFields)
    case workerGet(id: String)
    case workerDelete(id: String)
    case workerList(WorkerFilter)
    case tokenIssue(TokenGrant)
    case tokenRevoke(prefix: String)
    case tokenRotate(prefix: String)
    case tokenList
    /// A position fix; `worker` is nil in the worker-role form (`LOC <lat> <lon>`).
    case location(worker: String?, LocationFix)
    /// `worker` is nil in the worker-role form (`AVAIL on`).
    case availability(worker: String?, Availability)
    case near(NearQuery)
    case stats
    case reload
    case jobNew(JobFields)
    case jobGet(id: Int64)
    case jobCancel(id: Int64, reason: String?)
    /// JOB RATE: the household's stars (1-5) for a completed job, once.
    case jobRate(id: Int64, stars: Int, comment: String?)
    case jobList(JobFilter)
    /// ACCEPT, DECLINE, ARRIVED, START, DONE; `worker` is nil in the worker-role form.
    case jobStep(JobStep, worker: String?, job: Int64, reason: String?)
    case watch(job: Int64)
    case unwatch(job: Int64)
    case feed(since: Int64, limit: Int?)
    case subscribe(JobSubscription)
    case unsubscribe
    /// `DEBUG STALL <seconds>`: holds the engine's loop, to prove the watchdog; refused as an
    /// unknown verb unless `debug.allow_stall = true`.
    case debugStall(seconds: Double)

    /// The verb as the protocol spells it, for logs and errors.
    public var verb: String {
        switch self {
        case .hello: return "HELLO"
        case .auth: return "AUTH"
        case .ping: return "PING"
        case .quit: return "QUIT"
        case .workerAdd: return "WORKER ADD"
        case .workerSet: return "WORKER SET"
        case .workerGet: return "WORKER GET"
        case .workerDelete: return "WORKER DEL"
        case .workerList: return "WORKER LIST"
        case .tokenIssue: return "TOKEN ISSUE"
        case .tokenRevoke: return "TOKEN REVOKE"
        case .tokenRotate: return "TOKEN ROTATE"
        case .tokenList: return "TOKEN LIST"
        case .location: return "LOC"
        case .availability: return "AVAIL"
        case .near: return "NEAR"
        case .stats: return "STATS"
        case .reload: return "RELOAD"
        case .jobNew: return "JOB NEW"
        case .jobGet: return "JOB GET"
        case .jobCancel: return "JOB CANCEL"
        case .jobRate: return "JOB RATE"
        case .jobList: return "JOB LIST"
        case .jobStep(let step, _, _, _): return step.rawValue
        case .watch: return "WATCH"
        case .unwatch: return "UNWATCH"
        case .feed: return "FEED"
        case .subscribe: return "SUBSCRIBE"
        case .unsubscribe: return "UNSUBSCRIBE"
        case .debugStall: return "DEBUG STALL"
        }
    }

    /// The worker a device command names (gateway and admin form), if it is one.
    public var namedWorker: String?? {
        switch self {
        case .location(let worker, _), .availability(let worker, _), .jobStep(_, let worker, _, _): return .some(worker)
        default: return nil
        }
    }
}

/// What a worker does to an offer or a job.
public enum JobStep: String, Sendable, CaseIterable {
    case accept = "ACCEPT", decline = "DECLINE", arrived = "ARRIVED", start = "START", done = "DONE"
}

/// JOB NEW's fields: where (a point, or a PIN code or district whose centre stands for it),
/// what, when.
public struct JobFields: Sendable, Equatable {
    public var skill: String
    public var point: GeoPoint?
    public var address = ""
    public var customer = ""
    public var district = ""
    public var pincode: PinCode?
    /// The state of `district`, for the five names found in two states.
    public var state: String?
    public var at: Double?
    public var ref: String?

    public init(skill: String) { self.skill = skill }
}

/// JOB LIST's filters and paging.
public struct JobFilter: Sendable, Equatable {
    public var state: String?
    public var skill: String?
    public var limit: Int?
    public var after: Int64?

    public init() {}
}

/// SUBSCRIBE jobs: replay from `since`, then live; optionally one skill or district.
public struct JobSubscription: Sendable, Equatable {
    public var since: Int64?
    public var skill: String?
    public var district: String?

    public init() {}
}

/// TOKEN ISSUE's request: the role, the worker a worker token is bound to, the client a
/// booker token books for (nil: the token is a client of its own), a label, a lifetime.
public struct TokenGrant: Sendable, Equatable {
    public var role: Role
    public var worker: String?
    public var client: String?
    public var label: String?
    public var ttlDays: Double?

    public init(role: Role) { self.role = role }
}

/// The registered fields of a worker; nil means "not given" (WORKER SET leaves it unchanged).
public struct WorkerFields: Sendable, Equatable {
    public var skills: [String]?
    public var name: String?
    public var phone: String?
    public var district: String?
    /// The home PIN code; the district comes from it when not given.
    public var pincode: PinCode?
    public var verified: Bool?
    public var radiusKm: Double?

    public init() {}
}

/// WORKER LIST's filters and paging.
public struct WorkerFilter: Sendable, Equatable {
    public var skill: String?
    public var status: String?
    public var district: String?
    public var limit: Int?
    public var after: String?

    public init() {}
}

/// One GPS fix as a phone reports it.
public struct LocationFix: Sendable, Equatable {
    public var point: GeoPoint
    public var accuracyMetres: Double?
    /// Unix seconds of the fix, when the phone sent one.
    public var timestamp: Double?
    public var speedMetresPerSecond: Double?
    public var headingDegrees: Double?

    public init(point: GeoPoint) { self.point = point }
}

/// NEAR's question.
public struct NearQuery: Sendable, Equatable {
    /// Where from: a point, or a PIN code whose centroid the engine finds.
    public enum Origin: Sendable, Equatable {
        case point(GeoPoint)
        case pincode(PinCode)
    }

    public var origin: Origin
    public var skill: String?
    public var radiusKm: Double?
    public var limit: Int?
    /// `all=yes`: every visible worker, not only dispatchable ones.
    public var includeAll = false

    public init(center: GeoPoint) { origin = .point(center) }

    public init(pincode: PinCode) { origin = .pincode(pincode) }
}
