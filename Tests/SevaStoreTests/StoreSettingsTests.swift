import Foundation
import SevaCore
import Testing
@testable import SevaStore

@Suite struct StoreSettingsTests {
    @Test(arguments: [StoreConfiguration.Synchronous.full, .normal])
    func theWriteConnectionIsConfiguredAsAsked(_ synchronous: StoreConfiguration.Synchronous) throws {
        let directory = TemporaryDirectory("settings")
        var configuration = StoreConfiguration(path: directory.file("sevad.db"))
        configuration.synchronous = synchronous
        configuration.cacheSizeKiB = 4_096
        configuration.walAutocheckpointPages = 500
        configuration.busyTimeoutMs = 1_234
        let connection = try StoreConnections.writer(configuration, creating: true)
        #expect(try connection.text("PRAGMA journal_mode") == "wal")
        #expect(try connection.integer("PRAGMA synchronous") == (synchronous == .full ? 2 : 1))
        #expect(try connection.integer("PRAGMA foreign_keys") == 1)
        #expect(try connection.integer("PRAGMA cache_size") == -4_096)
        #expect(try connection.integer("PRAGMA wal_autocheckpoint") == 500)
        #expect(try connection.integer("PRAGMA busy_timeout") == 1_234)
        #expect(try connection.integer("PRAGMA temp_store") == 2)
    }

    @Test func anExistingFileIsRequiredWhenReopeningAfterAFailure() {
        let directory = TemporaryDirectory("nocreate")
        let configuration = StoreConfiguration(path: directory.file("missing.db"))
        #expect(throws: DatabaseError.self) { try StoreConnections.writer(configuration, creating: false) }
        #expect(!FileManager.default.fileExists(atPath: configuration.path))
    }

    @Test func maintenancePurgesHistoryOlderThanTheRetention() throws {
        let directory = TemporaryDirectory("retention")
        var configuration = StoreConfiguration(path: directory.file("sevad.db"))
        configuration.locationHistoryDays = 7
        configuration.maintenanceIntervalSeconds = 0.1
        let store = try Store(configuration)
        defer { store.close() }
        let now = Date().timeIntervalSince1970.rounded()
        let day = 86_400.0
        try store.write { transaction in
            try transaction.appendLocationHistory([
                WorkerPosition(worker: "w-1", point: hathras, at: now - 8 * day),
                WorkerPosition(worker: "w-1", point: hathras, at: now - 6 * day),
                WorkerPosition(worker: "w-1", point: hathras, at: now),
            ])
        }
        #expect(eventually { (try? store.reader.locationHistory(of: "w-1").count) == 2 },
                "the 8-day-old sample was not purged")
        #expect(try store.reader.locationHistory(of: "w-1").map(\.at) == [now - 6 * day, now])
    }
}
