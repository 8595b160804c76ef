import Foundation
import SevaCore

/// Every configuration key in one table (after Redis's `standardConfig`): the dotted name,
/// what it accepts, whether a reload may change it, and where it lands. Parsing, validation,
/// `--check-config` and command-line overrides are all driven by this table.
struct ConfigurationKey: Sendable {
    let name: String
    /// True when SIGHUP/RELOAD may change it while running.
    let reloadable: Bool
    let apply: @Sendable (inout Configuration, ConfigurationValue) throws(ConfigurationProblem) -> Void
}

/// One thing wrong with a configuration, naming the key.
public struct ConfigurationProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let key: String
    public let message: String

    public init(_ key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.isEmpty ? message : "\(key): \(message)" }
}

enum ConfigurationKeys {
    /// Sections whose keys are fixed by the table (the others, `rates` and `districts`, take
    /// one key per skill or district).
    static let fixedSections = ["server", "store", "dispatch", "privacy", "skills", "log", "metrics", "debug"]

    static let all: [ConfigurationKey] = [
        strings("server.tcp", reloadable: false) { $0.server.tcp = $1 },
        text("server.unix_socket", reloadable: false) { $0.server.unixSocket = $1 },
        text("server.admin_group", reloadable: false) { $0.server.adminGroup = $1 },
        integer("server.max_connections", 1...1_000_000) { $0.server.maxConnections = $1 },
        integer("server.max_line_bytes", 64...1_048_576) { $0.server.maxLineBytes = $1 },
        integer("server.output_buffer_bytes", 4_096...1_073_741_824) { $0.server.outputBufferBytes = $1 },
        number("server.output_stall_s", 0.1...86_400) { $0.server.outputStallSeconds = $1 },
        integer("server.output_hard_bytes", 65_536...68_719_476_736) { $0.server.outputHardBytes = $1 },
        number("server.idle_timeout_s", 1...86_400) { $0.server.idleTimeoutSeconds = $1 },
        integer("server.max_pings_per_s", 1...10_000) { $0.server.maxPingsPerSecond = $1 },
        integer("server.auth_failures", 1...100) { $0.server.authFailures = $1 },
        integer("server.max_inflight", 1...1_000_000) { $0.server.maxInFlight = $1 },
        integer("server.max_conns_per_ip", 1...1_000_000) { $0.server.maxConnectionsPerAddress = $1 },
        integer("server.max_new_conns_per_s", 1...1_000_000) { $0.server.maxNewConnectionsPerSecond = $1 },
        number("server.auth_backoff_s", 0...3_600) { $0.server.authBackoffSeconds = $1 },
        number("server.auth_backoff_max_s", 0...86_400) { $0.server.authBackoffMaxSeconds = $1 },
        number("server.token_rotate_grace_s", 0...31_536_000) { $0.server.tokenRotateGraceSeconds = $1 },
        flag("server.allow_plaintext_public", reloadable: false) { $0.server.allowPlaintextPublic = $1 },
        strings("server.tls", reloadable: false) { $0.server.tls = $1 },
        text("server.tls_cert") { $0.server.tlsCert = $1 },
        text("server.tls_key") { $0.server.tlsKey = $1 },
        text("server.tls_client_ca") { $0.server.tlsClientCA = $1 },

        text("store.path", reloadable: false) { $0.store.path = $1 },
        choice("store.synchronous", reloadable: false) { $0.store.synchronous = $1 },
        integer("store.commit_batch_max", 1...65_536, reloadable: false) { $0.store.commitBatchMax = $1 },
        integer("store.queue_max", 1...10_000_000, reloadable: false) { $0.store.queueMax = $1 },
        integer("store.location_history_days", 0...3_650, reloadable: false) { $0.store.locationHistoryDays = $1 },
        integer("store.cache_size_kib", 64...16_777_216, reloadable: false) { $0.store.cacheSizeKiB = $1 },
        integer("store.busy_timeout_ms", 0...600_000, reloadable: false) { $0.store.busyTimeoutMs = $1 },
        integer("store.wal_autocheckpoint", 0...10_000_000, reloadable: false) { $0.store.walAutocheckpointPages = $1 },
        number("store.probe_interval_s", 0.01...3_600, reloadable: false) { $0.store.probeIntervalSeconds = $1 },
        number("store.maintenance_interval_s", 1...604_800, reloadable: false) { $0.store.maintenanceIntervalSeconds = $1 },
        number("store.position_snapshot_s", 0.1...86_400, reloadable: false) { $0.store.positionSnapshotSeconds = $1 },

        timeZone("dispatch.timezone") { $0.dispatch.timezone = $1 },
        choice("dispatch.policy") { $0.dispatch.policy = $1 },
        number("dispatch.fair_band_ratio", 1...10) { $0.dispatch.fairBandRatio = $1 },
        number("dispatch.fair_band_m", 0...100_000) { $0.dispatch.fairBandMetres = $1 },
        choice("dispatch.accept") { $0.dispatch.accept = $1 },
        number("dispatch.offer_timeout_s", 0.001...3_600) { $0.dispatch.offerTimeoutSeconds = $1 },
        integer("dispatch.max_offers", 1...100) { $0.dispatch.maxOffers = $1 },
        radii("dispatch.radii_km") { $0.dispatch.radiiKm = $1 },
        number("dispatch.stale_after_s", 1...86_400) { $0.dispatch.staleAfterSeconds = $1 },
        number("dispatch.max_accuracy_m", 1...100_000) { $0.dispatch.maxAccuracyMetres = $1 },
        number("dispatch.max_speed_kmh", 1...100_000) { $0.dispatch.maxSpeedKmh = $1 },
        number("dispatch.arrive_radius_m", 1...10_000) { $0.dispatch.arriveRadiusMetres = $1 },
        number("dispatch.speed_kmh", 1...100_000) { $0.dispatch.speedKmh = $1 },
        integer("dispatch.timeouts_to_away", 1...100) { $0.dispatch.timeoutsToAway = $1 },
        number("dispatch.lead_s", 0...604_800) { $0.dispatch.leadSeconds = $1 },
        number("dispatch.min_rating", 0...5) { $0.dispatch.minRating = $1 },
        integer("dispatch.min_ratings", 0...1_000_000) { $0.dispatch.minRatings = $1 },

        // Not live: answers on two grids, before and after, would place a worker finer than either.
        number("privacy.booker_grid_m", 500...100_000, reloadable: false) { $0.privacy.bookerGridMetres = $1 },

        skillCatalogue("skills.catalogue"),
        choiceText("log.level", ["trace", "debug", "info", "notice", "warning", "error", "critical"]) { $0.logLevel = $1 },
        text("metrics.listen", reloadable: false) { $0.metricsListen = $1 },
        flag("debug.allow_stall") { $0.allowStall = $1 },
    ]

    static let byName: [String: ConfigurationKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    // MARK: - Key builders

    static func integer(_ name: String, _ range: ClosedRange<Int>, reloadable: Bool = true,
                        _ set: @escaping @Sendable (inout Configuration, Int) -> Void) -> ConfigurationKey {
        ConfigurationKey(name: name, reloadable: reloadable) { configuration, value throws(ConfigurationProblem) in
            guard case .integer(let number) = value else { throw ConfigurationProblem(name, "must be an integer, not \(value.typeName)") }
            guard range.contains(number) else {
                throw ConfigurationProblem(name, "must be within \(range.lowerBound)...\(range.upperBound), not \(number)")
            }
            set(&configuration, number)
        }
    }

    static func number(_ name: String, _ range: ClosedRange<Double>, reloadable: Bool = true,
                       _ set: @escaping @Sendable (inout Configuration, Double) -> Void) -> ConfigurationKey {
        ConfigurationKey(name: name, reloadable: reloadable) { configuration, value throws(ConfigurationProblem) in
            guard let number = value.number else { throw ConfigurationProblem(name, "must be a number, not \(value.typeName)") }
            guard range.contains(number) else {
                throw ConfigurationProblem(name, "must be within \(range.lowerBound)...\(range.upperBound), not \(number)")
            }
            set(&configuration, number)
        }
    }

    static func text(_ name: String, reloadable: Bool = true,
                     _ set: @escaping @Sendable (inout Configuration, String) -> Void) -> ConfigurationKey {
        ConfigurationKey(name: name, reloadable: reloadable) { configuration, value throws(ConfigurationProblem) in
            guard case .text(let text) = value else { throw ConfigurationProblem(name, "must be a string, not \(value.typeName)") }
            set(&configuration, text)
        }
    }

    static func choiceText(_ name: String, _ choices: [String], reloadable: Bool = true,
                           _ set: @escaping @Sendable (inout Configuration, String) -> Void) -> ConfigurationKey {
        ConfigurationKey(name: name, reloadable: reloadable) { configuration, value throws(ConfigurationProblem) in
            guard case .text(let text) = value, choices.contains(text) else {
                throw ConfigurationProblem(name, "must be one of \(choices.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            set(&configuration, text)
        }
    }

    static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, reloadable: Bool = true, _ set: @escaping @Sendable (inout Configuration, Choice) -> Void
    ) -> ConfigurationKey where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue)
        return choiceText(name, names, reloadable: reloadable) { configuration, text in
            if let choice = Choice(rawValue: text) { set(&configuration, choice) }
        }
    }

    static func flag(_ name: String, reloadable: Bool = true,
                     _ set: @escaping @Sendable (inout Configuration, Bool) -> Void) -> ConfigurationKey {
        ConfigurationKey(name: name, reloadable: reloadable) { configuration, value throws(ConfigurationProblem) in
            guard case .flag(let flag) = value else { throw ConfigurationProblem(name, "must be true or false, not \(value.typeName)") }
            set(&configuration, flag)
        }
    }

    static func strings(_ name: String, reloadable: Bool = true,
                        _ set: @escaping @Sendable (inout Configuration, [String]) -> Void) -> ConfigurationKey {
        ConfigurationKey(name: name, reloadable: reloadable) { configuration, value throws(ConfigurationProblem) in
            guard case .list(let items) = value else { throw ConfigurationProblem(name, "must be a list of strings") }
            var texts: [String] = []
            for item in items {
                guard case .text(let text) = item else { throw ConfigurationProblem(name, "must be a list of strings") }
                texts.append(text)
            }
            set(&configuration, texts)
        }
    }

    static func timeZone(_ name: String, _ set: @escaping @Sendable (inout Configuration, String) -> Void) -> ConfigurationKey {
        ConfigurationKey(name: name, reloadable: true) { configuration, value throws(ConfigurationProblem) in
            // An area/place name or UTC: abbreviations like IST are ambiguous (India, Israel, Ireland).
            guard case .text(let text) = value, text == "UTC" || text.contains("/"), TimeZone(identifier: text) != nil else {
                throw ConfigurationProblem(name, "must be an IANA time zone name, like \"Asia/Kolkata\" or \"UTC\"")
            }
            set(&configuration, text)
        }
    }

    static func radii(_ name: String, _ set: @escaping @Sendable (inout Configuration, [Double]) -> Void) -> ConfigurationKey {
        ConfigurationKey(name: name, reloadable: true) { configuration, value throws(ConfigurationProblem) in
            guard case .list(let items) = value, !items.isEmpty, items.count <= 16 else {
                throw ConfigurationProblem(name, "must be a list of 1 to 16 radii in km, e.g. [2, 5, 10, 25]")
            }
            let radii = items.compactMap(\.number)
            guard radii.count == items.count, radii.allSatisfy({ $0 > 0 && $0 <= 500 }),
                  zip(radii, radii.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw ConfigurationProblem(name, "radii must be increasing numbers in (0, 500] km")
            }
            set(&configuration, radii)
        }
    }

    static func skillCatalogue(_ name: String) -> ConfigurationKey {
        ConfigurationKey(name: name, reloadable: true) { configuration, value throws(ConfigurationProblem) in
            guard case .list(let items) = value, !items.isEmpty, items.count <= SkillCatalogue.capacity else {
                throw ConfigurationProblem(name, "must list 1 to \(SkillCatalogue.capacity) skills")
            }
            var skills: [String] = []
            for item in items {
                guard case .text(let skill) = item, ConfigurationLoader.isName(skill) else {
                    throw ConfigurationProblem(name, "skills are lower-case names like plumber or ac_mechanic")
                }
                guard !skills.contains(skill) else { throw ConfigurationProblem(name, "\(skill) is listed twice") }
                skills.append(skill)
            }
            configuration.skills = skills
        }
    }
}
