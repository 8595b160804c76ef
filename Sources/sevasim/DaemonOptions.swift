import ArgumentParser
import Foundation

/// Which sevad a command drives: one it starts under `--state-dir` (the default), or one
/// already listening on `--socket`.
struct DaemonOptions: ParsableArguments {
    @Option(help: "Use the sevad already listening on this Unix socket (admin) instead of starting one; give it the keys a run's sevad.toml shows (the clock-scaled dispatch keys) for sensible figures.")
    var socket: String?
    @Option(help: "The sevad binary to start (default: next to sevasim, then PATH).")
    var sevad: String?
    @Option(help: "Where the sevads sevasim starts keep their state, logs and pictures.")
    var stateDir = "var/sim"

    /// `--state-dir` as an absolute path.
    var stateBase: String { URL(fileURLWithPath: stateDir).standardizedFileURL.path }

    /// A fresh sevad in `directory`, or nil when `--socket` names one already running.
    func start(in directory: String, policy: String, scenario: Scenario, settings: [String] = []) throws -> SimDaemon? {
        guard socket == nil else { return nil }
        return try SimDaemon(binary: sevad ?? SimDaemon.defaultBinary, directory: directory, policy: policy, scenario: scenario,
                             settings: settings)
    }
}
