import Foundation
import Logging
import SevaCore
import SevaWire

/// RELOAD (and SIGHUP): the configuration read again; what may change live changes at once —
/// every `dispatch.*` key, `[rates]`, `[districts]`, the `[server]` limits (for connections
/// made after it) and the log level — and the rest (listen addresses, the store, the skill
/// catalogue, metrics) is named as waiting for a restart. An invalid file changes nothing and
/// says why.
extension Engine {
    /// The `dispatch.*` keys, each with how to read it, to say which changed.
    private static let dispatchKeys: [(String, @Sendable (Configuration.Dispatch) -> String)] = [
        ("dispatch.policy", { $0.policy.rawValue }), ("dispatch.accept", { $0.accept.rawValue }),
        ("dispatch.offer_timeout_s", { "\($0.offerTimeoutSeconds)" }), ("dispatch.max_offers", { "\($0.maxOffers)" }),
        ("dispatch.radii_km", { "\($0.radiiKm)" }), ("dispatch.stale_after_s", { "\($0.staleAfterSeconds)" }),
        ("dispatch.max_accuracy_m", { "\($0.maxAccuracyMetres)" }), ("dispatch.max_speed_kmh", { "\($0.maxSpeedKmh)" }),
        ("dispatch.arrive_radius_m", { "\($0.arriveRadiusMetres)" }), ("dispatch.speed_kmh", { "\($0.speedKmh)" }),
        ("dispatch.timeouts_to_away", { "\($0.timeoutsToAway)" }), ("dispatch.lead_s", { "\($0.leadSeconds)" }),
        ("dispatch.min_rating", { "\($0.minRating)" }), ("dispatch.min_ratings", { "\($0.minRatings)" }),
        ("dispatch.fair_band_ratio", { "\($0.fairBandRatio)" }), ("dispatch.fair_band_m", { "\($0.fairBandMetres)" }),
        ("dispatch.timezone", { $0.timezone }),
    ]

    /// Reloads: the configuration and the TLS pair are read off the loop (files are I/O), then
    /// applied on it; `done` gets the reply for RELOAD, on the loop. What happened is logged.
    func reload(then done: @escaping (Reply) -> Void) {
        let source = reloadSource
        let tls = self.tls
        let loop = self.loop
        nonisolated(unsafe) let done = done
        DispatchQueue.global().async { [self] in
            let read = source()
            let certificate = (try? read.get())?.server.tlsFiles.flatMap { tls?.reload($0) }
            loop.execute { done(self.apply(read, certificate: certificate)) }
        }
    }

    private func apply(_ read: Result<Configuration, ConfigurationLoader.Failure>,
                       certificate: Result<String, TLSFailure>?) -> Reply {
        loop.preconditionInEventLoop()
        let fresh: Configuration
        switch read {
        case .failure(let failure):
            let problems = failure.problems.map(\.description).joined(separator: "; ")
            logger.error("reload refused, the configuration in force is kept: \(problems)")
            return .error(WireError(.badArgument, "configuration not valid, nothing changed: "
                + failure.problems.map(\.description).joined(separator: "; ")))
        case .success(let configuration):
            fresh = configuration
        }
        var changed = Self.dispatchKeys.compactMap { name, read in read(configuration.dispatch) != read(fresh.dispatch) ? name : nil }
        if fresh.rates != configuration.rates { changed.append("rates") }
        if fresh.districts != configuration.districts { changed.append("districts") }
        var waiting: [String] = []
        var liveServer = fresh.server
        for (name, same) in [("server.tcp", fresh.server.tcp == configuration.server.tcp),
                             ("server.unix_socket", fresh.server.unixSocket == configuration.server.unixSocket),
                             ("server.admin_group", fresh.server.adminGroup == configuration.server.adminGroup),
                             ("server.tls", fresh.server.tls == configuration.server.tls),
                             ("server.allow_plaintext_public",
                              fresh.server.allowPlaintextPublic == configuration.server.allowPlaintextPublic)] where !same {
            waiting.append(name)
        }
        liveServer.tcp = configuration.server.tcp
        liveServer.unixSocket = configuration.server.unixSocket
        liveServer.adminGroup = configuration.server.adminGroup
        liveServer.tls = configuration.server.tls
        liveServer.allowPlaintextPublic = configuration.server.allowPlaintextPublic
        reportCertificate(fresh.server, certificate, changed: &changed, waiting: &waiting)
        let old = configuration.server
        for (name, same) in [("server.max_connections", liveServer.maxConnections == old.maxConnections),
                             ("server.max_line_bytes", liveServer.maxLineBytes == old.maxLineBytes),
                             ("server.output_buffer_bytes", liveServer.outputBufferBytes == old.outputBufferBytes),
                             ("server.output_stall_s", liveServer.outputStallSeconds == old.outputStallSeconds),
                             ("server.output_hard_bytes", liveServer.outputHardBytes == old.outputHardBytes),
                             ("server.idle_timeout_s", liveServer.idleTimeoutSeconds == old.idleTimeoutSeconds),
                             ("server.max_pings_per_s", liveServer.maxPingsPerSecond == old.maxPingsPerSecond),
                             ("server.auth_failures", liveServer.authFailures == old.authFailures),
                             ("server.max_inflight", liveServer.maxInFlight == old.maxInFlight),
                             ("server.max_conns_per_ip", liveServer.maxConnectionsPerAddress == old.maxConnectionsPerAddress),
                             ("server.max_new_conns_per_s", liveServer.maxNewConnectionsPerSecond == old.maxNewConnectionsPerSecond),
                             ("server.auth_backoff_s", liveServer.authBackoffSeconds == old.authBackoffSeconds),
                             ("server.auth_backoff_max_s", liveServer.authBackoffMaxSeconds == old.authBackoffMaxSeconds),
                             ("server.token_rotate_grace_s", liveServer.tokenRotateGraceSeconds == old.tokenRotateGraceSeconds)] where !same {
            changed.append(name)
        }
        if fresh.store != configuration.store { waiting.append("store") }
        if fresh.skills != configuration.skills { waiting.append("skills") }
        if fresh.metricsListen != configuration.metricsListen { waiting.append("metrics") }
        if fresh.logLevel != configuration.logLevel { changed.append("log.level") }
        if fresh.privacy != configuration.privacy { waiting.append("privacy") }
        if fresh.allowStall != configuration.allowStall { waiting.append("debug") }
        configuration.server = liveServer
        serverSettings.current = liveServer
        connections.limit = liveServer.maxConnections
        configuration.logLevel = fresh.logLevel
        logger.logLevel = Logger.Level(rawValue: fresh.logLevel) ?? logger.logLevel
        configuration.dispatch = fresh.dispatch
        configuration.rates = fresh.rates
        configuration.districts = fresh.districts
        dispatcher.rules = Self.dispatchRules(fresh.dispatch, now: now)
        registry.rules.staleAfterSeconds = fresh.dispatch.staleAfterSeconds
        registry.rules.maxAccuracyMetres = fresh.dispatch.maxAccuracyMetres
        registry.rules.maxSpeedKmh = fresh.dispatch.maxSpeedKmh
        registry.rules.minRating = fresh.dispatch.minRating
        registry.rules.minRatings = fresh.dispatch.minRatings
        let summary = (changed.isEmpty ? "nothing changed" : "changed " + changed.joined(separator: ", "))
            + (waiting.isEmpty ? "" : "; [\(waiting.joined(separator: "], ["))] changed too and take effect at the next restart")
        logger.notice("reloaded: \(summary)")
        var json = JSONWriter()
        json.beginObject()
        json.key("changed"); json.beginArray(); for name in changed { json.string(name) }; json.endArray()
        json.key("restart_needed"); json.beginArray(); for name in waiting { json.string(name) }; json.endArray()
        json.endObject()
        return .json(json)
    }

    /// The TLS certificate and key are read again on every reload (renewed files usually keep
    /// their paths); a pair that cannot be used leaves the one in force serving.
    private func reportCertificate(_ fresh: Configuration.Server, _ certificate: Result<String, TLSFailure>?,
                                   changed: inout [String], waiting: inout [String]) {
        guard fresh.tlsFiles != nil else { return }
        guard let certificate else {
            waiting.append("server.tls_cert")
            return
        }
        switch certificate {
        case .success(let summary):
            changed.append("server.tls_cert")
            logger.notice("TLS: new handshakes use \(summary)")
        case .failure(let failure):
            logger.error("TLS: \(failure); the certificate in force is kept")
        }
    }
}
