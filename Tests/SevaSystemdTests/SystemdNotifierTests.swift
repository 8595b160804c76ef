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

/// sd_notify to an abstract socket, the typed messages, and the watchdog interval.
@Suite(.serialized) struct SystemdMessagesTests {
    /// A datagram socket in the abstract namespace (`@name`), as systemd itself may use.
    func abstractListener(_ name: String) -> Int32 {
        let listener = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: [0] + Array(name.utf8))
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + 1 + name.utf8.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        #expect(bound == 0)
        return listener
    }

    func receive(_ listener: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 512)
        let received = recv(listener, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        return String(decoding: buffer.prefix(max(0, received)), as: UTF8.self)
    }

    @Test func typedMessagesReachAnAbstractSocket() {
        let name = "sevad-test-\(getpid())"
        let listener = abstractListener(name)
        defer { close(listener) }
        setenv("NOTIFY_SOCKET", "@" + name, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let notifier = SystemdNotifier()
        #expect(notifier.isSupervised)
        #expect(notifier.ready(status: "12 workers online,\n3 jobs open"))
        #expect(receive(listener) == "READY=1\nSTATUS=12 workers online, 3 jobs open", "a status stays one line")
        #expect(notifier.reloading())
        let reloading = receive(listener)
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        #expect(UInt64(reloading.split(separator: "=").last ?? "") ?? 0 > 0)
        #expect(notifier.watchdog() && receive(listener) == "WATCHDOG=1")
        #expect(notifier.extendTimeout(seconds: 15, status: "loading") && receive(listener) == "EXTEND_TIMEOUT_USEC=15000000\nSTATUS=loading")
        #expect(notifier.stopping(status: "bye") && receive(listener) == "STOPPING=1\nSTATUS=bye")
    }

    @Test func theWatchdogIntervalIsReadForThisProcessOnly() {
        setenv("WATCHDOG_USEC", "4000000", 1)
        setenv("WATCHDOG_PID", "\(getpid())", 1)
        #expect(SystemdNotifier().watchdogInterval() == 4)
        setenv("WATCHDOG_PID", "1", 1)
        #expect(SystemdNotifier().watchdogInterval() == nil, "another process's watchdog")
        unsetenv("WATCHDOG_USEC")
        unsetenv("WATCHDOG_PID")
        #expect(SystemdNotifier().watchdogInterval() == nil)
    }
}
