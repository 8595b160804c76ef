import CSystemd

/// Sends state changes to the service manager (`sd_notify`); a no-op outside systemd.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Sends newline-separated `KEY=value` assignments, e.g. `READY=1` or `STATUS=…`.
    /// Returns true when a service manager received them, false when none is listening.
    @discardableResult
    public func notify(_ assignments: String) -> Bool {
        sd_notify(0, assignments) > 0
    }
}
