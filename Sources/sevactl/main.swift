import Foundation
import SevaWire

let usage = """
    sevactl \(ProtocolVersion.release) — the sevad operator's console

    usage: sevactl --version | --help

    The console's subcommands arrive with the daemon's listeners (see README.md, "Status").
    """

switch CommandLine.arguments.dropFirst().first {
case "--version": print("sevactl \(ProtocolVersion.release) (protocol \(ProtocolVersion.current))")
case "--help", "-h": print(usage)
default:
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
