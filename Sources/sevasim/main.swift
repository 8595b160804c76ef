import ArgumentParser
import Foundation

/// `sevasim`: the district simulator (the default subcommand) and the load generator (`bench`).
struct SevaSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sevasim",
        abstract: "The sevad district simulator and load generator.",
        discussion: """
            sevasim simulates a district of India — any of them, on its real ground: homes and \
            households around India Post's offices there — against a real sevad over the \
            line protocol and reports how dispatch went: fill rate, time to assign, pickup \
            distance, offers per job, fairness (Gini of jobs per worker), idle time, LOC/s and \
            command latency — as a table, as JSON (--json) and as an SVG map and chart.

            By default it starts its own sevad for each run (fresh state under --state-dir, the \
            Unix socket only) and stops it cleanly at the end; --compare runs the same seed under \
            each policy. `sevasim bench` is the pure load mode. --socket PATH or --host \
            HOST:PORT --token T drive a sevad already running; given both addresses of an \
            active/standby pair, it uses the one that answers as active.

            Examples:
              sevasim                                  60 s around Hathras, 2,000 workers
              sevasim --compare nearest,nearest-fair   the same seed under both policies
              sevasim --district lucknow --workers 500 --duration 30 --json
              sevasim --district "Kamrup Metro"        any district of India
              sevasim bench --connections 4 --pipeline 64 --duration 10
              sevasim --host 10.0.0.1:7878,10.0.0.2:7878 --token "$TOKEN"
            """,
        subcommands: [RunCommand.self, BenchCommand.self],
        defaultSubcommand: RunCommand.self)
}

// Usage errors exit 2, like sevactl (ArgumentParser's own code would be 64); a run that
// cannot go on exits 1 with what stopped it.
do {
    var command = try SevaSim.parseAsRoot()
    try command.run()
} catch {
    if SevaSim.exitCode(for: error) == .validationFailure {
        FileHandle.standardError.write(Data((SevaSim.fullMessage(for: error) + "\n").utf8))
        exit(2)
    }
    if let failure = error as? SimulationError {
        FileHandle.standardError.write(Data("sevasim: \(failure)\n".utf8))
        exit(1)
    }
    SevaSim.exit(withError: error)
}
