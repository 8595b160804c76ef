#if canImport(Glibc)
import Glibc
#endif

/// The progress line on stderr: rewritten in place on a terminal, a line every ten seconds
/// otherwise (CI logs, pipes); silent with `--quiet`.
final class Progress {
    private let quiet: Bool
    private let terminal = isatty(2) != 0
    private var lastLine = -10.0
    private var label = ""

    init(quiet: Bool) { self.quiet = quiet }

    func begin(_ label: String) { self.label = label }

    func note(_ text: String) { emit("sevasim: \(text)\n") }

    func update(_ simulation: Simulation, elapsed: Double) {
        guard terminal || elapsed - lastLine >= 10 else { return }
        lastLine = elapsed
        emit((terminal ? "\r\u{1B}[K" : "") + line(simulation, elapsed: elapsed) + (terminal ? "" : "\n"))
    }

    func finish(_ simulation: Simulation, elapsed: Double) {
        emit((terminal ? "\r\u{1B}[K" : "") + line(simulation, elapsed: elapsed) + " · done\n")
    }

    private func line(_ simulation: Simulation, elapsed: Double) -> String {
        var busy = 0, idle = 0, away = 0
        for agent in simulation.agents {
            switch agent.activity {
            case .idle, .considering: idle += 1
            case .onBreak, .offDuty: away += 1
            default: busy += 1
            }
        }
        let ledger = simulation.ledger
        let duration = simulation.scenario.durationSeconds
        let clock = elapsed <= duration ? "\(Int(elapsed)) / \(Int(duration)) s" : "settling +\(Int(elapsed - duration)) s"
        return "\(label)[\(clock)] \(simulation.bookingsSent) booked · "
            + "\(ledger.count { $0.wasAssigned }) assigned · \(ledger.count { $0.state == "completed" }) completed · "
            + "\(ledger.count { $0.state == "unfilled" }) unfilled · workers \(busy) busy, \(idle) free, \(away) away · "
            + "\(Int(Double(simulation.pingsSent) / max(1, elapsed))) LOC/s"
    }

    private func emit(_ text: String) {
        guard !quiet else { return }
        _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }
}
