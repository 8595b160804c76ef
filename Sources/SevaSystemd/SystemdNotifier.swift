import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// Tells the service manager how the daemon is (`sd_notify`): ready, reloading, stopping,
/// a status line, the watchdog's keep-alive, more time for a long start. Every call is a
/// no-op outside systemd (no `NOTIFY_SOCKET`).
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Sends newline-separated `KEY=value` assignments, e.g. `READY=1` or `STATUS=…`.
    /// Returns true when a service manager received them, false when none is listening.
    @discardableResult
    public func notify(_ assignments: String) -> Bool {
        sd_notify(0, assignments) > 0
    }

    /// Start-up is done: the store is loaded and the listeners are up.
    @discardableResult
    public func ready(status: String) -> Bool { notify("READY=1\nSTATUS=\(Self.oneLine(status))") }

    @discardableResult
    public func status(_ text: String) -> Bool { notify("STATUS=\(Self.oneLine(text))") }

    /// A reload begins; `READY=1` ends it.
    @discardableResult
    public func reloading() -> Bool { notify("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())") }

    @discardableResult
    public func stopping(status: String) -> Bool { notify("STOPPING=1\nSTATUS=\(Self.oneLine(status))") }

    /// The keep-alive: the service manager kills a daemon that stops sending it.
    @discardableResult
    public func watchdog() -> Bool { notify("WATCHDOG=1") }

    /// Asks for `seconds` more before the start (or stop) counts as timed out.
    @discardableResult
    public func extendTimeout(seconds: Double, status: String) -> Bool {
        notify("EXTEND_TIMEOUT_USEC=\(UInt64(seconds * 1e6))\nSTATUS=\(Self.oneLine(status))")
    }

    /// The watchdog interval the service manager expects pings within, when it set one for
    /// this process (`WatchdogSec=`); nil otherwise.
    public func watchdogInterval() -> Double? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return Double(microseconds) / 1e6
    }

    /// Whether a service manager is listening at all.
    public var isSupervised: Bool { getenv("NOTIFY_SOCKET") != nil }

    static func monotonicMicroseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000 + UInt64(spec.tv_nsec) / 1_000
    }

    /// Status text cannot carry a newline (it would start another assignment).
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }
}
