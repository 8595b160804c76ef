import Foundation
import SevaCore
import Testing
@testable import SevaStore

@Suite struct StoreSchemaTests {
    /// The tables a connection's database holds, by name.
    static func tables(_ connection: any DatabaseConnection) throws -> [String] {
        let query = try connection.statement(connection.dialect == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name").bind([])
        var names: [String] = []
        while try query.step() { names.append(query.text(0)) }
        return names
    }

    @Test(arguments: StoreBackend.underTest)
    func anEmptyDatabaseGetsTheWholeSchema(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "schema")
        let store = try Store(database.configuration)
        defer { store.close() }
        #expect(try store.reader.schemaVersion() == StoreSchema.currentVersion)
        let connection = try database.surgeon()
        let names = try Self.tables(connection)
        for table in ["workers", "tokens", "jobs", "job_events", "worker_positions", "location_history"] {
            #expect(names.contains(table), "missing table \(table)")
        }
        if backend == .sqlite { #expect(try connection.text("PRAGMA journal_mode") == "wal") }
    }

    /// Both dialects' migrations make the same columns, in the same order, at every version.
    @Test(arguments: Array(1...StoreSchema.currentVersion))
    func bothDialectsHaveTheSameColumnsAtEveryVersion(_ version: Int) throws {
        guard StoreBackend.underTest.contains(.postgresql) else { return }
        let sqlite = try TestDatabase(.sqlite, "columns")
        let postgres = try TestDatabase(.postgresql, "columns")
        var columns: [StoreBackend: [String]] = [:]
        for database in [sqlite, postgres] {
            let connection = try database.surgeon()
            try StoreSchema.migrate(connection, to: version)
            var found: [String] = []
            for table in try Self.tables(connection) where table != "store_schema" {
                let query = try connection.statement(database.backend == .sqlite
                    ? "SELECT name FROM pragma_table_info(?) ORDER BY cid"
                    : "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position")
                    .bind([.text(table)])
                while try query.step() { found.append("\(table).\(query.text(0))") }
            }
            columns[database.backend] = found.sorted()
        }
        #expect(columns[.sqlite] == columns[.postgresql])
        #expect(columns[.sqlite]?.isEmpty == false)
    }

    @Test(arguments: StoreBackend.underTest, Array(0..<StoreSchema.currentVersion))
    func everyEarlierVersionUpgrades(_ backend: StoreBackend, _ from: Int) throws {
        let database = try TestDatabase(backend, "upgrade")
        do {
            let connection = try database.surgeon()
            try StoreSchema.migrate(connection, to: from)
            if from >= 1 {
                #expect(try connection.integer(StoreSchema.versionQuery(connection.dialect)) == Int64(from))
                try connection.statement("INSERT INTO workers (id, skills, updated_ms) VALUES (?, ?, ?)")
                    .run([.text("w-old"), .text("mason"), .integer(5)])
            }
        }
        let store = try Store(database.configuration)
        defer { store.close() }
        #expect(try store.reader.schemaVersion() == StoreSchema.currentVersion)
        if from >= 1 { #expect(try store.loadCommittedState().workers.map(\.profile.id) == ["w-old"]) }
        try store.write { try $0.appendLocationHistory([WorkerPosition(worker: "w-old", point: hathras, at: 3)]) }
    }

    /// Version 4 makes refs per client: older jobs and their histories survive (belonging to no
    /// client), foreign keys still hold, and two clients may share a ref.
    @Test(arguments: StoreBackend.underTest)
    func jobsFromBeforeClientsKeepTheirHistoryAndRefsBecomePerClient(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "clients")
        do {
            let connection = try database.surgeon()
            try StoreSchema.migrate(connection, to: 3)
            try connection.execute("""
                INSERT INTO jobs (id, ref, skill, lat, lon, state, created_ms, updated_ms)
                    VALUES (7, 'portal-1', 'plumber', 27.5, 78.0, 'searching', 1000, 1000);
                INSERT INTO job_events (seq, job, at_ms, state) VALUES (11, 7, 1000, 'searching');
                INSERT INTO tokens (hash, prefix, role, created_ms) VALUES (\(backend == .sqlite ? "x'00'" : "'\\x00'"),
                    'sv1_AAAAAAAA', 'booker', 1);
                """)
        }
        let store = try Store(database.configuration)
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
        #expect(try store.write { try $0.appendEvent(JobEvent(seq: 0, job: first.job.id, at: 2, state: .searching, worker: nil,
                                                               detail: EventDetail())) } == 12, "seq goes on from the highest")
        if backend == .sqlite {
            let connection = try SQLiteConnection(path: database.configuration.path, mode: .readOnly)
            #expect(try connection.integer("SELECT count(*) FROM pragma_foreign_key_check") == 0)
        }
    }

    @Test(arguments: StoreBackend.underTest)
    func aNewerSchemaIsRefusedUntouched(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "future")
        let connection = try database.surgeon()
        try connection.execute(backend == .sqlite ? "PRAGMA user_version = 99"
            : "CREATE TABLE store_schema (version INTEGER NOT NULL); INSERT INTO store_schema VALUES (99)")
        #expect(throws: StoreError.futureSchema(found: 99, supported: StoreSchema.currentVersion)) {
            try Store(database.configuration)
        }
        #expect(try connection.integer(StoreSchema.versionQuery(connection.dialect)) == 99)
        #expect(try Self.tables(connection).filter { $0 != "store_schema" } == [])
        #expect(StoreError.futureSchema(found: 99, supported: 2).description.contains("newer than this sevad supports"))
    }

    @Test(arguments: StoreBackend.underTest)
    func reopeningChangesNothing(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "reopen")
        let first = try Store(database.configuration)
        _ = try first.write { try $0.createJob(sampleJob(ref: "a")) }
        first.close()
        let second = try Store(database.configuration)
        defer { second.close() }
        #expect(try second.loadCommittedState().openJobs.map(\.ref) == ["a"])
    }
}
