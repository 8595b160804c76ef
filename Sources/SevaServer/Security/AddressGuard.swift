import Foundation

/// Limits by remote address on the TCP and TLS listeners (never the admin Unix socket):
/// connections open per address (`server.max_conns_per_ip`), new connections per second over
/// all addresses (`server.max_new_conns_per_s`), and an exponential, bounded back-off on
/// failed AUTHs from an address: the answer to each failure after the first waits
/// `server.auth_backoff_s`, doubling per failure up to `auth_backoff_max_s`. Only failures
/// wait — a good token is never held up by what others behind the same address did (a
/// carrier's NAT puts a district's phones behind one address). An address's failures are
/// forgotten once it has had none for `auth_backoff_max_s`.
/// All in memory; an address with nothing open and no failures to remember is forgotten.
/// `@unchecked Sendable`: every field is guarded by `lock`; it is touched per connection and
/// per AUTH, never per request.
final class AddressGuard: @unchecked Sendable {
    /// What STATS shows.
    struct Counts: Sendable {
        var tracked = 0
        var refusedPerAddress = 0
        var refusedRate = 0
        /// Failed AUTHs on TCP and TLS, and those whose answer waited out a back-off.
        var authFailed = 0
        var authDelayed = 0
    }

    private struct Entry {
        var open = 0
        var failures = 0
        var lastFailure = -Double.infinity
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var counts = Counts()
    private var bucket = 0.0
    private var bucketTime = -Double.infinity

    /// Admits a new connection from `address` or says why not (and counts the refusal).
    func admit(_ address: String, now: Double, settings: Configuration.Server) -> String? {
        lock.lock()
        defer { lock.unlock() }
        let rate = Double(settings.maxNewConnectionsPerSecond)
        bucket = min(rate, bucket + (now - bucketTime) * rate)
        bucketTime = now
        guard bucket >= 1 else {
            counts.refusedRate += 1
            return "server.max_new_conns_per_s (\(settings.maxNewConnectionsPerSecond)) reached; try again in a second"
        }
        var entry = entries[address] ?? Entry()
        guard entry.open < settings.maxConnectionsPerAddress else {
            counts.refusedPerAddress += 1
            return "server.max_conns_per_ip (\(settings.maxConnectionsPerAddress)) connections from \(address) are open"
        }
        bucket -= 1
        entry.open += 1
        entries[address] = entry
        return nil
    }

    func release(_ address: String, now: Double) {
        lock.lock()
        defer { lock.unlock() }
        guard var entry = entries[address] else { return }
        entry.open -= 1
        entries[address] = entry.open <= 0 && entry.failures == 0 ? nil : entry
    }

    /// A failed AUTH from `address`: remembered, and returns how long its answer waits —
    /// nothing for the first, then `auth_backoff_s × 2^(earlier failures − 1)`, at most
    /// `auth_backoff_max_s`.
    func authFailed(_ address: String, now: Double, settings: Configuration.Server) -> Double {
        lock.lock()
        defer { lock.unlock() }
        var entry = entries[address] ?? Entry()
        if now - entry.lastFailure > settings.authBackoffMaxSeconds { entry.failures = 0 }
        let earlier = entry.failures
        entry.failures += 1
        entry.lastFailure = now
        entries[address] = entry
        counts.authFailed += 1
        guard earlier > 0 else { return 0 }
        counts.authDelayed += 1
        return min(settings.authBackoffMaxSeconds, settings.authBackoffSeconds * pow(2, Double(min(earlier - 1, 30))))
    }

    /// Forgets addresses with nothing open whose failures are old enough to forget (the
    /// engine's timer calls it).
    func sweep(now: Double, settings: Configuration.Server) {
        lock.lock()
        defer { lock.unlock() }
        entries = entries.filter { $0.value.open > 0 || now - $0.value.lastFailure <= settings.authBackoffMaxSeconds }
    }

    var current: Counts {
        lock.lock()
        defer { lock.unlock() }
        var snapshot = counts
        snapshot.tracked = entries.count
        return snapshot
    }
}
