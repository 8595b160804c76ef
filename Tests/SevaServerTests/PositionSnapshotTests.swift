import Foundation
import SevaCore
import SevaStore
import Testing
@testable import SevaServer

/// The periodic position snapshot shares the store's one writer with bookings, so it goes in
/// chunks, each handed over only once the last has committed: a booking never waits behind
/// more than one chunk's transaction.
@Suite struct PositionSnapshotTests {
    @Test func theSnapshotHandsTheStoreOneChunkAtATime() throws {
        let fixture = try EngineOnItsLoop("snapshot") { $0.store.positionSnapshotSeconds = 0.1 }
        let store = fixture.store
        let workers = EngineTuning.snapshotChunk * 4 + 10
        let skills = fixture.engine.catalogue.skill("cook")!
        let registered = DispatchSemaphore(value: 0)
        try store.submit(on: InlineCompletions(), { transaction in
            for index in 0..<workers {
                try transaction.upsertWorker(RegisteredWorker(WorkerProfile(id: "w\(index)", skills: skills), updatedAt: 1))
            }
        }, completion: { _ in registered.signal() })
        registered.wait()
        let committedBefore = try fixture.onLoop { engine in
            for index in 0..<workers {
                let id = "w\(index)"
                _ = engine.registry.upsert(WorkerProfile(id: id, skills: skills), now: engine.now)
                _ = engine.registry.recordFix(id, at: try GeoPoint(latitude: 27 + Double(index) * 1e-4, longitude: 78), now: engine.now)
            }
            engine.startTimers()
            return store.statistics.batches
        }
        let deadline = Date().addingTimeInterval(30)
        while try fixture.onLoop({ $0.positionsWritten }) < workers, Date() < deadline {
            usleep(5_000)
        }
        #expect(try fixture.onLoop { $0.positionsWritten } == workers)
        let statistics = store.statistics
        #expect(statistics.largestBatch == 1, "no commit held two chunks: each waited for the last to commit")
        #expect(statistics.batches - committedBefore >= 5, "\(workers) positions in chunks of \(EngineTuning.snapshotChunk)")
    }
}
