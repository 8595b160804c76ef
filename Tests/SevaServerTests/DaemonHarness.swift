import Foundation

/// A real `sevad` process on a temporary state directory, a Unix socket and a TCP port the
/// system chose; stopped with SIGTERM.
final class DaemonProcess {
    let directory: String
    let process = Process()
    private(set) var port = 0
    private let errors = Pipe()
    private(set) var log = ""

    static var binary: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("sevad").path
    }

    var socketPath: String { directory + "/sevad.sock" }

    init(directory: String? = nil, arguments: [String] = []) throws {
        self.directory = directory ?? NSTemporaryDirectory() + "sevad-daemon-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--store.path", self.directory + "/sevad.db", "--server.unix_socket", socketPath,
                             "--server.tcp", "[\"127.0.0.1:0\"]"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: self.directory)
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline && !log.contains("listening on unix") {
            let data = errors.fileHandleForReading.availableData
            if data.isEmpty { break }
            log += String(decoding: data, as: UTF8.self)
        }
        guard let range = log.range(of: #"listening on tcp [0-9.]+:(\d+)"#, options: .regularExpression),
              let number = Int(log[range].split(separator: ":").last ?? "") else {
            process.terminate()
            throw HarnessError("sevad did not start:\n\(log)")
        }
        port = number
    }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate(); process.waitUntilExit() }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program to its end; its status and what it printed (stdout and stderr together).
func runProcess(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return (-1, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
