import Foundation
import SevaCore

/// The daemon's durable store: opens and migrates the database — SQLite's file or a PostgreSQL
/// cluster, `store.backend` — owns the group-commit writer and the read connections, and
/// reports whether it can commit. The engine sees only this interface, whichever the backend.
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
    /// SQLite's WAL checkpointer; PostgreSQL checkpoints by itself.
    private let checkpointer: StoreCheckpointer?

    /// Opens (creating when missing) and migrates the database, then starts the writer.
    /// - Parameter skills: the catalogue workers' skills are named by (fixed for the store's life,
    ///   as `skills.catalogue` is for the daemon's).
    /// - Parameter onHealthChange: told, on the writer thread, when the store degrades or recovers.
    /// - Parameter onRoleChange: told, on the writer thread, when this store's writer takes the
    ///   leadership lock (a standby becoming active) or finds it taken (an active fenced off).
    public init(_ configuration: StoreConfiguration, skills: SkillCatalogue = .standard,
                onHealthChange: @escaping @Sendable (StoreHealth) -> Void = { _ in },
                onRoleChange: @escaping @Sendable (StoreRole) -> Void = { _ in }) throws(StoreError) {
        if configuration.backend == .sqlite, let problem = SQLiteLibrary.unsuitability { throw .unavailable(problem) }
        self.configuration = configuration
        let connection: any DatabaseConnection
        do {
            connection = try StoreConnections.writer(configuration, creating: true)
        } catch {
            throw .unavailable(error.message)
        }
        try StoreSchema.migrate(connection)
        let commitGate = NSLock()
        reader = try StoreReader(configuration, skills: skills, commitGate: commitGate)
        reads = StoreReadQueue(reader)
        do {
            checkpointer = configuration.backend == .sqlite ? try StoreCheckpointer(configuration) : nil
        } catch {
            throw .unavailable(error.message)
        }
        writer = StoreWriter(configuration: configuration, skills: skills, connection: connection, commitGate: commitGate,
                             onHealthChange: onHealthChange, onRoleChange: onRoleChange)
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

    /// Whether this store's writer holds the leadership (always, on SQLite).
    public var role: StoreRole { writer.role }

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

    /// Commits what is queued, checkpoints and truncates SQLite's WAL, and closes the connections.
    public func close() {
        checkpointer?.close()
        writer.close()
        reader.close()
    }
}
