import Foundation
import SevaClient
import Testing
@testable import SevaServer

/// systemd without PID 1: socket activation through `systemd-socket-activate`, readiness on a
/// notify socket the test owns, and the units checked by `systemd-analyze`.
@Suite(.serialized) struct SystemdIntegrationTests {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// A datagram socket standing in for the service manager's notify socket.
    func notifySocket(_ path: String) -> Int32 {
        unlink(path)
        let listener = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return listener
    }

    func messages(_ listener: Int32, until wanted: String, seconds: Double = 20) -> [String] {
        var received: [String] = []
        let deadline = Date(timeIntervalSinceNow: seconds)
        while Date() < deadline && !received.contains(where: { $0.contains(wanted) }) {
            var buffer = [UInt8](repeating: 0, count: 1_024)
            let count = recv(listener, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { received.append(String(decoding: buffer.prefix(count), as: UTF8.self)) } else { usleep(20_000) }
        }
        return received
    }

    @Test func socketActivationAdoptsTCPAndUnixAndSaysReady() throws {
        let directory = NSTemporaryDirectory() + "sevad-activate-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let notify = notifySocket(directory + "/notify.sock")
        defer { close(notify) }
        let port = try SocketConnect.unusedLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        process.arguments = ["-l", "127.0.0.1:\(port)", "-l", directory + "/sevad.sock", "--fdname=tcp:unix",
                             "-E", "NOTIFY_SOCKET=\(directory)/notify.sock", DaemonProcess.binary,
                             "--store.path", directory + "/sevad.db", "--server.unix_socket", directory + "/configured.sock",
                             "--server.tcp", "[\"127.0.0.1:0\"]"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        var client: LineConnection?
        for _ in 0..<100 where client == nil {
            client = try? LineConnection(port: port)
            if client == nil { usleep(50_000) }
        }
        let tcp = try #require(client, "systemd-socket-activate did not listen on \(port)")
        #expect(tcp.ask("PING") == "OK", "the first connection started sevad, which adopted the socket")
        let unix = try LineConnection(unixPath: directory + "/sevad.sock")
        #expect(unix.ask("HELLO").contains(#""role":"admin""#))
        let ready = messages(notify, until: "READY=1")
        #expect(ready.contains { $0.hasPrefix("READY=1\nSTATUS=0 workers online, 0 jobs open") }, "\(ready)")
        kill(process.processIdentifier, SIGTERM)
        awaitExit(of: process, "systemd-socket-activate sevad, stopping", within: ChildDeadline.stop)
        #expect(process.terminationStatus == 0)
        #expect(messages(notify, until: "STOPPING=1", seconds: 2).contains { $0.hasPrefix("STOPPING=1") })
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("adopted socket tcp (fd 3): tcp 127.0.0.1:\(port)"), "\(log)")
        #expect(log.contains("adopted socket unix (fd 4): unix \(directory)/sevad.sock"))
        #expect(!log.contains("listening on"), "configured addresses are not bound when activated")
        #expect(!FileManager.default.fileExists(atPath: directory + "/configured.sock"))
    }

    /// The units as shipped, with ExecStart pointed at this build.
    func unitCopies() throws -> String {
        let directory = NSTemporaryDirectory() + "sevad-units-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let units = Self.repository.appendingPathComponent("systemd")
        let service = try String(contentsOf: units.appendingPathComponent("sevad.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/sevad", with: DaemonProcess.binary)
        try service.write(toFile: directory + "/sevad.service", atomically: true, encoding: .utf8)
        for socket in ["sevad.socket", "sevad-admin.socket", "sevad-metrics.socket", "sevad-http.socket"] {
            try FileManager.default.copyItem(atPath: units.appendingPathComponent(socket).path, toPath: directory + "/" + socket)
        }
        return directory
    }

    @Test func protectedModeRefusesAnAdoptedPublicPlainTextSocket() throws {
        let directory = NSTemporaryDirectory() + "sevad-protected-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = try SocketConnect.unusedLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        process.arguments = ["-l", "0.0.0.0:\(port)", "--fdname=tcp", DaemonProcess.binary,
                             "--store.path", directory + "/sevad.db", "--server.unix_socket", directory + "/sevad.sock"]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        var connected = false
        for _ in 0..<100 where !connected {
            if let client = try? LineConnection(port: port, timeoutSeconds: 5) {
                connected = true
                #expect(client.line() == nil, "sevad refuses to serve the socket, so the connection closes unanswered")
            } else {
                usleep(50_000)
            }
        }
        #expect(connected)
        awaitExit(of: process, "systemd-socket-activate sevad, refusing", within: ChildDeadline.stop)
        #expect(process.terminationStatus != 0)
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(log.contains("socket tcp: 0.0.0.0:\(port) is not a loopback address"), "\(log)")
    }

    @Test func theUnitsVerify() throws {
        let directory = try unitCopies()
        let result = runProcess("/usr/bin/systemd-analyze", ["verify", "--recursive-errors=yes", "--man=no",
                                                      directory + "/sevad.socket", directory + "/sevad-admin.socket",
                                                      directory + "/sevad-metrics.socket", directory + "/sevad-http.socket",
                                                      directory + "/sevad.service"])
        #expect(result.status == 0, "systemd-analyze verify: \(result.output)")
        let problems = result.output.split(separator: "\n").filter { $0.contains("sevad.") }
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func theServiceExposureStaysAtOrBelowTheCommittedThreshold() throws {
        let directory = try unitCopies()
        let result = runProcess("/usr/bin/systemd-analyze", ["security", "--offline=yes", directory + "/sevad.service"])
        let threshold = Double(try String(contentsOf: Self.repository.appendingPathComponent("systemd/security-threshold"),
                                          encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        guard let range = result.output.range(of: #"Overall exposure level for sevad.service: [0-9.]+"#, options: .regularExpression),
              let exposure = Double(result.output[range].split(separator: " ").last ?? "") else {
            Issue.record("no exposure level in: \(result.output.suffix(400))")
            return
        }
        #expect(exposure <= threshold, "exposure \(exposure) rose above systemd/security-threshold (\(threshold))")
    }
}
