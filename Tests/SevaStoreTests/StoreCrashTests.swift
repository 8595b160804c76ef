import Foundation
import Testing
@testable import SevaStore

/// Durability under real crashes: a child process writes through the store and prints every
/// acknowledged ref; it is killed with SIGKILL at random moments, and every acknowledged ref
/// must be in the database afterwards, as read by a connection of the test's own (and SQLite's
/// file must pass `PRAGMA integrity_check`).
@Suite struct StoreCrashTests {
    /// The helper executable, built beside the test bundle.
    var childPath: String {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().appendingPathComponent("StoreCrashChild").path
    }

    @Test(arguments: StoreBackend.underTest)
    func everyAcknowledgedWriteSurvivesKillNine(_ backend: StoreBackend) throws {
        try #require(FileManager.default.isExecutableFile(atPath: childPath), "missing \(childPath)")
        let database = try TestDatabase(backend, "crash")
        let location = backend == .sqlite ? database.configuration.path : database.configuration.url
        var random = SystemRandomNumberGenerator()
        var acknowledged: [String] = []
        let kills = 22
        for round in 0..<kills {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: childPath)
            child.arguments = [location, "8"]
            let output = Pipe()
            child.standardOutput = output
            child.standardError = FileHandle.nullDevice
            try child.run()
            usleep(UInt32.random(in: 80_000...400_000, using: &random))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal, "round \(round): the child exited by itself")
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let refs = text.split(separator: "\n").compactMap { line -> String? in
                line.hasPrefix("ACK ") ? String(line.dropFirst(4)) : nil
            }
            acknowledged += refs

            let connection = try database.surgeon()
            if backend == .sqlite { #expect(try connection.text("PRAGMA integrity_check") == "ok", "round \(round)") }
            var missing: [String] = []
            for ref in refs where try connection.integer("SELECT count(*) FROM jobs WHERE ref = ?", [.text(ref)]) != 1 {
                missing.append(ref)
            }
            #expect(missing.isEmpty, "round \(round): \(missing.count) acknowledged writes lost, e.g. \(missing.prefix(3))")
        }
        #expect(acknowledged.count > kills * 10, "the children acknowledged only \(acknowledged.count) writes")
        let store = try Store(database.configuration)
        defer { store.close() }
        #expect(try store.loadCommittedState().openJobs.count >= acknowledged.count)
    }
}
