/// The job states of DESIGN.md §3 and which moves between them are legal.
public enum JobState: String, Sendable, CaseIterable {
    case scheduled, searching, offered, assigned, arrived, started, completed, cancelled, unfilled

    /// Still live: comes back after a restart and may change.
    public var isOpen: Bool {
        switch self {
        case .completed, .cancelled, .unfilled: false
        default: true
        }
    }

    /// A worker is on the job.
    public var hasWorker: Bool { self == .assigned || self == .arrived || self == .started }

    /// Whether a job in this state may move to `next`.
    public func allows(_ next: JobState) -> Bool {
        switch (self, next) {
        case (.scheduled, .searching), (.searching, .offered), (.searching, .assigned), (.searching, .unfilled),
             (.offered, .assigned), (.offered, .searching), (.offered, .unfilled),
             (.assigned, .arrived), (.arrived, .started), (.started, .completed):
            true
        case (let from, .cancelled):
            from.isOpen
        default:
            false
        }
    }
}

/// Why a dispatch command cannot be done; the server turns each into an `ERR` line.
public enum DispatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The job's state does not allow it (`ERR CONFLICT`, naming the state).
    case conflict(job: Int64, state: JobState, wanted: String)
    /// No such job, or not this worker's (`ERR NOTFOUND`).
    case noJob(Int64)
    /// No such worker (`ERR NOTFOUND`).
    case noWorker(String)
    /// The job is another worker's, or the offer went to someone else (`ERR DENIED`).
    case notYours(job: Int64, worker: String)
    /// A booking the engine cannot take (`ERR BADARG`, naming the argument).
    case badRequest(argument: String, reason: String)
    /// JOB RATE a second time (`ERR CONFLICT`).
    case alreadyRated(job: Int64)

    public var description: String {
        switch self {
        case .conflict(let job, let state, let wanted): "job \(job) is \(state.rawValue); cannot \(wanted)"
        case .noJob(let job): "no job \(job)"
        case .noWorker(let worker): "no worker \(worker)"
        case .notYours(let job, let worker): "job \(job) is not offered or assigned to \(worker)"
        case .badRequest(let argument, let reason): "\(argument): \(reason)"
        case .alreadyRated(let job): "job \(job) is already rated; a job is rated once"
        }
    }
}
