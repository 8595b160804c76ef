import Foundation

/// The store's settings, the `[store]` table of sevad.toml; each default is the documented one.
public struct StoreConfiguration: Sendable, Equatable {
    /// How hard a commit waits for the disk (`PRAGMA synchronous`).
    public enum Synchronous: String, Sendable, CaseIterable {
        /// fsync on every commit: a power cut loses nothing acknowledged. The default.
        case full
        /// fsync at WAL checkpoints only: a power cut may lose the last commits (a crash of the
        /// daemon alone does not).
        case normal
    }

    /// The database file (the daemon resolves a relative one under its state directory).
    public var path: String
    /// `store.backend`: SQLite's file at `path` (the default), or PostgreSQL at `url`.
    public var backend = SQLDialect.sqlite
    /// `store.url`: the PostgreSQL connection, a libpq URL or key=value string; several hosts
    /// with `target_session_attrs=read-write` find the primary after a failover.
    public var url = ""
    /// `store.node_name`: this sevad's name in an active/standby pair, as the standby reports
    /// the active's; "" (the default) is the host's name.
    public var nodeName = ""

    /// The name this sevad goes by: `nodeName`, or the host's.
    public var resolvedNodeName: String { nodeName.isEmpty ? Self.hostName : nodeName }
    /// `store.synchronous` (default full). PostgreSQL: full is `synchronous_commit = on` (a
    /// commit waits for the synchronous standby when there is one), normal is `off`.
    public var synchronous: Synchronous = .full
    /// `store.commit_batch_max`: operations in one group commit (default 1024).
    public var commitBatchMax = 1024
    /// `store.queue_max`: pending operations before submit fails fast (default 100000).
    public var queueMax = 100_000
    /// `store.location_history_days`: sampled positions kept; 0 writes none (default 7).
    public var locationHistoryDays = 7
    /// `store.cache_size_kib`: page cache of each connection (default 65536 KiB).
    public var cacheSizeKiB = 65_536
    /// `store.busy_timeout_ms` (default 5000).
    public var busyTimeoutMs = 5_000
    /// `store.wal_autocheckpoint`: WAL pages after which a commit checkpoints by itself — a
    /// safety net; a background thread normally checkpoints off the commit path (default 16384).
    public var walAutocheckpointPages = 16_384
    /// `store.probe_interval_s`: how often a degraded store tries a write (default 2).
    public var probeIntervalSeconds = 2.0
    /// `store.maintenance_interval_s`: how often `PRAGMA optimize` and the history purge run
    /// (default 3600).
    public var maintenanceIntervalSeconds = 3_600.0

    /// `store.position_snapshot_s`: how often the daemon writes the positions that changed,
    /// so a restart is warm (default 30).
    public var positionSnapshotSeconds = 30.0
    /// `store.stop_snapshot_max`: moved positions a clean stop writes on top of the periodic
    /// snapshot (default 100 000, ≈ 0.3 s). The rest are in the store as the last snapshot
    /// round left them, at most `position_snapshot_s` older: still fresh for a restart, while
    /// writing a million rows would hold the stop (and the restart behind it) ~4 s.
    public var stopSnapshotMax = 100_000

    public init(path: String) { self.path = path }

    /// A PostgreSQL store at `url`.
    public init(postgresURL url: String) {
        path = ""
        backend = .postgresql
        self.url = url
    }

    /// The host's name, or "sevad" when it has none.
    public static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "sevad" }
        let name = String(cString: buffer)
        return name.isEmpty ? "sevad" : name
    }

    /// Where the store is, for messages: the file, or the URL without its password.
    public var location: String { backend == .sqlite ? path : PostgresConnection.withoutPassword(url) }
}
