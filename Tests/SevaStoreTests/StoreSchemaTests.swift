import Foundation
import Testing
@testable import SevaStore

@Suite struct StoreSchemaTests {
    @Test func anEmptyFileGetsTheWholeSchema() throws {
        let directory = TemporaryDirectory("schema")
        let store = try Store(StoreConfiguration(path: directory.file("sevad.db")))
        defer { store.close() }
        #expect(try store.reader.schemaVersion() == StoreSchema.currentVersion)
        let connection = try SQLiteConnection(path: directory.file("sevad.db"), mode: .readOnly)
        let tables = try connection.statement("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").bind([])
        var names: [String] = []
        while try tables.step() { names.append(tables.text(0)) }
        for table in ["workers", "tokens", "jobs", "job_events", "worker_positions", "location_history"] {
            #expect(names.contains(table), "missing table \(table)")
        }
        #expect(try connection.text("PRAGMA journal_mode") == "wal")
    }

    @Test(arguments: Array(0..<StoreSchema.currentVersion))
    func everyEarlierVersionUpgrades(_ from: Int) throws {
        let directory = TemporaryDirectory("upgrade")
        let path = directory.file("sevad.db")
        do {
            let connection = try SQLiteConnection(path: path, mode: .readWriteCreate)
            try StoreSchema.migrate(connection, to: from)
            #expect(try connection.integer("PRAGMA user_version") == Int64(from))
            if from >= 1 {
                try connection.statement("INSERT INTO workers (id, skills, updated_ms) VALUES (?, ?, ?)")
                    .run([.text("w-old"), .text("mason"), .integer(5)])
            }
        }
        let store = try Store(StoreConfiguration(path: path))
        defer { store.close() }
        #expect(try store.reader.schemaVersion() == StoreSchema.currentVersion)
        if from >= 1 { #expect(try store.loadCommittedState().workers.map(\.id) == ["w-old"]) }
        try store.write { try $0.appendLocationHistory([StoredPosition(worker: "w-old", lat: 1, lon: 2, atMs: 3)]) }
    }

    @Test func aNewerSchemaIsRefusedUntouched() throws {
        let directory = TemporaryDirectory("future")
        let path = directory.file("sevad.db")
        do {
            let connection = try SQLiteConnection(path: path, mode: .readWriteCreate)
            try connection.execute("PRAGMA user_version = 99")
        }
        #expect(throws: StoreError.futureSchema(found: 99, supported: StoreSchema.currentVersion)) {
            try Store(StoreConfiguration(path: path))
        }
        let connection = try SQLiteConnection(path: path, mode: .readOnly)
        #expect(try connection.integer("PRAGMA user_version") == 99)
        #expect(try connection.integer("SELECT count(*) FROM sqlite_master") == 0)
        #expect(StoreError.futureSchema(found: 99, supported: 2).description.contains("newer than this sevad supports"))
    }

    @Test func reopeningChangesNothing() throws {
        let directory = TemporaryDirectory("reopen")
        let configuration = StoreConfiguration(path: directory.file("sevad.db"))
        let first = try Store(configuration)
        _ = try first.write { try $0.createJob(sampleJob(ref: "a")) }
        first.close()
        let second = try Store(configuration)
        defer { second.close() }
        #expect(try second.loadCommittedState().openJobs.map(\.ref) == ["a"])
    }
}
