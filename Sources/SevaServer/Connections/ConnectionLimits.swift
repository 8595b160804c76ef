import Foundation

/// Counts client connections against `server.max_connections`, across all loops, with what
/// STATS reports of them: how many are open, were refused at the cap, had reading paused
/// (too far ahead of their replies, or their output backed up), and were closed for reading
/// nothing or for letting events pile up. `@unchecked Sendable`: guarded by `lock`.
final class ConnectionTally: @unchecked Sendable {
    /// A moment's counts.
    struct Counts {
        var open = 0
        var refused = 0
        var pausedReads = 0
        var pausedOutputs = 0
        var closedStalled = 0
        var closedOverHardLimit = 0
    }

    /// What happened to a connection that STATS counts.
    enum Event {
        /// More than `server.max_inflight` requests unanswered: reading paused.
        case pausedRead
        /// Output above `server.output_buffer_bytes`: reading paused until it drains.
        case pausedOutput
        /// Closed: read nothing for `server.output_stall_s`.
        case closedStalled
        /// Closed: pending bytes past `server.output_hard_bytes`.
        case closedOverHardLimit
    }

    private let lock = NSLock()
    private var counts = Counts()
    private var cap: Int

    init(limit: Int) { cap = limit }

    /// `server.max_connections` now (RELOAD may change it; open connections stay).
    var limit: Int {
        get { lock.lock(); defer { lock.unlock() }; return cap }
        set { lock.lock(); cap = newValue; lock.unlock() }
    }

    /// Takes a place, or returns false (and counts a refusal) when all are taken.
    func admit() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard counts.open < cap else {
            counts.refused += 1
            return false
        }
        counts.open += 1
        return true
    }

    func release() {
        lock.lock()
        counts.open -= 1
        lock.unlock()
    }

    func note(_ event: Event) {
        lock.lock()
        switch event {
        case .pausedRead: counts.pausedReads += 1
        case .pausedOutput: counts.pausedOutputs += 1
        case .closedStalled: counts.closedStalled += 1
        case .closedOverHardLimit: counts.closedOverHardLimit += 1
        }
        lock.unlock()
    }

    var current: Counts {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }
}

/// The `[server]` limits a new connection starts with, shared by every loop; RELOAD replaces
/// them (a connection keeps those it started with). `@unchecked Sendable`: guarded by `lock`.
final class LiveServerSettings: @unchecked Sendable {
    private let lock = NSLock()
    private var settings: Configuration.Server

    init(_ settings: Configuration.Server) { self.settings = settings }

    var current: Configuration.Server {
        get { lock.lock(); defer { lock.unlock() }; return settings }
        set { lock.lock(); settings = newValue; lock.unlock() }
    }
}

/// `server.max_pings_per_s` for one worker-role connection: a bucket of that many pings,
/// refilled continuously. Times are monotonic seconds.
struct PingBudget {
    let perSecond: Double
    private var tokens: Double
    private var last: Double

    init(perSecond: Int, now: Double) {
        self.perSecond = Double(perSecond)
        tokens = Double(perSecond)
        last = now
    }

    /// The clock connections measure their rates and stalls by: monotonic seconds.
    static var monotonicSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Spends one ping at `now`; false when the connection is over its rate.
    mutating func spend(now: Double) -> Bool {
        tokens = min(perSecond, tokens + max(0, now - last) * perSecond)
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
