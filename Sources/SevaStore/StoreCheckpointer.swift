import Foundation

/// Copies the WAL back into the database from a thread and connection of its own, so that
/// commits rarely wait for a checkpoint: every tenth of a second it runs a PASSIVE checkpoint,
/// which takes no lock the writer needs. Once the log is fully copied the writer starts it
/// afresh, so it stays small; the writer's own `wal_autocheckpoint` is only a safety net for
/// when this thread falls behind.
///
/// `@unchecked Sendable`: `stopping` is guarded by `condition`; the connection is used only
/// by the checkpointer thread.
final class StoreCheckpointer: @unchecked Sendable {
    static let interval = 0.1

    private let condition = NSCondition()
    private var stopping = false
    private var stopped = false
    private let connection: SQLiteConnection

    init(_ configuration: StoreConfiguration) throws(DatabaseError) {
        connection = try SQLiteConnection(path: configuration.path, mode: .readWrite)
        try connection.execute("PRAGMA busy_timeout = \(max(0, configuration.busyTimeoutMs))")
        try connection.execute("PRAGMA synchronous = \(configuration.synchronous == .full ? "FULL" : "NORMAL")")
        let thread = Thread { [self] in run() }
        thread.name = "sevad-store-checkpoint"
        thread.start()
    }

    /// Stops the thread; the writer's TRUNCATE checkpoint at close does the final copy.
    func close() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while !stopping {
            _ = condition.wait(until: Date(timeIntervalSinceNow: Self.interval))
            if stopping { break }
            condition.unlock()
            // Failures are the writer's to report: it sees every storage error on commit.
            try? connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            condition.lock()
        }
        stopped = true
        condition.broadcast()
        condition.unlock()
    }
}
