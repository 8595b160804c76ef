import ArgumentParser
import Foundation
import SevaWire

/// sevactl: the operator's console for sevad (DESIGN.md §8). Exit codes: 0 done, 1 the daemon
/// answered ERR (its message on stderr), 2 a usage error, 3 cannot connect.
struct SevaCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sevactl",
        abstract: "The sevad operator's console.",
        discussion: """
            Connects to sevad's admin socket (root and group sevad are admin there), or with \
            --host and --token over TCP. Tables for people, --json for scripts. Exit codes: 0 done, \
            1 sevad answered an error, 2 usage error, 3 cannot connect.
            """,
        version: "sevactl \(ProtocolVersion.release) (protocol \(ProtocolVersion.current))",
        subcommands: [Status.self, Workers.self, Worker.self, Token.self, Jobs.self, Job.self, Near.self, Feed.self,
                      Watch.self, Raw.self, Import.self])

    @OptionGroup var connection: ConnectionOptions

    /// No subcommand: the console.
    func run() throws { Repl.run(try connection.connect()) }
}

// DESIGN.md §8's exit codes: a usage error is 2 (ArgumentParser's own would be 64).
do {
    var command = try SevaCtl.parseAsRoot()
    try command.run()
} catch {
    let code = SevaCtl.exitCode(for: error)
    if code == .validationFailure {
        FileHandle.standardError.write(Data((SevaCtl.fullMessage(for: error) + "\n").utf8))
        exit(2)
    }
    SevaCtl.exit(withError: error)
}
