import Foundation
import SevaCore
import Testing
@testable import SevaStore

@Suite struct StoreRoundTripTests {
    @Test(arguments: StoreBackend.underTest)
    func everyTableRoundTrips(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "roundtrip")
        let configuration = database.configuration
        let store = try Store(configuration)
        var profile = WorkerProfile(id: "w-17", skills: try SkillCatalogue.standard.skills(["plumber", "mason"]).get())
        profile.name = "Ramesh \"Ramu\" Kumar — रमेश"
        profile.phone = "+91 98765 43210"
        profile.district = "hathras"
        profile.verified = true
        profile.radiusKm = 12.5
        profile.ratingSum = 23
        profile.ratingCount = 5
        let worker = RegisteredWorker(profile, availability: .on, updatedAt: 0.01)
        let token = IssuedToken(hash: Array(repeating: 0xAB, count: 32), prefix: "sv1_abcd", role: .worker, worker: "w-17",
                                label: "phone", createdAt: 0.011, expiresAt: 90_000.5, lastUsedAt: 0.02)
        let revoked = IssuedToken(hash: Array(repeating: 0x01, count: 32), prefix: "sv1_zz", role: .booker, worker: nil,
                                  label: "", createdAt: 0.012)
        let position = WorkerPosition(worker: "w-17", point: try GeoPoint(latitude: 27.59612, longitude: 78.05034),
                                      accuracyMetres: 8, at: 0.013)

        let (worker_, token_) = (worker, token)
        let (job, seq) = try store.write { transaction in
            try transaction.upsertWorker(worker_)
            try transaction.insertToken(token_)
            try transaction.insertToken(revoked)
            try transaction.revokeTokens(prefix: "sv1_z", at: 0.014)
            try transaction.savePositions([position])
            var job = try transaction.createJob(sampleJob(ref: "portal-1")).job
            job.state = .offered
            job.worker = "w-17"
            job.offerDeadline = 40
            job.offersMade = 1
            job.updatedAt = 15
            let seq = try transaction.recordTransition(job, detail: EventDetail().adding("reason", .text("nearest")))
            return (job, seq)
        }
        store.close()

        let reopened = try Store(configuration)
        defer { reopened.close() }
        let state = try reopened.loadCommittedState()
        #expect(state.workers == [worker])
        #expect(state.tokens == [token])
        let history = try reopened.reader.history(ofJob: job.id)
        var restored = job
        restored.restore(history: history)
        #expect(state.openJobs == [restored], "an open job comes back with its history")
        #expect(restored.tried == ["w-17"])
        #expect(state.positions == [position])
        #expect(state.lastSeq == seq)
        #expect(history.map(\.state) == [.offered])
        #expect(history.first?.detail.recorded == #"{"reason":"nearest"}"#)
        #expect(try reopened.reader.events(after: 0, limit: 10).map(\.seq) == [seq])
        #expect(try reopened.reader.job(ref: "portal-1") == job)
        #expect(try reopened.reader.job(job.id) == job)
        #expect(try reopened.reader.job(job.id + 1) == nil)

        let deleted = try reopened.write { try $0.deleteWorker("w-17") }
        #expect(deleted)
        let after = try reopened.loadCommittedState()
        #expect(after.workers.isEmpty && after.tokens.isEmpty && after.positions.isEmpty)
    }

    /// Every field of SevaCore's job goes into its column and comes back as it was — times to
    /// the millisecond — with no mapping outside the codec.
    @Test(arguments: StoreBackend.underTest)
    func everyFieldOfAJobRoundTrips(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "job-codec")
        let store = try Store(database.configuration)
        defer { store.close() }
        var job = Job(id: 41, skill: "electrician", skillSet: SkillSet(), point: hathras, state: .scheduled, createdAt: 1_764_578_000.125)
        job.client = "portal"
        job.ref = "crm-7"
        job.address = "House 12, Mohalla Kishanpur"
        job.customer = "+91 98765 43210"
        job.district = "hathras"
        job.rateInr = 250
        job.scheduledAt = 1_764_600_000.5
        job.worker = "w-3"
        job.offerDeadline = 1_764_578_030.25
        job.offersMade = 2
        job.updatedAt = 1_764_578_001.75
        let written = job
        try store.write { try $0.insertJob(written) }
        #expect(try store.reader.job(41) == job)
        job.state = .offered
        job.updatedAt += 1
        let moved = job
        try store.write { try $0.updateJob(moved) }
        #expect(try store.reader.job(41) == job)
    }

    @Test(arguments: StoreBackend.underTest)
    func aJobRowThatIsNotAPlaceIsAnErrorNamingTheRow(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "job-place")
        let store = try Store(database.configuration)
        defer { store.close() }
        let created = try store.write { try $0.createJob(sampleJob(ref: "somewhere")).job }
        let surgery = try database.surgeon()
        try surgery.execute("UPDATE jobs SET lat = 123 WHERE id = \(created.id)")
        #expect {
            _ = try store.reader.job(created.id)
        } throws: { error in
            "\(error)".contains("jobs row id \(created.id)") && "\(error)".contains("not a place")
        }
    }

    @Test(arguments: StoreBackend.underTest)
    func theSameRefReturnsTheExistingJob(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "idempotent")
        let store = try Store(database.configuration)
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

    @Test(arguments: StoreBackend.underTest)
    func finishedJobsAreNotLoadedAsOpen(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "open")
        let store = try Store(database.configuration)
        defer { store.close() }
        for state in JobState.allCases {
            _ = try store.write { try $0.createJob(sampleJob(ref: state.rawValue, state: state)) }
        }
        let open = try store.loadCommittedState().openJobs.map(\.state)
        #expect(Set(open) == Set(JobState.allCases.filter(\.isOpen)))
    }

    /// A value this build does not know (a row written by hand, or by a newer sevad) is an
    /// error naming the table, the row and the value, never read as some default.
    @Test(arguments: StoreBackend.underTest)
    func anUnknownEnumValueIsAnErrorNamingTheRow(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "unknown")
        let store = try Store(database.configuration)
        let id = try store.write { try $0.createJob(sampleJob(ref: "odd")) }.job.id
        _ = try store.write { try $0.upsertWorker(RegisteredWorker(WorkerProfile(id: "w-odd", skills: SkillSet()), updatedAt: 1)) }
        store.close()
        let surgery = try database.surgeon()
        try surgery.execute("UPDATE jobs SET state = 'teleported' WHERE id = \(id)")
        let reopened = try Store(database.configuration)
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

    @Test(arguments: StoreBackend.underTest)
    func aFailedOperationIsRolledBackAloneAndReported(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "savepoint")
        let store = try Store(database.configuration)
        defer { store.close() }
        #expect(throws: StoreError.self) {
            try store.write { transaction in
                _ = try transaction.createJob(sampleJob(ref: "half-done"))
                // An event for a job that does not exist breaks the foreign key: the whole op goes.
                try transaction.appendEvent(JobEvent(seq: 0, job: 999_999, at: 1, state: .searching, worker: nil, detail: EventDetail()))
            }
        }
        #expect(try store.reader.job(ref: "half-done") == nil)
        #expect(store.health == .healthy)
        _ = try store.write { try $0.createJob(sampleJob(ref: "after")) }
        #expect(try store.reader.job(ref: "after") != nil)
    }

    @Test(arguments: StoreBackend.underTest)
    func locationHistoryIsKeptByAgeOrNotAtAll(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "history")
        var configuration = database.configuration
        let store = try Store(configuration)
        let samples = (0..<10).map { WorkerPosition(worker: "w-1", point: hathras, at: Double($0)) }
        try store.write { try $0.appendLocationHistory(samples) }
        let purged = try store.write { try $0.purgeLocationHistory(before: 5) }
        #expect(purged == 5)
        #expect(try store.reader.locationHistory(of: "w-1").map(\.at) == [5, 6, 7, 8, 9])
        store.close()

        configuration.locationHistoryDays = 0
        let private_ = try Store(configuration)
        defer { private_.close() }
        try private_.write { try $0.appendLocationHistory([WorkerPosition(worker: "w-2", point: hathras, at: 1)]) }
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
