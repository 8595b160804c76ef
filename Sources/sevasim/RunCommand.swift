import ArgumentParser
import Foundation

/// `sevasim [run]`: one simulation, or one per policy with `--compare`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Simulate a district against sevad and report how dispatch went (the default).",
        discussion: """
            Time: bookings arrive for --duration real seconds. Travel, visits and breaks run \
            --time-scale times faster than real time (60: a real second is a simulated minute); \
            people answer offers within 1-5 real seconds, because sevad's offer timeout is real. \
            The sevad sevasim starts gets dispatch.max_speed_kmh, speed_kmh and lead_s scaled to \
            match (see the sevad.toml it writes in the run's state directory).
            """)

    @Option(name: [.customLong("district"), .customLong("city")],
            help: "Any district of India by name (India Post's directory; any case and spelling it knows).")
    var district = "Hathras"
    @Option(help: "The state, for a district name found in two states (default: Uttar Pradesh's).")
    var state: String?
    @Option(help: "Simulated workers (default: \(District.workersPerOffice) per post office of the district; 2,000 for Hathras).")
    var workers: Int?
    @Option(help: "Real seconds of bookings.")
    var duration = 60.0
    @Option(help: "Seed: the same seed gives the same workers, positions and bookings.")
    var seed: UInt64 = 1
    @Option(help: "Simulated seconds per real second for travel, visits and breaks.")
    var timeScale = 60.0
    @Option(help: "Share of the dispatchable workforce's time the demand keeps busy.")
    var utilisation = 0.7
    @Option(help: "Dispatch policy for the sevad sevasim starts: fair-share, nearest-fair or nearest; fair-share@<m> sets its weight (metres per job).")
    var policy = "fair-share"
    @Option(help: ArgumentHelp("Run the same seed under each of these policies, restarting sevad for each: e.g. nearest,fair-share.",
                               discussion: "fair-share@<m> sets fair-share's weight, so nearest,fair-share@250,fair-share@500,fair-share@1000 draws the trade-off curve between pickup distance and the spread of work."))
    var compare: String?
    @Option(help: "dispatch.offer_timeout_s for the sevad sevasim starts (real seconds; people answer within 1-5 s).")
    var offerTimeout = 30.0
    @Option(name: .customLong("set"), help: "A configuration key for the sevad sevasim starts, as key=value (repeatable), e.g. --set dispatch.fair_band_ratio=2.")
    var settings: [String] = []
    @Option(help: ArgumentHelp("Windows, in real seconds, over which the report's offline optimum matches bookings together (comma-separated).",
                               discussion: "For each window the report adds the total pickup distance a minimum-cost matching of that window's bookings to the workers idle when each was booked would have achieved, next to the policy's for the same jobs."))
    var optimumWindows = "2,10"
    @Option(help: "Real seconds after the last booking to let open jobs settle.")
    var drain = 15.0
    @OptionGroup var target: DaemonOptions
    @Option(help: "Up to this many workers each get a phone connection with a worker token; more share gateway connections.")
    var phones = 200
    @Option(help: "Gateway connections when the workers do not get one each.")
    var gateways = 4
    @Flag(help: "Print the report as JSON instead of a table.")
    var json = false
    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        if case .failure(let problem) = District.named(district, state: state) { throw ValidationError("--district: \(problem)") }
        if let workers, !(1...1_000_000).contains(workers) { throw ValidationError("--workers must be 1…1000000") }
        guard duration > 0, timeScale >= 1, drain >= 0, offerTimeout > 0 else { throw ValidationError("--duration, --time-scale and --offer-timeout must be positive, --drain not negative") }
        guard utilisation > 0 && utilisation < 1.5 else { throw ValidationError("--utilisation must be in (0, 1.5)") }
        _ = try variants()
        for setting in settings where !setting.contains("=") || !setting.contains(".") {
            throw ValidationError("--set takes section.key=value, not '\(setting)'")
        }
        _ = try windows()
        if target.usesRunningSevad && compare != nil { throw ValidationError("--compare restarts sevad for each policy, so it cannot use --socket or --host") }
    }

    /// A path as the user would type it: relative when it is under the working directory.
    static func shown(_ path: String) -> String {
        let here = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(here) ? String(path.dropFirst(here.count)) : path
    }

    func windows() throws -> [Double] {
        try optimumWindows.split(separator: ",").map { text in
            guard let seconds = Double(text.trimmingCharacters(in: .whitespaces)), seconds > 0 else {
                throw ValidationError("--optimum-windows takes positive seconds separated by commas, not '\(optimumWindows)'")
            }
            return seconds
        }
    }

    func variants() throws -> [PolicyVariant] {
        let names = compare.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } } ?? [policy]
        return try names.map(PolicyVariant.init(parsing:))
    }

    func run() throws {
        let place = try District.named(district, state: state).get()
        var scenario = Scenario(district: place)
        scenario.workers = workers ?? place.defaultWorkers
        scenario.durationSeconds = duration
        scenario.timeScale = timeScale
        scenario.utilisation = utilisation
        scenario.offerTimeoutSeconds = offerTimeout
        let progress = Progress(quiet: quiet)
        let base = target.stateBase
        var results: [RunResult] = []
        var files: [String: String] = [:]
        let variants = try variants()
        for variant in variants {
            let name = variant.name
            let directory = base + "/" + name
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let daemon = try target.start(in: directory, policy: variant.policy, scenario: scenario, settings: settings + variant.settings)
            defer { daemon?.stop() }
            progress.begin(variants.count > 1 ? "\(name) " : "")
            if let daemon { progress.note("sevad (\(name)) on \(Self.shown(daemon.socketPath)), log \(Self.shown(daemon.logPath))") }
            let plan = SimulationPlan(scenario: scenario, seed: seed, leadSeconds: SimDaemon.leadSeconds(scenario))
            let simulation = try Simulation(endpoint: try target.endpoint(of: daemon), scenario: scenario, seed: seed, plan: plan,
                                            phones: scenario.workers <= phones, gateways: gateways)
            try simulation.prepare(progress: progress)
            let result = try simulation.run(policy: target.usesRunningSevad ? "running sevad" : name, drainSeconds: drain,
                                            optimumWindows: try windows(), progress: progress)
            if let daemon {
                let status = daemon.stop()
                if status != 0 { progress.note("sevad exited with status \(status); see \(daemon.logPath)") }
            }
            let map = directory + "/map.svg", chart = directory + "/time-to-assign.svg"
            try Pictures.map(result).write(toFile: map, atomically: true, encoding: .utf8)
            try Pictures.chart(result).write(toFile: chart, atomically: true, encoding: .utf8)
            files["\(name).map"] = map
            files["\(name).chart"] = chart
            results.append(result)
        }
        if json {
            print(Report.json(results, files: files))
        } else {
            print(Report.table(results), terminator: "")
            print()
            for name in variants.map(\.name) {
                let directory = Self.shown(base + "/" + name)
                print("\(name): map of the district \(directory)/map.svg, time to assign \(directory)/time-to-assign.svg"
                      + (!target.usesRunningSevad ? ", sevad's log \(directory)/sevad.log" : ""))
            }
        }
    }
}
