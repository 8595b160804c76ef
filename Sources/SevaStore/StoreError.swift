/// Why a store operation failed, in terms the daemon turns into replies.
public enum StoreError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The store cannot commit now (disk full, I/O error, read-only, file gone); nothing of the
    /// operation was kept. The daemon answers `ERR UNAVAILABLE`.
    case unavailable(String)
    /// The write queue holds `store.queue_max` operations; nothing was queued.
    case queueFull(Int)
    /// The store is shutting down and takes no more writes.
    case closed
    /// The database was written by a newer sevad.
    case futureSchema(found: Int, supported: Int)
    /// A statement failed for a reason of its own (e.g. a constraint); only its operation fails.
    case database(DatabaseError)
    /// The operation found nothing to act on.
    case notFound(String)

    public var description: String {
        switch self {
        case .unavailable(let reason): return "store unavailable: \(reason)"
        case .queueFull(let limit): return "store write queue full (\(limit) pending, store.queue_max)"
        case .closed: return "store is shutting down"
        case .futureSchema(let found, let supported):
            return "database schema version \(found) is newer than this sevad supports (\(supported)); "
                + "run the sevad release that wrote it, or restore a backup"
        case .database(let error): return error.description
        case .notFound(let what): return "\(what) not found"
        }
    }

    public static func == (lhs: StoreError, rhs: StoreError) -> Bool { lhs.description == rhs.description }
}
