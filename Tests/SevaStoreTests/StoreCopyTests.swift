import Foundation
import SevaCore
import Testing
@testable import SevaStore

/// Moving a deployment's store: every row of an SQLite store into an empty database of either
/// backend, read back through the store as the same committed state.
@Suite struct StoreCopyTests {
    /// An SQLite store with a row in every table: workers, a live and a revoked token, jobs
    /// with their histories, a position and location history.
    func filledSource() throws -> TestDatabase {
        let source = try TestDatabase(.sqlite, "copysource")
        let store = try Store(source.configuration)
        defer { store.close() }
        var profile = WorkerProfile(id: "w-1", skills: try SkillCatalogue.standard.skills(["plumber"]).get())
        profile.name = "Sunita Devi — सुनीता"
        profile.verified = true
        profile.radiusKm = 7.5
        let busyWorker = profile
        try store.write { transaction in
            try transaction.upsertWorker(RegisteredWorker(busyWorker, availability: .on, updatedAt: 10.5))
            try transaction.upsertWorker(RegisteredWorker(WorkerProfile(id: "w-2", skills: SkillSet()), updatedAt: 11))
            try transaction.insertToken(IssuedToken(hash: Array(repeating: 7, count: 32), prefix: "sv1_live", role: .worker,
                                                    worker: "w-1", label: "phone", createdAt: 12, expiresAt: 99_999))
            try transaction.insertToken(IssuedToken(hash: Array(repeating: 8, count: 32), prefix: "sv1_gone", role: .booker,
                                                    worker: nil, label: "", createdAt: 13))
            try transaction.revokeTokens(prefix: "sv1_gone", at: 14)
            for index in 0..<30 {
                var job = try transaction.createJob(sampleJob(ref: "copy-\(index)")).job
                job.state = index % 2 == 0 ? .offered : .cancelled
                job.worker = index % 2 == 0 ? "w-1" : nil
                job.updatedAt = 20 + Double(index)
                try transaction.recordTransition(job, detail: EventDetail().adding("reason", .text("test \(index)")))
            }
            try transaction.savePositions([WorkerPosition(worker: "w-1", point: hathras, accuracyMetres: 9, at: 15)])
            try transaction.appendLocationHistory([WorkerPosition(worker: "w-1", point: hathras, at: 15)])
        }
        return source
    }

    @Test(arguments: StoreBackend.underTest)
    func everyRowArrivesAndReadsBackAsTheSameState(_ backend: StoreBackend) throws {
        let source = try filledSource()
        let target = try TestDatabase(backend, "copytarget")
        let copied = try StoreCopy.copy(from: source.configuration, to: target.configuration)
        #expect(copied.map(\.table) == StoreCopy.tables)
        #expect(Dictionary(uniqueKeysWithValues: copied.map { ($0.table, $0.rows) })
                == ["workers": 2, "tokens": 2, "jobs": 30, "job_events": 30, "worker_positions": 1, "location_history": 1])

        let before = try Store(source.configuration)
        let after = try Store(target.configuration)
        defer { before.close(); after.close() }
        let was = try before.loadCommittedState()
        let now = try after.loadCommittedState()
        #expect(now.workers == was.workers && now.tokens == was.tokens && now.openJobs == was.openJobs)
        #expect(now.positions == was.positions && now.lastSeq == was.lastSeq && now.lastJobID == was.lastJobID)
        #expect(now.tokens.map(\.prefix) == ["sv1_live"], "a revoked token stays revoked")
        #expect(try after.reader.events(after: 0, limit: 100) == before.reader.events(after: 0, limit: 100))
        #expect(try after.reader.locationHistory(of: "w-1") == before.reader.locationHistory(of: "w-1"))
        // The copy goes on from where the source left off.
        let next = try after.write { try $0.createJob(sampleJob(ref: "after-copy")).job }
        #expect(next.id == was.lastJobID + 1)
    }

    @Test(arguments: StoreBackend.underTest)
    func aTargetThatIsNotEmptyIsRefusedAndLeftAsItWas(_ backend: StoreBackend) throws {
        let source = try filledSource()
        let target = try TestDatabase(backend, "copybusy")
        do {
            let store = try Store(target.configuration)
            _ = try store.write { try $0.createJob(sampleJob(ref: "already-here")) }
            store.close()
        }
        #expect {
            _ = try StoreCopy.copy(from: source.configuration, to: target.configuration)
        } throws: { error in
            "\(error)".contains("already holds 1 rows in jobs")
        }
        let store = try Store(target.configuration)
        defer { store.close() }
        #expect(try store.loadCommittedState().openJobs.map(\.ref) == ["already-here"])
        #expect(try store.loadCommittedState().workers.isEmpty)
    }
}
