import SevaCore

/// Everything the daemon needs to resume: what the recovery loader reads at start-up and
/// after a failed commit.
public struct RecoveredState: Sendable, Equatable {
    public var workers: [RegisteredWorker] = []
    /// Tokens not revoked.
    public var tokens: [IssuedToken] = []
    /// Jobs in an open state, with their offer deadlines and histories.
    public var openJobs: [Job] = []
    public var positions: [WorkerPosition] = []
    /// The highest event `seq` and job id committed (0 when none).
    public var lastSeq: Int64 = 0
    public var lastJobID: Int64 = 0
    /// Jobs each worker completed by local day: `[0]` since the loader's `dayStart`, `[k]` on
    /// the day k days before (as far back as the loader was asked to look).
    public var completedRecently: [String: [Int]] = [:]

    public init() {}
}
