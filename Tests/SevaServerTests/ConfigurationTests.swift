import Foundation
import SevaCore
import Testing
@testable import SevaServer

@Suite struct ConfigurationTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func load(_ text: String, _ overrides: [(key: String, value: String)] = []) -> Result<Configuration, ConfigurationLoader.Failure> {
        ConfigurationLoader.load(contents: text, overrides: overrides)
    }

    func problems(_ text: String, _ overrides: [(key: String, value: String)] = []) -> [String] {
        guard case .failure(let failure) = load(text, overrides) else { return [] }
        return failure.problems.map(\.description)
    }

    @Test func defaultsAreTheContractsValues() {
        let configuration = Configuration()
        #expect(configuration.server.tcp == ["127.0.0.1:7878"])
        #expect(configuration.server.unixSocket == "sevad.sock")
        #expect(configuration.server.maxConnections == 10_000 && configuration.server.maxLineBytes == 4_096)
        #expect(configuration.server.outputBufferBytes == 1_048_576 && configuration.server.idleTimeoutSeconds == 300)
        #expect(configuration.server.maxPingsPerSecond == 20 && configuration.server.authFailures == 3)
        #expect(configuration.store.synchronous == .full && configuration.store.commitBatchMax == 1_024)
        #expect(configuration.store.queueMax == 100_000 && configuration.store.locationHistoryDays == 7)
        #expect(configuration.dispatch.policy == .fairShare && configuration.dispatch.accept == .offer)
        #expect(configuration.dispatch.radiiKm == [2, 5, 10, 25] && configuration.dispatch.maxOffers == 5)
        #expect(configuration.dispatch.offerTimeoutSeconds == 30 && configuration.dispatch.staleAfterSeconds == 120)
        #expect(configuration.dispatch.maxSpeedKmh == 150 && configuration.dispatch.arriveRadiusMetres == 100)
        #expect(configuration.dispatch.leadSeconds == 1_800 && configuration.dispatch.minRatings == 5)
        #expect(configuration.skills.count == 12 && configuration.rates == ["electrician": 200, "plumber": 200])
        #expect(configuration.logLevel == .info && configuration.metricsListen.isEmpty && !configuration.allowStall)
    }

    @Test func protectedModeRefusesPlainTextOnAPublicAddress() throws {
        for address in ["0.0.0.0:7878", "[::]:7878", "10.1.2.3:7878", "sevad.example.in:7878"] {
            guard case .failure(let failure) = ConfigurationLoader.load(contents: "[server]\ntcp = [\"\(address)\"]\n") else {
                Issue.record("\(address) was accepted without server.allow_plaintext_public")
                continue
            }
            #expect(failure.problems.map(\.key) == ["server.tcp"])
            #expect(failure.description.contains("not a loopback address") && failure.description.contains("server.tls")
                    && failure.description.contains("allow_plaintext_public = true"))
        }
        for address in ["127.0.0.1:7878", "127.8.9.10:1", "[::1]:7878", "localhost:7878"] {
            #expect(throws: Never.self, "\(address)") { try ConfigurationLoader.load(contents: "[server]\ntcp = [\"\(address)\"]\n").get() }
        }
        let allowed = try ConfigurationLoader.load(contents: "[server]\ntcp = [\"0.0.0.0:7878\"]\nallow_plaintext_public = true\n").get()
        #expect(allowed.server.tcp == ["0.0.0.0:7878"] && allowed.server.allowPlaintextPublic)
        let flags = ConfigurationLoader.load(path: nil, overrides: [("server.tcp", "[\"0.0.0.0:7878\"]")])
        #expect(throws: ConfigurationLoader.Failure.self) { try flags.get() }
    }

    @Test func valuesAreReadAndTyped() throws {
        let configuration = try load("""
            [server]
            tcp = ["0.0.0.0:7878", "[::1]:7879"]
            allow_plaintext_public = true
            max_connections = 500
            idle_timeout_s = 90
            [store]
            synchronous = "normal"
            [dispatch]
            policy = "nearest"
            offer_timeout_s = 12.5
            radii_km = [1, 3.5]
            [skills]
            catalogue = ["cook", "driver"]
            [rates]
            cook = 150
            [districts]
            agra = [27.1767, 78.0081]
            [log]
            level = "debug"
            [debug]
            allow_stall = true
            """).get()
        #expect(configuration.server.tcp == ["0.0.0.0:7878", "[::1]:7879"])
        #expect(configuration.server.maxConnections == 500 && configuration.server.idleTimeoutSeconds == 90)
        #expect(configuration.store.synchronous == .normal)
        #expect(configuration.dispatch.policy == .nearest && configuration.dispatch.offerTimeoutSeconds == 12.5)
        #expect(configuration.dispatch.radiiKm == [1, 3.5])
        #expect(configuration.skills == ["cook", "driver"])
        #expect(configuration.rates == ["cook": 150], "a file's [rates] replaces the defaults")
        #expect(configuration.districts == ["agra": try GeoPoint(latitude: 27.1767, longitude: 78.0081)])
        #expect(configuration.logLevel == .debug && configuration.allowStall)
    }

    @Test func overridesWinAndAreTyped() throws {
        let configuration = try load("[server]\nmax_connections = 500\n", [
            ("server.max_connections", "700"), ("store.path", "/tmp/x.db"), ("dispatch.radii_km", "[3, 6]"),
            ("debug.allow_stall", "true"), ("rates.cook", "90"),
        ]).get()
        #expect(configuration.server.maxConnections == 700)
        #expect(configuration.store.path == "/tmp/x.db")
        #expect(configuration.dispatch.radiiKm == [3, 6])
        #expect(configuration.allowStall)
        #expect(configuration.rates == ["electrician": 200, "plumber": 200, "cook": 90], "overrides add to the tables")
    }

    @Test(arguments: [
        ("[server]\nmax_conections = 5", "server.max_conections: unknown key; [server] takes tcp"),
        ("[serverz]\nx = 1", "unknown section [serverz]"),
        ("[server]\nmax_connections = \"many\"", "server.max_connections: must be an integer, not a string"),
        ("[server]\nmax_connections = 0", "server.max_connections: must be within 1...1000000"),
        ("[server]\ntcp = \"127.0.0.1:7878\"", "server.tcp: must be a list of strings"),
        ("[server]\ntcp = [\"localhost\"]", "'localhost' is not host:port"),
        ("[server]\ntcp = []\nunix_socket = \"\"", "no listener"),
        ("[server]\noutput_buffer_bytes = 1048576\noutput_hard_bytes = 1048576",
         "server.output_hard_bytes: must be at least twice server.output_buffer_bytes"),
        ("[server]\noutput_stall_s = 0", "server.output_stall_s: must be within 0.1...86400.0"),
        ("[privacy]\nbooker_grid_m = 100", "privacy.booker_grid_m: must be within 500.0...100000.0"),
        ("[store]\nsynchronous = \"off\"", "store.synchronous: must be one of \"full\", \"normal\""),
        ("[store]\ncommit_batch_max = 5000\nqueue_max = 100", "must not exceed store.queue_max"),
        ("[dispatch]\nradii_km = [5, 2]", "radii must be increasing"),
        ("[dispatch]\ntimezone = \"IST\"", "dispatch.timezone: must be an IANA time zone name"),
        ("[dispatch]\ntimezone = \"Mars/Olympus_Mons\"", "dispatch.timezone: must be an IANA time zone name"),
        ("[dispatch]\nmin_rating = 6", "dispatch.min_rating: must be within 0.0...5.0"),
        ("[dispatch]\noffer_timeout_s = nan", "dispatch.offer_timeout_s: must be a number"),
        ("[skills]\ncatalogue = [\"Plumber\"]", "skills are lower-case names"),
        ("[skills]\ncatalogue = [\"cook\", \"cook\"]", "cook is listed twice"),
        ("[rates]\nwizard = 100", "rates.wizard: wizard is not in skills.catalogue"),
        ("[rates]\ncook = -1", "rates.cook: must be a whole number of rupees"),
        ("[districts]\nagra = [95, 78]", "districts.agra: must be [latitude, longitude]"),
        ("[log]\nlevel = \"loud\"", "log.level: must be one of"),
        ("[debug]\nallow_stall = \"yes\"", "debug.allow_stall: must be true or false"),
        ("server = 5", "server: expected a [server] table"),
        ("[server\nx=1", "configuration:1:"),
    ])
    func problemsNameTheirKey(_ text: String, _ expected: String) {
        let found = problems(text)
        #expect(found.contains { $0.contains(expected) }, "\(text.debugDescription) gave \(found)")
    }

    /// "Today" is `dispatch.timezone`'s calendar day, whatever the host's zone: a UTC server's
    /// day must not start at 05:30 in India (issue 15).
    @Test func todayIsTheConfiguredZonesDayNotTheHosts() throws {
        setenv("TZ", "UTC", 1)
        defer { unsetenv("TZ") }
        let configuration = Configuration()
        #expect(configuration.dispatch.timezone == "Asia/Kolkata")
        let now = 1_796_220_000.0
        #expect(Engine.dispatchRules(configuration.dispatch, now: now).dayOffsetSeconds == 19_800)
        // 00:10 IST on 2 Dec 2026 is 18:40 UTC on 1 Dec: the Indian day began ten minutes ago.
        let midnightIST = 1_796_149_800.0
        #expect(Engine.dayStart(now: midnightIST + 600, offsetSeconds: 19_800) == midnightIST)
        var london = Configuration.Dispatch()
        london.timezone = "Europe/London"
        #expect(london.dayOffsetSeconds(at: 1_783_000_000) == 3_600, "summer time")
        #expect(london.dayOffsetSeconds(at: 1_796_220_000) == 0)
        let loaded = try ConfigurationLoader.load(contents: "[dispatch]\ntimezone = \"Asia/Dhaka\"\n").get()
        #expect(loaded.dispatch.dayOffsetSeconds(at: now) == 21_600)
    }

    @Test func everyProblemIsReportedAtOnce() {
        #expect(problems("[server]\nmax_connections = 0\nauth_failures = 0\n[store]\nqueue_max = 0").count == 3)
    }

    @Test func storeSettingsResolveUnderTheStateDirectory() {
        var configuration = Configuration()
        configuration.store.synchronous = .normal
        let paths = RuntimePaths(environment: ["STATE_DIRECTORY": "/var/lib/sevad"], workingDirectory: "/")
        let store = configuration.storeConfiguration(paths: paths)
        #expect(store.path == "/var/lib/sevad/sevad.db" && store.synchronous == .normal)
        #expect(store.commitBatchMax == 1_024 && store.walAutocheckpointPages == 16_384)
    }
}

/// The real `sevad` binary's --check-config.
@Suite struct CheckConfigTests {
    var sevad: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("sevad").path
    }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let run = try ToolRun(sevad, arguments, mergingErrors: true, directory: NSTemporaryDirectory())
        let status = run.wait()
        return (status, run.output)
    }

    @Test func theShippedFileIsValid() throws {
        let path = ConfigurationTests.repository.appendingPathComponent("etc/sevad.toml").path
        let (status, output) = try run(["--config", path, "--check-config"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("is valid"))
    }

    @Test func aBadFileOrOverrideFailsWithEveryProblem() throws {
        let file = NSTemporaryDirectory() + "sevad-bad-\(getpid()).toml"
        try "[server]\nmax_connections = -3\n[bogus]\nx = 1\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        let (status, output) = try run(["--config", file, "--check-config", "--store.queue_max=0"])
        #expect(status == 1)
        #expect(output.contains("server.max_connections") && output.contains("unknown section [bogus]")
            && output.contains("store.queue_max"), "\(output)")
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try run(["--frobnicate"]).status == 2)
        #expect(try run(["--config"]).status == 2)
        let (status, output) = try run(["--help"])
        #expect(status == 0 && output.contains("--check-config"))
    }
}
