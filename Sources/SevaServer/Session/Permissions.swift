import SevaCore
import SevaWire

/// Who a connection is: its role once authenticated (nil before), for the worker role the
/// one worker it acts for, for the booker role the client whose jobs it books and sees.
public struct Principal: Sendable, Equatable {
    public var role: Role?
    public var worker: String?
    /// A booker's client (DESIGN.md §2 "Whose job it is").
    public var client: String?
    /// The token this connection authenticated with, so that revoking or expiring it ends the
    /// session (nil for the Unix socket's admin and before AUTH).
    public var token: TokenIdentity?

    public init(role: Role? = nil, worker: String? = nil, client: String? = nil, token: TokenIdentity? = nil) {
        self.role = role
        self.worker = worker
        self.client = client
        self.token = token
    }

    /// Not authenticated yet.
    public static let anonymous = Principal()

    /// Which jobs this connection sees: a booker its client's only, admin and viewer all.
    public var jobScope: JobScope {
        role == .booker ? .client(client ?? "") : .all
    }

    /// True when this connection may see workers' exact positions (every role but booker).
    public var seesExactPositions: Bool { role != .booker }
}

/// The jobs a connection may see and act on.
public enum JobScope: Sendable, Equatable {
    case all
    /// One client's; another client's job is `NOTFOUND` to it.
    case client(String)

    /// The client filter for store queries (nil: no filter).
    public var client: String? {
        if case .client(let client) = self { return client }
        return nil
    }

    /// Whether a job booked by `client` is visible.
    public func includes(client jobClient: String) -> Bool {
        switch self {
        case .all: true
        case .client(let client): client == jobClient
        }
    }
}

/// Which issued token a session stands on: its clear prefix and its hash.
public struct TokenIdentity: Sendable, Hashable {
    public let prefix: String
    public let hash: [UInt8]
}

/// The role table of DESIGN.md §2, applied to a decoded command: may this connection do it,
/// and for which worker. One function, so the whole matrix can be read — and tested — at once.
public enum Permissions {
    /// What an allowed command acts on.
    public struct Decision: Sendable, Equatable {
        /// For device commands: the worker the command acts for.
        public var worker: String?
    }

    /// Allows `command` for `principal`, or says why not: `NOAUTH` before AUTH, `DENIED` for
    /// a role that may not, `BADARG` when a gateway or admin leaves out the worker id.
    public static func check(_ command: Command, for principal: Principal) -> Result<Decision, WireError> {
        switch command {
        case .hello, .auth, .ping, .quit:
            return .success(Decision())
        default:
            break
        }
        guard let role = principal.role else {
            return .failure(WireError(.noAuth, "AUTH <token> first; before it only HELLO, PING, AUTH and QUIT"))
        }
        if let worker = command.namedWorker {
            return device(command.verb, worker: worker, principal: principal, role: role)
        }
        let allowed: Set<Role>
        switch command {
        // SUBSCRIBE is FEED delivered live: read-only, so a viewer's too (the operations page).
        case .workerGet, .near, .jobGet, .jobList, .feed, .subscribe, .unsubscribe: allowed = [.admin, .booker, .viewer]
        case .workerList, .stats: allowed = [.admin, .viewer]
        case .jobNew, .jobCancel, .jobRate, .watch, .unwatch: allowed = [.admin, .booker]
        default: allowed = [.admin]
        }
        guard allowed.contains(role) else { return .failure(denied(command.verb, role)) }
        return .success(Decision())
    }

    /// Whether `principal` may act for the device `worker` names (nil: its own) with `verb` —
    /// the device commands' rule, for a request that carries none (a tracker's empty report).
    public static func checkDevice(_ verb: String, worker: String?, for principal: Principal) -> Result<Decision, WireError> {
        guard let role = principal.role else {
            return .failure(WireError(.noAuth, "AUTH <token> first; before it only HELLO, PING, AUTH and QUIT"))
        }
        return device(verb, worker: worker, principal: principal, role: role)
    }

    /// Device commands: a worker acts only for itself; a gateway or admin names the worker.
    private static func device(_ verb: String, worker: String?, principal: Principal, role: Role)
        -> Result<Decision, WireError> {
        switch role {
        case .worker:
            guard let own = principal.worker else { return .failure(WireError(.internal, "worker token without a worker")) }
            guard worker == nil || worker == own else {
                return .failure(WireError(.denied, "a worker token acts only for its own worker (\(own))"))
            }
            return .success(Decision(worker: own))
        case .gateway, .admin:
            guard let worker else {
                return .failure(.badArgument("worker", "give the worker id first: \(verb) <worker> ..."))
            }
            return .success(Decision(worker: worker))
        case .booker, .viewer:
            return .failure(denied(verb, role))
        }
    }

    private static func denied(_ verb: String, _ role: Role) -> WireError {
        WireError(.denied, "the \(role.rawValue) role may not use \(verb)")
    }
}
