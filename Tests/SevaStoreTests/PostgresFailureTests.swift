import Foundation
import Testing
@testable import SevaStore

/// PostgreSQL's own failures: the store's sessions ended by the server (as a failover or an
/// administrator does), and the server stopped and started again. The store fails closed —
/// the batch that met the failure is not acknowledged, the store reports degraded — and
/// comes back by itself on new sessions.
@Suite(.serialized) struct PostgresFailureTests {
    func fastProbing(_ database: TestDatabase) -> StoreConfiguration {
        var configuration = database.configuration
        configuration.probeIntervalSeconds = 0.05
        return configuration
    }

    /// Ends every session of the store's on the test's database; returns how many it ended.
    @discardableResult
    func terminateSessions(of database: TestDatabase, named names: [String]) throws -> Int64 {
        let admin = try database.surgeon()
        let list = names.map { "'\($0)'" }.joined(separator: ", ")
        return try admin.integer("""
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = current_database() AND split_part(application_name, ' ', 1) IN (\(list))
            """)
    }

    @Test(.enabled(if: StoreBackend.underTest.contains(.postgresql), "PostgreSQL is not installed"))
    func aLostWriterSessionFailsTheBatchDegradesAndRecovers() throws {
        let database = try TestDatabase(.postgresql, "lostwriter")
        let store = try Store(fastProbing(database))
        defer { store.close() }
        let before = try store.write { try $0.createJob(sampleJob(ref: "before")).job }
        #expect(try terminateSessions(of: database, named: ["sevad-writer"]) == 1)

        #expect(throws: StoreError.self) { try store.write { try $0.createJob(sampleJob(ref: "lost")) } }
        #expect(try database.surgeon().integer("SELECT count(*) FROM jobs WHERE ref = 'lost'") == 0,
                "a write that was refused left nothing behind")
        #expect(eventually(within: 20) { store.health == .healthy }, "the store did not come back on a new session")
        let after = try store.write { try $0.createJob(sampleJob(ref: "after")).job }
        #expect(after.id == before.id + 1)
    }

    @Test(.enabled(if: StoreBackend.underTest.contains(.postgresql), "PostgreSQL is not installed"))
    func lostReaderSessionsAreOpenedAfresh() throws {
        let database = try TestDatabase(.postgresql, "lostreader")
        let store = try Store(fastProbing(database))
        defer { store.close() }
        let job = try store.write { try $0.createJob(sampleJob(ref: "kept")).job }
        #expect(try terminateSessions(of: database, named: ["sevad-reader"]) == 2)
        // A read that meets an ended session is tried once more on a new one: reads change nothing.
        #expect(try store.reader.job(job.id) == job)
        #expect(try store.loadCommittedState().openJobs.map(\.id) == [job.id])
    }
}
