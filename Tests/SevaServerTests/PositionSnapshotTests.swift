import Foundation
import Logging
import NIOPosix
import SevaCore
import SevaStore
import Testing
@testable import SevaServer

/// The periodic position snapshot shares the store's one writer with bookings, so it goes in
/// chunks, each handed over only once the last has committed: a booking never waits behind
/// more than one chunk's transaction.
@Suite struct PositionSnapshotTests {
    @Test func theSnapshotHandsTheStoreOneChunkAtATime() throws {
        let directory = NSTemporaryDirectory() + "sevad-snapshot-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try Store(StoreConfiguration(path: directory + "/sevad.db"))
        defer { store.close() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        var configuration = Configuration()
        configuration.store.positionSnapshotSeconds = 0.1
        let settled = configuration
        let engine = try Engine(loop: group.next(), configuration: configuration, store: store, state: RecoveredState(),
                                connections: ConnectionTally(limit: 10), serverSettings: LiveServerSettings(configuration.server),
                                reloadSource: { .success(settled) }, logger: Logger(label: "snapshot-test"))
        let workers = EngineTuning.snapshotChunk * 4 + 10
        let skills = engine.catalogue.skill("cook")!
        let registered = DispatchSemaphore(value: 0)
        try store.submit(on: InlineCompletions(), { transaction in
            for index in 0..<workers {
                try transaction.upsertWorker(RegisteredWorker(WorkerProfile(id: "w\(index)", skills: skills), updatedAt: 1))
            }
        }, completion: { _ in registered.signal() })
        registered.wait()
        let committedBefore = try engine.loop.submit {
            for index in 0..<workers {
                let id = "w\(index)"
                _ = engine.registry.upsert(WorkerProfile(id: id, skills: skills), now: engine.now)
                _ = engine.registry.recordFix(id, at: try! GeoPoint(latitude: 27 + Double(index) * 1e-4, longitude: 78),
                                              now: engine.now)
            }
            engine.startTimers()
            return store.statistics.batches
        }.wait()
        let deadline = Date().addingTimeInterval(30)
        while try engine.loop.submit({ engine.positionsWritten }).wait() < workers, Date() < deadline {
            usleep(5_000)
        }
        #expect(try engine.loop.submit({ engine.positionsWritten }).wait() == workers)
        let statistics = store.statistics
        #expect(statistics.largestBatch == 1, "no commit held two chunks: each waited for the last to commit")
        #expect(statistics.batches - committedBefore >= 5, "\(workers) positions in chunks of \(EngineTuning.snapshotChunk)")
    }
}
