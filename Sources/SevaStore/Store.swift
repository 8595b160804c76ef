import Foundation
import SevaCore

/// The daemon's durable store: opens and migrates the SQLite file, owns the group-commit
/// writer and the read connection, and reports whether it can commit.
///
/// A write is submitted as a closure over a `StoreTransaction`; its completion runs on the
/// caller's `CompletionTarget` after the batch holding it has committed — or with
/// `StoreError.unavailable` when it could not, in which case nothing of it was kept.
public final class Store: Sendable {
    public let configuration: StoreConfiguration
    /// The read path: start-up loading, the event feed, job histories. The daemon's engine
    /// uses it only through `read(on:_:completion:)`.
    public let reader: StoreReader
    private let reads: StoreReadQueue
    private let writer: StoreWriter
    private let checkpointer: StoreCheckpointer

    /// Opens (creating when missing) and migrates the database, then starts the writer.
    /// - Parameter skills: the catalogue workers' skills are named by (fixed for the store's life,
    ///   as `skills.catalogue` is for the daemon's).
    /// - Parameter onHealthChange: told, on the writer thread, when the store degrades or recovers.
    public init(_ configuration: StoreConfiguration, skills: SkillCatalogue = .standard,
                onHealthChange: @escaping @Sendable (StoreHealth) -> Void = { _ in }) throws(StoreError) {
        if let problem = SQLiteLibrary.unsuitability { throw .unavailable(problem) }
        self.configuration = configuration
        let connection: SQLiteConnection
        do {
            connection = try Self.openWriteConnection(configuration, creating: true)
        } catch {
            throw .unavailable(error.message)
        }
        try StoreSchema.migrate(connection)
        let commitGate = NSLock()
        reader = try StoreReader(configuration, skills: skills, commitGate: commitGate)
        reads = StoreReadQueue(reader)
        do {
            checkpointer = try StoreCheckpointer(configuration)
        } catch {
            throw .unavailable(error.message)
        }
        writer = StoreWriter(configuration: configuration, skills: skills, connection: connection, commitGate: commitGate,
                             onHealthChange: onHealthChange)
    }

    /// Queues a write. Throws at once — queuing nothing — when the store is degraded, full or
    /// closing; otherwise `completion` runs exactly once on `target`.
    public func submit<Value: Sendable>(
        on target: CompletionTarget,
        _ body: @escaping @Sendable (StoreTransaction) throws -> Value,
        completion: @escaping @Sendable (Result<Value, StoreError>) -> Void
    ) throws(StoreError) {
        try writer.submit(QueuedWrite(body, target: target, completion: completion))
    }

    /// Whether writes can commit now.
    public var health: StoreHealth { writer.health }

    /// The writer's counters.
    public var statistics: StoreStatistics { writer.statistics }

    /// Runs `body` against the reader on the store's read queue; `completion` runs once on
    /// `target` with what it returned or threw.
    public func read<Value: Sendable>(on target: CompletionTarget,
                                      _ body: @escaping @Sendable (StoreReader) throws(StoreError) -> Value,
                                      completion: @escaping @Sendable (Result<Value, StoreError>) -> Void) {
        reads.read(on: target, body, completion: completion)
    }

    /// What is committed, read afresh: for start-up and for rebuilding after a failed commit.
    public func loadCommittedState(dayStart: Double = 0, memoryDays: Int = 0) throws(StoreError) -> RecoveredState {
        try reader.loadRecoveredState(dayStart: dayStart, memoryDays: memoryDays)
    }

    /// Commits what is queued, checkpoints and truncates the WAL, and closes the file.
    public func close() {
        checkpointer.close()
        writer.close()
        reader.close()
    }

    /// Opens and configures a write connection. The settings are this build's constants and
    /// validated integers from the configuration: PRAGMAs take no bound parameters.
    static func openWriteConnection(_ configuration: StoreConfiguration, creating: Bool) throws(SQLiteError)
        -> SQLiteConnection {
        let connection = try SQLiteConnection(path: configuration.path, mode: creating ? .readWriteCreate : .readWrite)
        try connection.execute("PRAGMA busy_timeout = \(max(0, configuration.busyTimeoutMs))")
        let mode = try connection.text("PRAGMA journal_mode = WAL")
        guard mode.lowercased() == "wal" else {
            throw SQLiteError(extendedCode: 1, message: "cannot switch \(configuration.path) to WAL (got \(mode))")
        }
        try connection.execute("PRAGMA synchronous = \(configuration.synchronous == .full ? "FULL" : "NORMAL")")
        try connection.execute("PRAGMA foreign_keys = ON")
        try connection.execute("PRAGMA temp_store = MEMORY")
        try connection.execute("PRAGMA cache_size = -\(max(64, configuration.cacheSizeKiB))")
        try connection.execute("PRAGMA wal_autocheckpoint = \(max(0, configuration.walAutocheckpointPages))")
        return connection
    }
}
