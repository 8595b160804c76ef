import Foundation
import Testing
@testable import SevaStore

/// Real storage failures: a full filesystem, an immutable file, a moved or deleted directory.
/// These need root (mount, chattr), as the project's machines and CI have.
@Suite(.serialized) struct StoreFailureTests {
    func shell(_ command: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try? process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func fastProbing(_ path: String) -> StoreConfiguration {
        var configuration = StoreConfiguration(path: path)
        configuration.probeIntervalSeconds = 0.05
        return configuration
    }

    /// Submits job writes until one fails; returns the refs acknowledged and the first failure.
    func writeUntilFailure(_ store: Store, prefix: String, limit: Int = 20_000) -> (acknowledged: [String], failure: StoreError?) {
        var acknowledged: [String] = []
        let padding = String(repeating: "x", count: 2_000)
        for index in 0..<limit {
            let ref = "\(prefix)-\(index)"
            do {
                _ = try store.write { transaction in
                    var job = sampleJob(ref: ref)
                    job.address = padding
                    return try transaction.createJob(job)
                }
                acknowledged.append(ref)
            } catch let error as StoreError {
                return (acknowledged, error)
            } catch {
                return (acknowledged, .unavailable("\(error)"))
            }
        }
        return (acknowledged, nil)
    }

    func expectAllPresent(_ refs: [String], in store: Store) throws {
        for ref in refs { #expect(try store.reader.job(ref: ref) != nil, "acknowledged \(ref) was lost") }
        #expect(try store.reader.integrityCheck() == "ok")
    }

    @Test func aFullDiskDegradesRefusesAndRecovers() throws {
        let directory = TemporaryDirectory("diskfull")
        let mountPoint = directory.file("tiny")
        let image = directory.file("tiny.img")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        // A real (ext4) filesystem of 8 MiB on a loop device. Not tmpfs: SQLite maps its WAL
        // index (-shm) into memory, and a full tmpfs answers a touch of that map with SIGBUS.
        try #require(shell("truncate -s 8M \(image) && mkfs.ext4 -q -F \(image) && mount -o loop \(image) \(mountPoint)") == 0,
                     "mounting a loop filesystem needs root")
        defer { _ = shell("umount \(mountPoint) || umount -l \(mountPoint)") }
        let store = try Store(fastProbing(mountPoint + "/sevad.db"))
        defer { store.close() }
        let before = writeUntilFailure(store, prefix: "before", limit: 20)
        #expect(before.failure == nil && before.acknowledged.count == 20)

        // Fill what is left of the filesystem.
        _ = shell("dd if=/dev/zero of=\(mountPoint)/ballast bs=64k 2>/dev/null")
        let during = writeUntilFailure(store, prefix: "during")
        let failure = try #require(during.failure, "writes kept succeeding on a full disk")
        guard case .unavailable = failure else { Issue.record("expected unavailable, got \(failure)"); return }
        guard case .degraded = store.health else { Issue.record("store still reports healthy"); return }
        #expect(throws: StoreError.self) { try store.write { try $0.createJob(sampleJob(ref: "refused")) } }

        _ = shell("rm -f \(mountPoint)/ballast")
        #expect(eventually { store.health == .healthy }, "the store did not recover after space came back")
        let after = writeUntilFailure(store, prefix: "after", limit: 5)
        #expect(after.failure == nil)
        try expectAllPresent(before.acknowledged + during.acknowledged + after.acknowledged, in: store)
        #expect(try store.reader.job(ref: "during-\(during.acknowledged.count)") == nil, "the failed write was kept")
        #expect(try store.reader.job(ref: "refused") == nil)
    }

    @Test func anImmutableDatabaseFileDegradesAndRecovers() throws {
        let directory = TemporaryDirectory("readonly")
        let path = directory.file("sevad.db")
        let store = try Store(fastProbing(path))
        defer { store.close() }
        let before = writeUntilFailure(store, prefix: "before", limit: 10)
        // The database and its log; not the -shm, which SQLite maps into memory: a write fault
        // on a mapping of an immutable file is a SIGBUS, not an error SQLite could report.
        let files = [path, path + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
        try #require(shell("chattr +i " + files.joined(separator: " ")) == 0, "chattr +i needs root on ext4")
        let during = writeUntilFailure(store, prefix: "during", limit: 50)
        _ = shell("chattr -i " + files.joined(separator: " "))
        let failure = try #require(during.failure, "writes kept succeeding on an immutable file")
        guard case .unavailable = failure else { Issue.record("expected unavailable, got \(failure)"); return }
        #expect(eventually { store.health == .healthy })
        let after = writeUntilFailure(store, prefix: "after", limit: 5)
        #expect(after.failure == nil)
        try expectAllPresent(before.acknowledged + during.acknowledged + after.acknowledged, in: store)
    }

    @Test func aMovedDirectoryDegradesUntilItIsBack() throws {
        let directory = TemporaryDirectory("moved")
        let home = directory.file("state")
        let away = directory.file("state-away")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let store = try Store(fastProbing(home + "/sevad.db"))
        defer { store.close() }
        let before = writeUntilFailure(store, prefix: "before", limit: 10)
        try FileManager.default.moveItem(atPath: home, toPath: away)
        let during = writeUntilFailure(store, prefix: "during", limit: 10)
        #expect(during.failure != nil && during.acknowledged.isEmpty, "a write succeeded into a moved file")
        usleep(200_000)
        #expect(store.health != .healthy, "recovered while the file was still gone")
        try FileManager.default.moveItem(atPath: away, toPath: home)
        #expect(eventually { store.health == .healthy })
        let after = writeUntilFailure(store, prefix: "after", limit: 5)
        #expect(after.failure == nil)
        try expectAllPresent(before.acknowledged + after.acknowledged, in: store)
    }

    @Test func aDeletedDirectoryStaysDegraded() throws {
        let directory = TemporaryDirectory("deleted")
        let home = directory.file("state")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let store = try Store(fastProbing(home + "/sevad.db"))
        defer { store.close() }
        _ = writeUntilFailure(store, prefix: "before", limit: 3)
        try FileManager.default.removeItem(atPath: home)
        let during = writeUntilFailure(store, prefix: "during", limit: 5)
        #expect(during.failure != nil && during.acknowledged.isEmpty)
        usleep(300_000)
        guard case .degraded(let reason) = store.health else { Issue.record("healthy without its file"); return }
        #expect(!reason.isEmpty)
        // A fresh, empty database must not silently replace the lost one.
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        usleep(300_000)
        #expect(store.health != .healthy)
        #expect(!FileManager.default.fileExists(atPath: home + "/sevad.db"))
    }
}
