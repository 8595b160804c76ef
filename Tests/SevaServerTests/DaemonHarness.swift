import Foundation
import SevaClient

/// A real `sevad` process on a temporary state directory, a Unix socket and a TCP port the
/// system chose; stopped with SIGTERM.
final class DaemonProcess {
    let directory: String
    let process = Process()
    private(set) var port = 0
    private let errors = Pipe()
    private let stderrText = LockedText()
    private var lifetimeFlag: LockedText?
    /// Signalled when the daemon's stderr reaches its end (the process is gone and all it
    /// wrote — a backtrace included — is in `log`).
    private let drained = DispatchSemaphore(value: 0)
    /// What the daemon has written to stderr so far.
    var log: String { stderrText.value }
    /// Everything it wrote, once it has ended (waiting a little for the last of it).
    private var finalLog: String {
        _ = drained.wait(timeout: .now() + 10)
        drained.signal()
        return log
    }

    static var binary: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("sevad").path
    }

    var socketPath: String { directory + "/sevad.sock" }

    /// `tcp` is the one TCP listener's address; `launcher` runs sevad (`ip netns exec NAME`, which
    /// keeps the process id, so signals reach sevad itself).
    init(directory: String? = nil, arguments: [String] = [], tcp: String = "127.0.0.1:0", launcher: [String] = []) throws {
        self.directory = directory ?? NSTemporaryDirectory() + "sevad-daemon-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: self.directory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: launcher.first ?? Self.binary)
        process.arguments = (launcher.isEmpty ? [] : Array(launcher.dropFirst()) + [Self.binary])
            + ["--store.path", self.directory + "/sevad.db", "--server.unix_socket", socketPath,
               "--server.tcp", "[\"\(tcp)\"]"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: self.directory)
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        // A hung daemon is aborted by the harness: its backtrace, in plain text, is the evidence.
        environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no"
        process.environment = environment
        try process.run()
        watchLifetime()
        var started = ""
        let deadline = Date(timeIntervalSinceNow: 30)
        while Date() < deadline && !started.contains("listening on unix") {
            let data = errors.fileHandleForReading.availableData
            if data.isEmpty { break }
            started += String(decoding: data, as: UTF8.self)
        }
        stderrText.append(started)
        guard let range = started.range(of: #"listening on tcp [0-9.]+:(\d+)"#, options: .regularExpression),
              let number = Int(started[range].split(separator: ":").last ?? "") else {
            process.terminate()
            throw HarnessError("sevad did not start:\n\(started)")
        }
        port = number
        // Keep draining stderr, or a daemon that logs a lot blocks on a full pipe.
        let reader = errors.fileHandleForReading
        let text = stderrText
        let drained = self.drained
        Thread.detachNewThread {
            while true {
                let data = reader.availableData
                if data.isEmpty { drained.signal(); return }
                text.append(String(decoding: data, as: UTF8.self))
            }
        }
    }

    /// A daemon still running `ChildDeadline.lifetime` after it started belongs to a hung test:
    /// it is aborted (its backtrace goes to its log), which ends whatever waits on its sockets.
    private func watchLifetime() {
        let pid = process.processIdentifier
        let directory = directory
        let alive = LockedText()
        alive.append("yes")
        lifetimeFlag = alive
        DispatchQueue.global().asyncAfter(deadline: .now() + ChildDeadline.lifetime) {
            guard alive.value == "yes" else { return }
            FileHandle.standardError.write(Data("TEST HANG: sevad in \(directory) (pid \(pid)) alive after \(Int(ChildDeadline.lifetime)) s; aborting it\n".utf8))
            kill(pid, SIGABRT)
        }
    }

    /// SIGTERM and wait (bounded: a daemon that does not stop fails the test); the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        awaitExit(of: process, "sevad in \(directory), stopping", within: ChildDeadline.stop) { finalLog }
        return process.terminationStatus
    }

    /// Waits for the daemon to end by itself (bounded); the exit status.
    @discardableResult
    func waitForExit(seconds: Double = ChildDeadline.stop) -> Int32 {
        awaitExit(of: process, "sevad in \(directory)", within: seconds) { finalLog }
        return process.terminationStatus
    }

    deinit {
        lifetimeFlag?.clear()
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }
}

/// Text one thread appends to while others read it. `@unchecked Sendable`: guarded by `lock`.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""

    var value: String {
        lock.lock()
        defer { lock.unlock() }
        return text
    }

    func append(_ more: String) {
        lock.lock()
        text += more
        lock.unlock()
    }

    func clear() {
        lock.lock()
        text = ""
        lock.unlock()
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Runs a program to its end (bounded: a hang fails the test); its status and what it printed,
/// stdout and stderr together.
func runProcess(_ executable: String, _ arguments: [String]) -> (status: Int32, output: String) {
    do {
        let run = try ToolRun(executable, arguments, mergingErrors: true)
        let status = run.wait()
        return (status, run.output)
    } catch {
        return (-1, "\(error)")
    }
}

extension DaemonProcess {
    /// The daemon's resident memory now (VmRSS), in bytes.
    var residentBytes: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// One counter of STATS, asked over the admin socket.
    func stat(_ field: String) -> Int? {
        guard let admin = try? LineConnection(unixPath: socketPath) else { return nil }
        return JSONField.value(admin.ask("STATS"), field).flatMap { Int($0) }
    }
}

/// Waits, polling every 20 ms, until `condition` holds or `seconds` pass; whether it held.
@discardableResult
func waitUntil(_ seconds: Double = 20, _ condition: () -> Bool) -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// A raw TCP client with a small receive buffer, to play a phone on 2G or a client that
/// stops reading: its buffer is set before it connects, so the window it offers stays small.
/// `@unchecked Sendable`: one thread writes while the test reads; the descriptor is all it holds.
final class RawClient: @unchecked Sendable {
    let descriptor: Int32

    init(port: Int, receiveBuffer: Int32) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var size = receiveBuffer
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessError("cannot connect to port \(port)") }
    }

    deinit { close(descriptor) }

    /// Writes all of `bytes` (blocking); false once the connection is gone.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// At most `count` bytes, waiting up to `milliseconds` for any; [] at end of stream or
    /// when nothing came; nil on an error (a reset).
    func read(upTo count: Int, waiting milliseconds: Int32) -> [UInt8]? {
        var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&ready, 1, milliseconds) > 0 else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        let received = Glibc.recv(descriptor, &buffer, count, 0)
        guard received >= 0 else { return nil }
        return Array(buffer[..<received])
    }

    /// True once the daemon has closed the connection (end of stream or reset), reading and
    /// dropping whatever was still on its way.
    var isClosedByPeer: Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let received = Glibc.recv(descriptor, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if received == 0 { return true }
            if received < 0 { return errno != EAGAIN && errno != EWOULDBLOCK }
        }
    }
}

extension DaemonProcess {
    /// The HTTP face's port, from its "HTTP face on http(s)://127.0.0.1:<port>/" line.
    func httpPort() throws -> Int {
        guard let range = log.range(of: #"HTTP face on https?://127\.0\.0\.1:\d+/"#, options: .regularExpression),
              let port = Int(log[range].split(separator: ":").last?.dropLast() ?? "") else {
            throw HarnessError("no HTTP face line in \(log)")
        }
        return port
    }
}
