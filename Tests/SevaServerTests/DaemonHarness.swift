import Foundation

/// A real `sevad` process on a temporary state directory, a Unix socket and a TCP port the
/// system chose; stopped with SIGTERM.
final class DaemonProcess {
    let directory: String
    let process = Process()
    private(set) var port = 0
    private let errors = Pipe()
    private var log = ""

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
        guard let range = log.range(of: #"listening on tcp 127\.0\.0\.1:(\d+)"#, options: .regularExpression),
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

/// A blocking line client over TCP or a Unix socket, with a receive timeout.
final class LineClient {
    private let descriptor: Int32
    private var pending: [UInt8] = []

    init(tcpPort port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessError("cannot connect to port \(port)") }
        setTimeout()
    }

    init(unixPath path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { throw HarnessError("cannot connect to \(path)") }
        setTimeout()
    }

    private func setTimeout() {
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(descriptor) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// Closes the sending side, as `nc -N` does at the end of its input.
    func finishSending() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// The next reply line, or nil at end of stream (or after the timeout).
    func line() -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let received = read(descriptor, &buffer, buffer.count)
            guard received > 0 else { return nil }
            pending += buffer[..<received]
        }
    }

    /// Sends one request and returns its reply.
    func ask(_ request: String) -> String {
        send(request + "\n")
        return line() ?? "<closed>"
    }
}
