import Foundation
import Testing
@testable import SevaServer

/// sevad under a real systemd as PID 1 (Tests/SystemdBox): the shipped units installed in a
/// throw-away box booted from the machine's own systemd, then socket activation, READY and
/// STATUS, a booking's journal story, reload, the watchdog restarting a stalled engine with
/// the job kept, and a clean stop (`check-sevad.sh` says which check failed). Needs root.
@Suite(.serialized) struct SystemdBoxTests {
    @Test func sevadUnderARealSystemd() throws {
        try #require(getuid() == 0, "the systemd box needs root (unshare, mount)")
        let scripts = SystemdIntegrationTests.repository.appendingPathComponent("Tests/SystemdBox").path
        let units = SystemdIntegrationTests.repository.appendingPathComponent("systemd").path
        let box = NSTemporaryDirectory() + "sevad-box-\(getpid())"
        try? FileManager.default.removeItem(atPath: box)
        try FileManager.default.createDirectory(atPath: box, withIntermediateDirectories: true)
        let files = FileManager.default
        try files.copyItem(atPath: DaemonProcess.binary, toPath: box + "/sevad")
        for unit in ["sevad.service", "sevad.socket", "sevad-admin.socket", "sevad-metrics.socket", "sevad-http.socket", "sevad.sysusers"] {
            try files.copyItem(atPath: units + "/" + unit, toPath: box + "/" + unit)
        }
        try files.copyItem(atPath: scripts + "/ask.py", toPath: box + "/ask.py")
        try "[debug]\nallow_stall = true\n".write(toFile: box + "/sevad.toml", atomically: true, encoding: .utf8)
        try "[dispatch]\noffer_timeout_s = 7\n\n[debug]\nallow_stall = true\n"
            .write(toFile: box + "/sevad-reloaded.toml", atomically: true, encoding: .utf8)
        try "[Service]\nWatchdogSec=3\n".write(toFile: box + "/watchdog.conf", atomically: true, encoding: .utf8)
        let start = shell(scripts + "/box.sh", ["start"], box: box)
        defer {
            _ = shell(scripts + "/box.sh", ["stop"], box: box)
            try? FileManager.default.removeItem(atPath: box)
        }
        try #require(start.status == 0, "the box did not boot: \(start.output)")
        let checks = shell(scripts + "/check-sevad.sh", [], box: box)
        #expect(checks.status == 0, "\(checks.output)")
        #expect(checks.output.contains("ALL CHECKS PASSED"))
    }

    func shell(_ script: String, _ arguments: [String], box: String) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["BOX_DIR"] = box
        process.environment = environment
        // A file, not a pipe: the box's long-lived processes inherit the descriptor, and a
        // pipe would never reach its end.
        let log = box + "-\(URL(fileURLWithPath: script).lastPathComponent).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        guard let output = FileHandle(forWritingAtPath: log) else { return (-1, "cannot write \(log)") }
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "\(error)") }
        awaitExit(of: process, "box: \(script) \(arguments.joined(separator: " "))", within: ChildDeadline.run) {
            (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        }
        try? output.close()
        defer { try? FileManager.default.removeItem(atPath: log) }
        return (process.terminationStatus, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
