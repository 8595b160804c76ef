import Foundation
import Testing
@testable import SevaSystemd

/// These tests change NOTIFY_SOCKET, a process-wide variable, so they run one at a time.
@Suite(.serialized) struct SystemdNotifierTests {
    @Test func outsideSystemdNothingIsSent() {
        unsetenv("NOTIFY_SOCKET")
        #expect(SystemdNotifier().notify("READY=1") == false)
    }

    @Test func aListeningServiceManagerReceivesTheState() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sevad-notify-\(getpid()).sock").path
        unlink(path)
        let listener = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener); unlink(path) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8) + [0])
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        setenv("NOTIFY_SOCKET", path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }

        #expect(SystemdNotifier().notify("READY=1\nSTATUS=12 workers online"))
        var buffer = [UInt8](repeating: 0, count: 256)
        let received = recv(listener, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        #expect(received > 0)
        #expect(String(decoding: buffer.prefix(max(0, received)), as: UTF8.self) == "READY=1\nSTATUS=12 workers online")
    }
}
