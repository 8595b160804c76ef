import Dispatch

/// How long each phase of a start or a stop took, for its log line: where a slow restart of a
/// national register spends its seconds (`loaded … (store read 0.61 s, live state built 0.32 s)`).
final class PhaseTimer {
    private var last = DispatchTime.now().uptimeNanoseconds
    private var phases: [(name: String, seconds: Double)] = []

    /// The phase `name` ended now.
    func mark(_ name: String) {
        let now = DispatchTime.now().uptimeNanoseconds
        phases.append((name, Double(now - last) / 1e9))
        last = now
    }

    var summary: String {
        phases.map { "\($0.name) \(($0.seconds * 100).rounded() / 100) s" }.joined(separator: ", ")
    }
}
