import Foundation

/// Counts open client connections against `server.max_connections`, across all loops.
/// `@unchecked Sendable`: `open` is guarded by `lock`.
final class ConnectionCount: @unchecked Sendable {
    private let lock = NSLock()
    private var open = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Takes a place, or returns false when all are taken.
    func admit() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard open < limit else { return false }
        open += 1
        return true
    }

    func release() {
        lock.lock()
        open -= 1
        lock.unlock()
    }
}

/// `server.max_pings_per_s` for one worker-role connection: a bucket of that many pings,
/// refilled continuously.
struct PingBudget {
    let perSecond: Double
    private var tokens: Double
    private var last: UInt64

    init(perSecond: Int) {
        self.perSecond = Double(perSecond)
        tokens = Double(perSecond)
        last = DispatchTime.now().uptimeNanoseconds
    }

    /// Spends one ping; false when the connection is over its rate.
    mutating func spend() -> Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        tokens = min(perSecond, tokens + Double(now - last) / 1e9 * perSecond)
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
