#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit, raised (as Redis does) so `server.max_connections` clients
/// plus the store and listeners fit: the soft limit goes up to what is needed, never above the
/// hard limit.
enum DescriptorLimit {
    /// Descriptors kept for the store, its journal, listeners, the event loops and logging.
    static let reserved = 64

    /// Raises the soft limit for `connections` clients; returns a warning to log when the hard
    /// limit leaves less than that, or nil.
    static func raise(forConnections connections: Int) -> String? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        let wanted = rlim_t(connections + reserved)
        guard limit.rlim_cur < wanted else { return nil }
        limit.rlim_cur = min(wanted, limit.rlim_max)
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        guard limit.rlim_cur < wanted else { return nil }
        return "warning: the open-file limit (\(limit.rlim_max)) allows about \(Int(limit.rlim_cur) - reserved) "
            + "clients, fewer than server.max_connections (\(connections)); raise LimitNOFILE= or lower the key"
    }
}
