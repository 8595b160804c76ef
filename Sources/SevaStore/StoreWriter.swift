import Foundation
import SevaCore

/// The group-commit writer: one thread that owns the write connection and turns the queue of
/// submitted operations into transactions of up to `commitBatchMax` operations.
///
/// Each operation runs inside its own savepoint, so one that fails on its own (a constraint)
/// is rolled back alone; a storage failure anywhere (disk full, I/O error, read-only, the file
/// gone, the PostgreSQL session lost) rolls back the whole batch, fails every operation in it, and degrades the store:
/// submissions are then refused at once until a probe write succeeds. Completions are handed
/// to each operation's `CompletionTarget` only after COMMIT returned.
///
/// On PostgreSQL the writer commits only while its session holds the leadership lock
/// (`StoreLeadership`): a standby's writer is degraded with its role as the reason and tries
/// for the lock at every probe; a writer whose session was lost takes the lock again before it
/// writes, and if another sevad took it meanwhile it has been fenced and says so.
///
/// `@unchecked Sendable`: the queue, health, role and statistics are guarded by `condition`;
/// the connection is touched only by the writer thread (and by `init` before the thread starts).
final class StoreWriter: @unchecked Sendable {
    private let configuration: StoreConfiguration
    private let condition = NSCondition()
    private var pending: [QueuedWrite] = []
    private var stopping = false
    private var stopped = false
    private var currentHealth = StoreHealth.healthy
    private var counters = StoreStatistics()
    private let onHealthChange: @Sendable (StoreHealth) -> Void
    private var currentRole = StoreRole.active
    private let onRoleChange: @Sendable (StoreRole) -> Void
    /// The writer's session holds the leadership lock (always, on SQLite). Writer thread only.
    private var holdsLock = true
    /// Held around each transaction, so a reader can open a snapshot between commits.
    private let commitGate: NSLock
    /// The catalogue workers' skills are named by, for transactions.
    private let skills: SkillCatalogue

    private var connection: (any DatabaseConnection)?
    private var lastMaintenance = Date()

    init(configuration: StoreConfiguration, skills: SkillCatalogue, connection: any DatabaseConnection, commitGate: NSLock,
         onHealthChange: @escaping @Sendable (StoreHealth) -> Void, onRoleChange: @escaping @Sendable (StoreRole) -> Void) {
        self.onRoleChange = onRoleChange
        if configuration.backend == .postgresql {
            holdsLock = (try? StoreLeadership.take(connection)) ?? false
            if !holdsLock {
                currentRole = .standby(active: (try? StoreLeadership.holder(connection)) ?? nil)
                currentHealth = .degraded(currentRole.description)
            }
        }
        self.commitGate = commitGate
        self.skills = skills
        self.configuration = configuration
        self.connection = connection
        self.onHealthChange = onHealthChange
        let thread = Thread { [self] in run() }
        thread.name = "sevad-store-writer"
        thread.start()
    }

    var health: StoreHealth {
        condition.lock()
        defer { condition.unlock() }
        return currentHealth
    }

    var role: StoreRole {
        condition.lock()
        defer { condition.unlock() }
        return currentRole
    }

    var statistics: StoreStatistics {
        condition.lock()
        defer { condition.unlock() }
        var snapshot = counters
        snapshot.queueDepth = pending.count
        return snapshot
    }

    /// Queues `write`, or refuses it at once when the store is closed, degraded or full.
    func submit(_ write: QueuedWrite) throws(StoreError) {
        condition.lock()
        defer { condition.unlock() }
        if stopping { throw .closed }
        if case .degraded(let reason) = currentHealth { throw .unavailable(reason) }
        if pending.count >= configuration.queueMax { throw .queueFull(configuration.queueMax) }
        pending.append(write)
        if pending.count == 1 { condition.signal() }
    }

    /// Commits what is queued, checkpoints the WAL, closes the connection and ends the thread.
    func close() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    // MARK: - The writer thread

    private func run() {
        while let batch = nextBatch() {
            if !batch.isEmpty { commit(batch) }
            if currentHealthUnlocked() != .healthy {
                if batch.isEmpty { probe() }
            } else if Date().timeIntervalSince(lastMaintenance) >= configuration.maintenanceIntervalSeconds {
                maintain()
            }
        }
        if let connection, connection.dialect == .sqlite {
            try? connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        connection = nil
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for work: a batch to commit, or an empty batch when the wait ran out (time for a
    /// probe when degraded, or maintenance when due); nil when closing with nothing left.
    /// Maintenance also runs between batches under load, when its interval has passed.
    private func nextBatch() -> [QueuedWrite]? {
        condition.lock()
        defer { condition.unlock() }
        let wait = currentHealth == .healthy ? Swift.min(configuration.maintenanceIntervalSeconds, 60)
            : configuration.probeIntervalSeconds
        if pending.isEmpty && !stopping {
            _ = condition.wait(until: Date(timeIntervalSinceNow: wait))
        }
        if pending.isEmpty { return stopping ? nil : [] }
        if pending.count <= configuration.commitBatchMax {
            defer { pending = [] }
            return pending
        }
        let batch = Array(pending.prefix(configuration.commitBatchMax))
        pending.removeFirst(configuration.commitBatchMax)
        return batch
    }

    private func commit(_ batch: [QueuedWrite]) {
        guard let connection, currentHealthUnlocked() == .healthy else {
            fail(batch, with: .unavailable(reasonUnlocked()))
            return
        }
        let started = DispatchTime.now().uptimeNanoseconds
        let waitedMs = batch.map { Double(started &- $0.submittedAt) / 1e6 }
        let completions: [@Sendable () -> Void]
        commitGate.lock()
        defer { commitGate.unlock() }
        do {
            if connection.isLost {
                throw DatabaseError(extendedCode: 10, message: "the database \(connection.location) was moved, deleted or disconnected")
            }
            // Most batches hold no failing operation: run them plainly. If one fails on its own,
            // undo the batch and run it again with a savepoint around each operation.
            if let plain = try run(batch, on: connection, isolated: false) {
                completions = plain
            } else {
                try connection.statement("ROLLBACK").run()
                completions = try run(batch, on: connection, isolated: true) ?? []
            }
            try connection.statement("COMMIT").run()
        } catch {
            if connection.inTransaction { try? connection.execute("ROLLBACK") }
            let reason = (error as? DatabaseError)?.message ?? "\(error)"
            enterDegraded(reason)
            fail(batch, with: .unavailable(reason))
            return
        }
        let elapsedMs = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        condition.lock()
        counters.recordBatch(size: batch.count, commitMs: elapsedMs, waitedMs: waitedMs)
        condition.unlock()
        deliver(zip(batch, completions).map { ($0.target, $1) })
    }

    /// Runs a batch inside BEGIN IMMEDIATE, leaving the transaction open. Not `isolated`, it
    /// returns nil at the first operation that fails on its own; `isolated`, each operation
    /// runs in a savepoint that is rolled back when it fails, and all complete.
    private func run(_ batch: [QueuedWrite], on connection: any DatabaseConnection, isolated: Bool) throws(DatabaseError)
        -> [@Sendable () -> Void]? {
        try connection.statement(connection.dialect.beginWrite).run()
        let transaction = StoreTransaction(connection: connection, historyDays: configuration.locationHistoryDays, skills: skills)
        let savepoint = try connection.statement("SAVEPOINT op")
        let release = try connection.statement("RELEASE op")
        let rollback = try connection.statement("ROLLBACK TO op")
        var completions: [@Sendable () -> Void] = []
        completions.reserveCapacity(batch.count)
        for write in batch {
            if isolated { try savepoint.run() }
            switch write.perform(transaction) {
            case .succeeded(let completion):
                completions.append(completion)
            case .failed(let completion):
                guard isolated else { return nil }
                try rollback.run()
                completions.append(completion)
            case .storageFailure(let error):
                throw error
            }
            if isolated { try release.run() }
        }
        return completions
    }

    /// Completes every operation of a batch that could not commit, and all that are queued.
    private func fail(_ batch: [QueuedWrite], with error: StoreError) {
        condition.lock()
        let queued = pending
        pending = []
        counters.failedOperations += batch.count + queued.count
        condition.unlock()
        deliver((batch + queued).map { ($0.target, $0.fail(error)) })
    }

    /// Hands completions to their targets, one call per run of operations sharing a target.
    private func deliver(_ items: [(CompletionTarget, @Sendable () -> Void)]) {
        var start = 0
        while start < items.count {
            let target = items[start].0
            var end = start + 1
            while end < items.count && items[end].0 === target { end += 1 }
            target.deliver(items[start..<end].map(\.1))
            start = end
        }
    }

    // MARK: - Health, probes and maintenance

    private func currentHealthUnlocked() -> StoreHealth {
        condition.lock()
        defer { condition.unlock() }
        return currentHealth
    }

    private func reasonUnlocked() -> String {
        if case .degraded(let reason) = currentHealthUnlocked() { return reason }
        return "no database connection"
    }

    private func enterDegraded(_ reason: String) {
        condition.lock()
        let changed = currentHealth == .healthy
        currentHealth = .degraded(reason)
        condition.unlock()
        if changed { onHealthChange(.degraded(reason)) }
    }

    /// Tries one real write; on success the store is healthy again.
    private func probe() {
        do {
            if connection == nil || connection?.isLost == true {
                connection = nil
                holdsLock = configuration.backend == .sqlite
                connection = try StoreConnections.writer(configuration, creating: false)
            }
            guard let connection else { return }
            if !holdsLock {
                guard try StoreLeadership.take(connection) else {
                    return changeRole(to: .standby(active: try StoreLeadership.holder(connection)))
                }
                holdsLock = true
            }
            try connection.statement(connection.dialect.beginWrite).run()
            try connection.statement("UPDATE store_health SET probed_ms = ? WHERE id = 1")
                .run([.integer(Int64(Date().timeIntervalSince1970 * 1000))])
            try connection.statement("COMMIT").run()
        } catch {
            if connection?.isLost == false, connection?.inTransaction == true { try? connection?.execute("ROLLBACK") }
            if error.needsNewConnection {
                connection = nil
                holdsLock = configuration.backend == .sqlite
            }
            return
        }
        condition.lock()
        currentHealth = .healthy
        condition.unlock()
        onHealthChange(.healthy)
        changeRole(to: .active)
    }

    /// Notes the role, and while standby makes it the reason writes are refused.
    private func changeRole(to role: StoreRole) {
        condition.lock()
        let changed = currentRole != role
        currentRole = role
        if case .standby = role { currentHealth = .degraded(role.description) }
        condition.unlock()
        if changed { onRoleChange(role) }
    }

    /// SQLite's `PRAGMA optimize` (PostgreSQL's autovacuum needs no help) and the
    /// location-history purge.
    private func maintain() {
        lastMaintenance = Date()
        guard let connection else { return }
        if connection.dialect == .sqlite { try? connection.execute("PRAGMA optimize") }
        guard configuration.locationHistoryDays > 0 else { return }
        let cutoff = Date().timeIntervalSince1970 - Double(configuration.locationHistoryDays) * 86_400
        do {
            try connection.statement(connection.dialect.beginWrite).run()
            try StoreTransaction(connection: connection, historyDays: configuration.locationHistoryDays, skills: skills)
                .purgeLocationHistory(before: cutoff)
            try connection.statement("COMMIT").run()
        } catch {
            if connection.inTransaction { try? connection.execute("ROLLBACK") }
            if error.isStorageFailure { enterDegraded(error.message) }
        }
    }
}
