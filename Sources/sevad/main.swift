import Foundation
import SevaServer
import SevaWire

let usage = """
    sevad \(ProtocolVersion.release) — the Seva Mitra dispatch daemon (line protocol v\(ProtocolVersion.current))

    usage: sevad --paths      print the state, runtime and configuration directories it would use
           sevad --version    print the version
           sevad --help       this text

    This release holds the live spatial index only; the listeners, store and dispatch
    engine come with the next releases (see README.md, "Status"). Try `make demo`.
    """

let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "--version":
    print("sevad \(ProtocolVersion.release) (protocol \(ProtocolVersion.current))")
case "--help", "-h":
    print(usage)
case "--paths":
    let paths = RuntimePaths(environment: ProcessInfo.processInfo.environment,
                             workingDirectory: FileManager.default.currentDirectoryPath)
    print("state:         \(paths.stateDirectory)")
    print("runtime:       \(paths.runtimeDirectory)")
    print("configuration: \(paths.configurationDirectory)")
default:
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(2)
}
