import Foundation
import SevaCore
import Testing
@testable import SevaStore

/// A target that counts its deliveries, to show completions arrive in batches, once each.
final class CountingTarget: CompletionTarget, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var deliveries = 0

    func deliver(_ completions: [@Sendable () -> Void]) {
        lock.lock()
        deliveries += 1
        lock.unlock()
        for completion in completions { completion() }
    }
}

@Suite struct GroupCommitTests {
    @Test(arguments: StoreBackend.underTest)
    func manyConcurrentSubmittersEachCompleteOnceInFewTransactions(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "group")
        let store = try Store(database.configuration)
        defer { store.close() }
        let submitters = 64, each = 150
        let collector = Collector<String>()
        let target = CountingTarget()
        DispatchQueue.concurrentPerform(iterations: submitters) { submitter in
            for index in 0..<each {
                let ref = "s\(submitter)-\(index)"
                try! store.submit(on: target, { transaction in
                    _ = try transaction.createJob(sampleJob(ref: ref))
                    return ref
                }, completion: collector.add)
            }
        }
        let results = collector.wait(for: submitters * each)
        #expect(results.count == submitters * each)
        let refs = results.compactMap { try? $0.get() }
        #expect(refs.count == submitters * each, "every operation succeeded")
        #expect(Set(refs).count == refs.count, "no completion arrived twice")
        usleep(100_000)
        #expect(collector.results.count == submitters * each, "no completion arrived late or twice")
        let statistics = store.statistics
        #expect(statistics.operations == submitters * each)
        #expect(statistics.batches < statistics.operations / 4, "\(statistics.batches) transactions for \(statistics.operations) ops")
        #expect(statistics.largestBatch > 1 && statistics.largestBatch <= store.configuration.commitBatchMax)
        #expect(target.deliveries <= statistics.batches)
        #expect(statistics.commits.count == statistics.batches, "every commit timed")
        #expect(statistics.queueWaits.count == statistics.operations, "every write's wait for its batch recorded")
        #expect(statistics.commits.totalMs > 0 && statistics.commits.maxMs <= statistics.commits.totalMs)
        #expect(try store.loadCommittedState().openJobs.count == submitters * each)
    }

    @Test(arguments: StoreBackend.underTest)
    func queueOrderIsCommitOrder(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "order")
        let store = try Store(database.configuration)
        defer { store.close() }
        let job = try store.write { try $0.createJob(sampleJob(ref: "ordered")).job }
        let collector = Collector<Int64>()
        for index in 0..<500 {
            try store.submit(on: InlineCompletions(), { transaction in
                try transaction.appendEvent(JobEvent(seq: 0, job: job.id, at: Double(index), state: .searching, worker: nil,
                                                     detail: EventDetail()))
            }, completion: collector.add)
        }
        let seqs = collector.wait(for: 500).compactMap { try? $0.get() }
        #expect(seqs.count == 500)
        #expect(seqs == seqs.sorted(), "completions came back in submission order")
        let history = try store.reader.history(ofJob: job.id)
        #expect(history.map(\.at) == (0..<500).map(Double.init), "events were committed in submission order")
    }

    @Test(arguments: StoreBackend.underTest)
    func aFullQueueRefusesAtOnce(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "full")
        var configuration = database.configuration
        configuration.queueMax = 10
        let store = try Store(configuration)
        defer { store.close() }
        let collector = Collector<Int>()
        // The first operation holds the writer until the queue has been tried, so it can only grow.
        let running = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        try store.submit(on: InlineCompletions(), { _ in
            running.signal()
            release.wait()
            return 0
        }, completion: collector.add)
        running.wait()
        var accepted = 0
        var refusals: [StoreError] = []
        for index in 1...30 {
            do {
                try store.submit(on: InlineCompletions(), { _ in index }, completion: collector.add)
                accepted += 1
            } catch {
                refusals.append(error)
            }
        }
        release.signal()
        #expect(accepted == 10)
        #expect(refusals.count == 20 && refusals.allSatisfy { $0 == .queueFull(10) })
        #expect(collector.wait(for: 11).count == 11, "everything accepted still completes")
    }

    @Test(arguments: StoreBackend.underTest)
    func closingCommitsWhatIsQueuedThenRefuses(_ backend: StoreBackend) throws {
        let database = try TestDatabase(backend, "drain")
        let configuration = database.configuration
        let store = try Store(configuration)
        let collector = Collector<Bool>()
        for index in 0..<200 {
            try store.submit(on: InlineCompletions(), { try $0.createJob(sampleJob(ref: "d\(index)")).created },
                             completion: collector.add)
        }
        store.close()
        #expect(collector.results.count == 200)
        #expect(collector.results.allSatisfy { (try? $0.get()) == true })
        #expect(throws: StoreError.closed) { try store.submit(on: InlineCompletions(), { _ in 1 }, completion: { _ in }) }
        let reopened = try Store(configuration)
        defer { reopened.close() }
        #expect(try reopened.loadCommittedState().openJobs.count == 200)
    }
}
