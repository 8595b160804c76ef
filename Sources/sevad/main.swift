import Foundation
import Logging
import SevaServer
import SevaSystemd
import SevaWire

// Before any thread exists: SIGTERM, SIGINT and SIGHUP stay pending until the daemon takes them.
Daemon.blockSignals()
let usage = Manual.usage

func fail(_ message: String, status: Int32 = 2) -> Never {
    FileHandle.standardError.write(Data("sevad: \(message)\n".utf8))
    exit(status)
}

let environment = ProcessInfo.processInfo.environment
let paths = RuntimePaths(environment: environment, workingDirectory: FileManager.default.currentDirectoryPath)
var configPath: String?
var checkOnly = false
var copyTarget: String?
var overrides: [(key: String, value: String)] = []
var arguments = Array(CommandLine.arguments.dropFirst())
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--help", "-h":
        print(usage)
        exit(0)
    case "--print-config":
        print(ConfigurationDocs.file, terminator: "")
        exit(0)
    case "--man":
        print(Manual.roff, terminator: "")
        exit(0)
    case "--version":
        print("sevad \(ProtocolVersion.release) (protocol \(ProtocolVersion.current))")
        exit(0)
    case "--paths":
        print("state:         \(paths.stateDirectory)")
        print("runtime:       \(paths.runtimeDirectory)")
        print("configuration: \(paths.configurationDirectory)")
        exit(0)
    case "--check-config":
        checkOnly = true
    case "--copy-store-to":
        guard !arguments.isEmpty else { fail("--copy-store-to needs a PostgreSQL URL or an SQLite file\n\n\(usage)") }
        copyTarget = arguments.removeFirst()
    case "--config":
        guard !arguments.isEmpty else { fail("--config needs a file path\n\n\(usage)") }
        configPath = arguments.removeFirst()
    case let flag where flag.hasPrefix("--") && flag.contains("."):
        let body = flag.dropFirst(2)
        if let equals = body.firstIndex(of: "=") {
            overrides.append((String(body[..<equals]), String(body[body.index(after: equals)...])))
        } else {
            guard !arguments.isEmpty else { fail("\(flag) needs a value") }
            overrides.append((String(body), arguments.removeFirst()))
        }
    default:
        fail("unknown option '\(argument)'\n\n\(usage)")
    }
}

let defaultFile = paths.configuration("sevad.toml")
let source = configPath ?? (FileManager.default.fileExists(atPath: defaultFile) ? defaultFile : nil)
switch ConfigurationLoader.load(path: source, overrides: overrides) {
case .failure(let failure):
    FileHandle.standardError.write(Data("sevad: configuration \(source ?? "(defaults)") is not valid:\n".utf8))
    for problem in failure.problems { FileHandle.standardError.write(Data("  \(problem)\n".utf8)) }
    exit(1)
case .success(let configuration):
    if checkOnly {
        print("sevad: configuration \(source ?? "(built-in defaults)") is valid")
        print("  listeners: \(configuration.server.tcp.joined(separator: ", ")) and unix:\(paths.runtime(configuration.server.unixSocket))")
        let store = configuration.storeConfiguration(paths: paths)
        print("  store: \(store.backend.displayName) \(store.location) (synchronous=\(store.synchronous.rawValue))")
        print("  skills: \(configuration.skills.count), districts: \(configuration.districts.count)")
        exit(0)
    }
    if let copyTarget { exit(StoreCopyCommand.run(from: configuration.storeConfiguration(paths: paths), to: copyTarget)) }
    // To the journal with structured fields under systemd; plain lines on stderr by hand.
    let journal = JournalLogHandler.stderrIsJournal
    var logger = Logger(label: "sevad") { _ -> any LogHandler in
        journal ? JournalLogHandler(identifier: "sevad") : PlainLogHandler(identifier: "sevad")
    }
    logger.logLevel = configuration.logLevel
    do {
        let reloadOverrides = overrides
        let daemon = try Daemon(configuration: configuration, paths: paths, reload: {
            ConfigurationLoader.load(path: source, overrides: reloadOverrides)
        }, logger: logger)
        daemon.runUntilSignalled()
        exit(0)
    } catch {
        fail("cannot start: \(error)", status: 1)
    }
}
