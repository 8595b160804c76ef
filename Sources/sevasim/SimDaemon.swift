import Foundation
import SevaClient
import SevaWire

/// A sevad the simulator starts for one run: a fresh state directory, the built-in defaults
/// except for the few keys the compressed clock needs (written to `sevad.toml` there, so the
/// operator can see them), the Unix socket only; stopped with SIGTERM.
final class SimDaemon {
    let directory: String
    let process = Process()
    var socketPath: String { directory + "/sevad.sock" }
    var logPath: String { directory + "/sevad.log" }

    /// The configuration a simulation needs on top of the defaults. Travel and work run
    /// `timeScale` times faster than real time, so the speed that marks a fix as spoofed, the
    /// speed of the naive ETA and the lead time of scheduled jobs are scaled with it; offer
    /// timeouts stay real, because people answer in real time.
    static func configuration(directory: String, policy: String, scenario: Scenario) -> String {
        let scale = scenario.timeScale
        return """
            # Written by sevasim for one simulation run: sevad's built-in defaults except these keys.
            [server]
            tcp = []
            unix_socket = "\(directory)/sevad.sock"

            [store]
            path = "\(directory)/sevad.db"

            [dispatch]
            policy = "\(policy)"
            offer_timeout_s = \(JSONWriter.decimal(scenario.offerTimeoutSeconds, places: 2))
            max_speed_kmh = \(JSONWriter.decimal(150 * scale, places: 0))   # 150 km/h at \(Int(scale))x simulated time
            speed_kmh = \(JSONWriter.decimal(20 * scale, places: 0))
            lead_s = \(JSONWriter.decimal(leadSeconds(scenario), places: 2))

            """
    }

    /// `dispatch.lead_s` on the simulated clock: the default half hour.
    static func leadSeconds(_ scenario: Scenario) -> Double { 1_800 / scenario.timeScale }

    /// `settings` are extra `key=value` configuration keys, passed to sevad as flags.
    init(binary: String, directory: String, policy: String, scenario: Scenario, settings: [String] = []) throws {
        self.directory = directory
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in ["sevad.db", "sevad.db-wal", "sevad.db-shm", "sevad.sock"] { try? files.removeItem(atPath: directory + "/" + name) }
        let config = directory + "/sevad.toml"
        try Self.configuration(directory: directory, policy: policy, scenario: scenario).write(toFile: config, atomically: true, encoding: .utf8)
        guard files.isExecutableFile(atPath: binary) else {
            throw SimulationError("no sevad at \(binary): build it (make release) or name it with --sevad PATH")
        }
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--config", config] + settings.map { "--" + $0 }
        var environment = ProcessInfo.processInfo.environment
        for name in ["JOURNAL_STREAM", "NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "WATCHDOG_USEC"] {
            environment[name] = nil
        }
        process.environment = environment
        guard files.createFile(atPath: logPath, contents: nil) else { throw SimulationError("cannot write \(logPath)") }
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date(timeIntervalSinceNow: 60)
        while Date() < deadline {
            if !process.isRunning { throw SimulationError("sevad exited at start (status \(process.terminationStatus)):\n\(logTail())") }
            if let descriptor = try? SocketConnect.unix(path: socketPath) {
                close(descriptor)
                return
            }
            usleep(50_000)
        }
        stop()
        throw SimulationError("sevad did not open \(socketPath) within 60 s:\n\(logTail())")
    }

    func logTail() -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(12).joined(separator: "\n")
    }

    /// SIGTERM, then the exit status (SIGKILL after 30 s).
    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        let deadline = Date(timeIntervalSinceNow: 30)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// sevad next to this executable (as `make` builds them), else on PATH.
    static var defaultBinary: String {
        let sibling = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("sevad").path
        if FileManager.default.isExecutableFile(atPath: sibling) { return sibling }
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/sevad"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return sibling
    }
}
