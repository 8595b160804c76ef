import Foundation
import SevaCore

let usage = """
    sevasim — the sevad city simulator and load generator

    usage: sevasim --help

    The simulator drives a running sevad over the line protocol, so it arrives with the
    listeners (see README.md, "Status"). The in-process index benchmark is `sevabench index`.
    """

switch CommandLine.arguments.dropFirst().first {
case "--help", "-h": print(usage)
default:
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
