import Foundation
import SevaCore
import Testing
@testable import SevaStore

@Suite struct StoreRoundTripTests {
    @Test func everyTableRoundTrips() throws {
        let directory = TemporaryDirectory("roundtrip")
        let configuration = StoreConfiguration(path: directory.file("sevad.db"))
        let store = try Store(configuration)
        var worker = StoredWorker(id: "w-17", skills: ["plumber", "mason"], updatedMs: 10)
        worker.name = "Ramesh \"Ramu\" Kumar — रमेश"
        worker.phone = "+91 98765 43210"
        worker.district = "hathras"
        worker.verified = true
        worker.radiusKm = 12.5
        worker.availability = .on
        worker.ratingSum = 23
        worker.ratingCount = 5
        var token = StoredToken(hash: Array(repeating: 0xAB, count: 32), prefix: "sv1_abcd", role: .worker,
                                worker: "w-17", createdMs: 11)
        token.label = "phone"
        let revoked = StoredToken(hash: Array(repeating: 0x01, count: 32), prefix: "sv1_zz", role: .booker, createdMs: 12)
        let position = StoredPosition(worker: "w-17", lat: 27.59612, lon: 78.05034, accuracyM: 8, atMs: 13)

        let (worker_, token_) = (worker, token)
        let (job, seq) = try store.write { transaction in
            try transaction.upsertWorker(worker_)
            try transaction.insertToken(token_)
            try transaction.insertToken(revoked)
            try transaction.revokeTokens(prefix: "sv1_z", atMs: 14)
            try transaction.savePositions([position])
            var job = try transaction.createJob(sampleJob(ref: "portal-1")).job
            job.state = .offered
            job.worker = "w-17"
            job.offerDeadlineMs = 40_000
            job.offersMade = 1
            job.updatedMs = 15
            let seq = try transaction.recordTransition(job, detail: #"{"reason":"nearest"}"#)
            return (job, seq)
        }
        store.close()

        let reopened = try Store(configuration)
        defer { reopened.close() }
        let state = try reopened.loadCommittedState()
        #expect(state.workers == [worker])
        #expect(state.tokens == [token])
        #expect(state.openJobs == [job])
        #expect(state.positions == [position])
        #expect(state.lastSeq == seq)
        let history = try reopened.reader.history(ofJob: job.id)
        #expect(history.map(\.state) == [.offered])
        #expect(history.first?.detail == #"{"reason":"nearest"}"#)
        #expect(try reopened.reader.events(after: 0, limit: 10).map(\.seq) == [seq])
        #expect(try reopened.reader.job(ref: "portal-1") == job)
        #expect(try reopened.reader.job(job.id) == job)
        #expect(try reopened.reader.job(job.id + 1) == nil)

        let deleted = try reopened.write { try $0.deleteWorker("w-17") }
        #expect(deleted)
        let after = try reopened.loadCommittedState()
        #expect(after.workers.isEmpty && after.tokens.isEmpty && after.positions.isEmpty)
    }

    @Test func theSameRefReturnsTheExistingJob() throws {
        let directory = TemporaryDirectory("idempotent")
        let store = try Store(StoreConfiguration(path: directory.file("sevad.db")))
        defer { store.close() }
        let first = try store.write { try $0.createJob(sampleJob(ref: "crm-42")) }
        var different = sampleJob(ref: "crm-42")
        different.skill = "electrician"
        let changed = different
        let second = try store.write { try $0.createJob(changed) }
        #expect(first.created && !second.created)
        #expect(second.job.id == first.job.id)
        #expect(second.job.skill == "plumber")
        let unreferenced = try store.write { try $0.createJob(sampleJob(ref: nil)) }
        let another = try store.write { try $0.createJob(sampleJob(ref: nil)) }
        #expect(unreferenced.created && another.created && unreferenced.job.id != another.job.id)
        #expect(try store.loadCommittedState().openJobs.count == 3)
    }

    @Test func finishedJobsAreNotLoadedAsOpen() throws {
        let directory = TemporaryDirectory("open")
        let store = try Store(StoreConfiguration(path: directory.file("sevad.db")))
        defer { store.close() }
        for state in JobState.allCases {
            _ = try store.write { try $0.createJob(sampleJob(ref: state.rawValue, state: state)) }
        }
        let open = try store.loadCommittedState().openJobs.map(\.state)
        #expect(Set(open) == Set(JobState.allCases.filter(\.isOpen)))
    }

    /// A value this build does not know (a row written by hand, or by a newer sevad) is an
    /// error naming the table, the row and the value, never read as some default.
    @Test func anUnknownEnumValueIsAnErrorNamingTheRow() throws {
        let directory = TemporaryDirectory("unknown")
        let path = directory.file("sevad.db")
        let store = try Store(StoreConfiguration(path: path))
        let id = try store.write { try $0.createJob(sampleJob(ref: "odd")) }.job.id
        _ = try store.write { try $0.upsertWorker(StoredWorker(id: "w-odd", skills: ["plumber"], updatedMs: 1)) }
        store.close()
        let surgery = try SQLiteConnection(path: path, mode: .readWrite)
        try surgery.execute("UPDATE jobs SET state = 'teleported' WHERE id = \(id)")
        let reopened = try Store(StoreConfiguration(path: path))
        defer { reopened.close() }
        #expect {
            _ = try reopened.reader.job(id)
        } throws: { error in
            "\(error)".contains("jobs row id \(id): state 'teleported' is not one of scheduled, searching")
        }
        try surgery.execute("UPDATE jobs SET state = 'searching' WHERE id = \(id)")
        try surgery.execute("UPDATE workers SET availability = 'napping' WHERE id = 'w-odd'")
        #expect {
            _ = try reopened.loadCommittedState()
        } throws: { error in
            "\(error)".contains("workers row w-odd: availability 'napping' is not one of")
        }
    }

    @Test func aFailedOperationIsRolledBackAloneAndReported() throws {
        let directory = TemporaryDirectory("savepoint")
        let store = try Store(StoreConfiguration(path: directory.file("sevad.db")))
        defer { store.close() }
        #expect(throws: StoreError.self) {
            try store.write { transaction in
                _ = try transaction.createJob(sampleJob(ref: "half-done"))
                // An event for a job that does not exist breaks the foreign key: the whole op goes.
                try transaction.appendEvent(StoredJobEvent(job: 999_999, atMs: 1, state: .searching))
            }
        }
        #expect(try store.reader.job(ref: "half-done") == nil)
        #expect(store.health == .healthy)
        _ = try store.write { try $0.createJob(sampleJob(ref: "after")) }
        #expect(try store.reader.job(ref: "after") != nil)
    }

    @Test func locationHistoryIsKeptByAgeOrNotAtAll() throws {
        let directory = TemporaryDirectory("history")
        var configuration = StoreConfiguration(path: directory.file("sevad.db"))
        let store = try Store(configuration)
        let samples = (0..<10).map { StoredPosition(worker: "w-1", lat: 27, lon: 78, atMs: Int64($0) * 1_000) }
        try store.write { try $0.appendLocationHistory(samples) }
        let purged = try store.write { try $0.purgeLocationHistory(beforeMs: 5_000) }
        #expect(purged == 5)
        #expect(try store.reader.locationHistory(of: "w-1").map(\.atMs) == [5_000, 6_000, 7_000, 8_000, 9_000])
        store.close()

        configuration.locationHistoryDays = 0
        let private_ = try Store(configuration)
        defer { private_.close() }
        try private_.write { try $0.appendLocationHistory([StoredPosition(worker: "w-2", lat: 1, lon: 1, atMs: 1)]) }
        #expect(try private_.reader.locationHistory(of: "w-2").isEmpty)
    }

    @Test func closingCheckpointsTheLog() throws {
        let directory = TemporaryDirectory("checkpoint")
        let path = directory.file("sevad.db")
        let store = try Store(StoreConfiguration(path: path))
        for index in 0..<50 { _ = try store.write { try $0.createJob(sampleJob(ref: "j\(index)")) } }
        store.close()
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(walSize == 0)
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0) > 0)
    }
}
