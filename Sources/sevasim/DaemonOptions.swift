import ArgumentParser
import Foundation
import SevaClient
#if canImport(Glibc)
import Glibc
#endif

/// Which sevad a command drives: one it starts under `--state-dir` (the default), one already
/// listening on `--socket`, or the active one of those at `--host` (with `--token`).
struct DaemonOptions: ParsableArguments {
    @Option(help: "Use the sevad already listening on this Unix socket (admin) instead of starting one; give it the keys a run's sevad.toml shows (the clock-scaled dispatch keys) for sensible figures.")
    var socket: String?
    @Option(help: "Use the sevad already listening on HOST:PORT over TCP (needs --token); give it again, or a comma-separated list, for an active/standby pair: the one that answers as active is used.")
    var host: [String] = []
    @Option(help: "The admin token to AUTH with over --host.")
    var token: String?
    @Option(help: "The sevad binary to start (default: next to sevasim, then PATH).")
    var sevad: String?
    @Option(help: "Where the sevads sevasim starts keep their state, logs and pictures.")
    var stateDir = "var/sim"

    func validate() throws {
        if socket != nil && !host.isEmpty { throw ValidationError("give --socket or --host, not both") }
        if !host.isEmpty && token == nil { throw ValidationError("--host needs --token: an admin token (sevactl token issue admin)") }
    }

    /// `--state-dir` as an absolute path.
    var stateBase: String { URL(fileURLWithPath: stateDir).standardizedFileURL.path }

    /// Whether the command drives a sevad it did not start.
    var usesRunningSevad: Bool { socket != nil || !host.isEmpty }

    /// A fresh sevad in `directory`, or nil when `--socket` or `--host` names one already running.
    func start(in directory: String, policy: String, scenario: Scenario, settings: [String] = []) throws -> SimDaemon? {
        guard !usesRunningSevad else { return nil }
        return try SimDaemon(binary: sevad ?? SimDaemon.defaultBinary, directory: directory, policy: policy, scenario: scenario,
                             settings: settings)
    }

    /// Where the command's connections go: the sevad it started, `--socket`, or the active of `--host`.
    func endpoint(of daemon: SimDaemon?) throws -> SevadEndpoint {
        if let daemon { return .unix(daemon.socketPath) }
        if let socket { return .unix(socket) }
        let token = token ?? ""
        return .tcp(try ActiveSevad.connect(try ActiveSevad.addresses(host), token: token).address, token: token)
    }
}

/// A sevad's address for the simulator's connections: a Unix socket (admin by who runs
/// sevasim), or TCP with a token each connection AUTHs with before it joins the reactor.
enum SevadEndpoint: CustomStringConvertible {
    case unix(String)
    case tcp(ActiveSevad.Address, token: String)

    var description: String {
        switch self {
        case .unix(let path): path
        case .tcp(let address, _): "\(address)"
        }
    }

    /// One more connection, ready for requests.
    func link(latencies: LatencyBook) throws -> SimLink {
        switch self {
        case .unix(let path):
            return try SimLink.unix(path, latencies: latencies)
        case .tcp(let address, let token):
            let connection = try LineConnection(host: address.host, port: address.port)
            let reply = connection.ask("AUTH \(LineArgument.quoted(token))")
            guard reply.hasPrefix("OK") else { throw SimulationError("AUTH at \(address): \(reply)") }
            return SimLink(descriptor: connection.detachDescriptor(), latencies: latencies)
        }
    }
}
