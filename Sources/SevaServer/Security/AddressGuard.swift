import Foundation

/// Limits by remote address on the TCP and TLS listeners (never the admin Unix socket):
/// connections open per address (`server.max_conns_per_ip`), new connections per second over
/// all addresses (`server.max_new_conns_per_s`), and an exponential, bounded back-off after
/// failed AUTHs from an address (`server.auth_backoff_s` doubling up to `auth_backoff_max_s`).
/// All in memory; an address with nothing open and no back-off left is forgotten.
/// `@unchecked Sendable`: every field is guarded by `lock`; it is touched per connection and
/// per AUTH, never per request.
final class AddressGuard: @unchecked Sendable {
    /// What STATS shows.
    struct Counts: Sendable {
        var tracked = 0
        var refusedPerAddress = 0
        var refusedRate = 0
        var authBackoffRefusals = 0
    }

    private struct Entry {
        var open = 0
        var failures = 0
        var blockedUntil = 0.0
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
        entries[address] = entry.open <= 0 && entry.blockedUntil <= now ? nil : entry
    }

    /// Seconds `address` must wait before its next AUTH is looked at, or nil when it may AUTH now.
    func authWait(_ address: String, now: Double) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = entries[address], entry.blockedUntil > now else { return nil }
        counts.authBackoffRefusals += 1
        return entry.blockedUntil - now
    }

    /// A failed AUTH: the address waits `auth_backoff_s × 2^(failures − 1)`, at most `auth_backoff_max_s`.
    func authFailed(_ address: String, now: Double, settings: Configuration.Server) {
        lock.lock()
        defer { lock.unlock() }
        var entry = entries[address] ?? Entry()
        entry.failures += 1
        let wait = settings.authBackoffSeconds * pow(2, Double(min(entry.failures - 1, 30)))
        entry.blockedUntil = now + min(settings.authBackoffMaxSeconds, wait)
        entries[address] = entry
    }

    func authSucceeded(_ address: String) {
        lock.lock()
        defer { lock.unlock() }
        entries[address]?.failures = 0
        entries[address]?.blockedUntil = 0
    }

    /// Forgets addresses with nothing open whose back-off has run out (the engine's timer calls it).
    func sweep(now: Double) {
        lock.lock()
        defer { lock.unlock() }
        entries = entries.filter { $0.value.open > 0 || $0.value.blockedUntil > now }
    }

    var current: Counts {
        lock.lock()
        defer { lock.unlock() }
        var snapshot = counts
        snapshot.tracked = entries.count
        return snapshot
    }
}
