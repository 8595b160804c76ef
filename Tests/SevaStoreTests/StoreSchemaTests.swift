import Foundation
import SevaCore
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
        if from >= 1 { #expect(try store.loadCommittedState().workers.map(\.profile.id) == ["w-old"]) }
        try store.write { try $0.appendLocationHistory([WorkerPosition(worker: "w-old", point: hathras, at: 3)]) }
    }

    /// Version 4 rebuilds `jobs` for per-client refs: older jobs and their histories survive
    /// (belonging to no client), foreign keys still hold, and two clients may share a ref.
    @Test func jobsFromBeforeClientsKeepTheirHistoryAndRefsBecomePerClient() throws {
        let directory = TemporaryDirectory("clients")
        let path = directory.file("sevad.db")
        do {
            let connection = try SQLiteConnection(path: path, mode: .readWriteCreate)
            try StoreSchema.migrate(connection, to: 3)
            try connection.execute("""
                INSERT INTO jobs (id, ref, skill, lat, lon, state, created_ms, updated_ms)
                    VALUES (7, 'portal-1', 'plumber', 27.5, 78.0, 'searching', 1000, 1000);
                INSERT INTO job_events (seq, job, at_ms, state) VALUES (11, 7, 1000, 'searching');
                INSERT INTO tokens (hash, prefix, role, created_ms) VALUES (x'00', 'sv1_AAAAAAAA', 'booker', 1);
                """)
        }
        let store = try Store(StoreConfiguration(path: path))
        defer { store.close() }
        let old = try #require(try store.reader.job(7))
        #expect(old.client == "" && old.ref == "portal-1")
        #expect(try store.reader.history(ofJob: 7).map(\.seq) == [11])
        #expect(try store.loadCommittedState().tokens.map(\.client) == ["sv1_AAAAAAAA"], "a booker from before clients is its own")
        let portal = { var job = sampleJob(ref: "portal-1"); job.client = "web-portal"; return job }()
        let crm = { var job = sampleJob(ref: "portal-1"); job.client = "helpline-crm"; return job }()
        let first = try store.write { try $0.createJob(portal) }
        let second = try store.write { try $0.createJob(crm) }
        let again = try store.write { try $0.createJob(portal) }
        #expect(first.created && second.created && !again.created)
        #expect(Set([old.id, first.job.id, second.job.id]).count == 3, "one ref, three clients, three jobs")
        #expect(again.job.id == first.job.id)
        #expect(try store.reader.job(ref: "portal-1", client: "helpline-crm")?.id == second.job.id)
        #expect(try store.reader.jobs(after: 0, state: nil, skill: nil, client: "web-portal", limit: 10).map(\.id) == [first.job.id])
        let connection = try SQLiteConnection(path: path, mode: .readOnly)
        #expect(try connection.integer("SELECT count(*) FROM pragma_foreign_key_check") == 0)
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
