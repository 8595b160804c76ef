import Foundation
import Logging
import SevaCore
import SevaWire

/// RELOAD (and SIGHUP): the configuration read again; the keys the table marks live change at
/// once (dispatch rules, `[rates]`, `[districts]`, the `[server]` limits, the log level), the
/// TLS files are re-read, and the rest is named as waiting for a restart
/// (`ConfigurationChange`). An invalid file changes nothing and says why.
extension Engine {
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
        let change = ConfigurationChange(from: configuration, to: fresh)
        var changed = change.changed
        var waiting = change.restartNeeded
        reportCertificate(fresh.server, certificate, changed: &changed, waiting: &waiting)
        configuration = change.live
        serverSettings.current = change.live.server
        connections.limit = change.live.server.maxConnections
        logger.logLevel = change.live.logLevel
        dispatcher.rules = Self.dispatchRules(change.live.dispatch, now: now)
        registry.rules = Self.registryRules(change.live.dispatch)
        places = PlaceFinder(districts: change.live.districts, homeState: change.live.gazetteer.homeState)
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
