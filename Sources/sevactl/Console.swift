import ArgumentParser
import Foundation
import SevaClient

/// How sevactl reaches sevad: the admin Unix socket by default (`$RUNTIME_DIRECTORY/sevad.sock`,
/// `/run/sevad/sevad.sock`, then `./var/sevad.sock`), or TCP with a token — to the first of
/// several hosts that answers as the active one of an active/standby pair.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "the Unix socket to use (default: $RUNTIME_DIRECTORY/sevad.sock, /run/sevad/sevad.sock, ./var/sevad.sock)")
    var socket: String?

    @Option(help: "connect over TCP to HOST:PORT instead (needs --token); give it again, or a comma-separated list, for an active/standby pair: the first that answers as active is used")
    var host: [String] = []

    @Option(help: "the token to AUTH with over TCP")
    var token: String?

    @Flag(help: "print the daemon's JSON as it came, for scripts")
    var json = false

    /// Connects, or exits 3 saying what was tried.
    func connect() throws -> Console {
        if !host.isEmpty {
            guard let token else { throw ValidationError("--host needs --token (only the Unix socket knows you without one)") }
            do {
                return Console(try ActiveSevad.connect(try ActiveSevad.addresses(host), token: token).connection)
            } catch .badAddress(let text) {
                throw ValidationError("--host takes HOST:PORT, e.g. 127.0.0.1:7878: '\(text)' is not one")
            } catch .refused(let reply) {
                throw Console.failure(1, reply)
            } catch {
                throw Console.failure(3, error.description)
            }
        }
        var candidates: [String] = []
        if let socket { candidates = [socket] } else {
            if let runtime = ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"] { candidates.append(runtime + "/sevad.sock") }
            candidates += ["/run/sevad/sevad.sock", "./var/sevad.sock"]
        }
        for path in candidates {
            if let connection = try? LineConnection(unixPath: path) { return Console(connection) }
        }
        throw Console.failure(3, "cannot connect to sevad at \(candidates.joined(separator: ", ")); is it running? "
            + "(systemctl status sevad, or make run by hand; --socket PATH or --host H:P --token T)")
    }
}

/// One connection to sevad: requests in, replies out; `ERR` replies end the command with exit 1.
final class Console {
    let connection: LineConnection
    /// Events that arrived while a reply was awaited, oldest first (a replay comes before the
    /// SUBSCRIBE reply, for instance).
    private(set) var events: [String] = []

    init(_ connection: LineConnection) { self.connection = connection }

    /// Sends a request; returns the JSON after `OK` ("" for a bare OK). ERR exits 1.
    func ask(_ request: String) throws -> String {
        let reply = answer(request)
        if reply == "OK" { return "" }
        if reply.hasPrefix("OK ") { return String(reply.dropFirst(3)) }
        throw Self.failure(1, reply.hasPrefix("ERR ") ? String(reply.dropFirst(4)) : "connection closed: \(reply)")
    }

    /// The raw reply line; events that come first are kept in `events`.
    func answer(_ request: String) -> String {
        connection.send(request + "\n")
        while let line = connection.line() {
            if !line.hasPrefix("EVT ") { return line }
            events.append(line)
        }
        return "<closed>"
    }

    /// The events kept so far, handed out once.
    func takeEvents() -> [String] {
        defer { events = [] }
        return events
    }

    /// Prints `message` on stderr and exits with `code`.
    static func failure(_ code: Int32, _ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("sevactl: \(message)\n".utf8))
        return ExitCode(code)
    }

}
