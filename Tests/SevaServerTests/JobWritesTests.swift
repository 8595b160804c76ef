import Foundation
import SevaCore
import SevaStore
import Testing
@testable import SevaServer

/// One dispatch step's changes fold into one write per job row, every event in order.
@Suite struct JobWritesTests {
    let hathras = try! GeoPoint(latitude: 27.596, longitude: 78.05)

    func job(_ id: Int64, _ state: JobState, worker: String? = nil, at time: Double) -> Job {
        var job = Job(id: id, skill: "plumber", skillSet: SkillSet(), point: hathras, state: state, createdAt: 100)
        job.worker = worker
        job.updatedAt = time
        return job
    }

    func event(_ seq: Int64, job: Int64, _ state: JobState, worker: String? = nil, at time: Double) -> JobEvent {
        JobEvent(seq: seq, job: job, at: time, state: state, worker: worker, detail: EventDetail())
    }

    @Test func anAutoModeBookingIsOneInsertOfItsLastStateAndBothEvents() {
        let writes = JobWrites([
            .created(job(1, .searching, at: 100), event(1, job: 1, .searching, at: 100)),
            .transition(job(1, .assigned, worker: "w1", at: 100), event(2, job: 1, .assigned, worker: "w1", at: 100)),
            .transition(job(2, .offered, worker: "w2", at: 100), event(3, job: 2, .offered, worker: "w2", at: 100)),
            .availability(worker: "w3", .break),
        ], at: 100)
        #expect(writes.rows.map(\.job.id) == [1, 2])
        #expect(writes.rows.map(\.created) == [true, false])
        #expect(writes.rows[0].job.state == .assigned && writes.rows[0].job.worker == "w1")
        #expect(writes.events.map(\.seq) == [1, 2, 3])
        #expect(writes.availabilities.map(\.worker) == ["w3"])
        #expect(JobWrites([], at: 0).isEmpty)
    }

    @Test func appliedToTheStoreTheJobReadsBackAsItEndedTheStep() throws {
        let directory = NSTemporaryDirectory() + "sevad-jobwrites-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try Store(StoreConfiguration(path: directory + "/sevad.db"))
        defer { store.close() }
        let booked = job(7, .assigned, worker: "w1", at: 101)
        let writes = JobWrites([
            .created(job(7, .searching, at: 100), event(1, job: 7, .searching, at: 100)),
            .transition(booked, event(2, job: 7, .assigned, worker: "w1", at: 101)),
        ], at: 101)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<Void, StoreError>?
        try store.submit(on: InlineCompletions(), { try writes.apply(to: $0) }) { result in
            outcome = result
            done.signal()
        }
        done.wait()
        #expect(throws: Never.self) { try outcome?.get() }
        #expect(try store.reader.job(7) == booked)
        #expect(try store.reader.history(ofJob: 7).map(\.state) == [.searching, .assigned])
    }
}
