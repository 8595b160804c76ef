import SevaCore

/// Whether the store can commit. Degraded carries the reason the daemon reports to systemd.
public enum StoreHealth: Sendable, Equatable, CustomStringConvertible {
    case healthy
    case degraded(String)

    public var description: String {
        switch self {
        case .healthy: return "healthy"
        case .degraded(let reason): return "degraded: \(reason)"
        }
    }
}

/// Counters of the writer, read without stopping it.
public struct StoreStatistics: Sendable, Equatable {
    /// Transactions committed.
    public var batches = 0
    /// Operations committed (including those that failed on their own, inside a commit).
    public var operations = 0
    /// Operations failed because their batch could not commit, or refused while degraded.
    public var failedOperations = 0
    /// Operations waiting now.
    public var queueDepth = 0
    /// The largest batch committed.
    public var largestBatch = 0
    /// Batches by size: index i counts batches of 2^i to 2^(i+1) − 1 operations.
    public var batchSizes = [Int](repeating: 0, count: 12)
    /// How long the last COMMIT took, milliseconds.
    public var lastCommitMs = 0.0
    /// How long each transaction took, from BEGIN to COMMIT returning.
    public var commits = DurationHistogram()
    /// How long each committed operation waited in the queue for its batch to begin.
    public var queueWaits = DurationHistogram()

    public init() {}

    mutating func recordBatch(size: Int, commitMs: Double, waitedMs: [Double] = []) {
        for ms in waitedMs { queueWaits.record(ms: ms) }
        batches += 1
        operations += size
        largestBatch = Swift.max(largestBatch, size)
        let bucket = Swift.min(batchSizes.count - 1, Int.bitWidth - 1 - size.leadingZeroBitCount)
        batchSizes[bucket] += 1
        lastCommitMs = commitMs
        commits.record(ms: commitMs)
    }
}
