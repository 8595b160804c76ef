import Foundation
import SevaCore
@testable import SevaStore

/// A fresh directory for one test's database, removed when the value is dropped.
final class TemporaryDirectory: @unchecked Sendable {
    let path: String

    init(_ name: String = "store") {
        path = NSTemporaryDirectory() + "sevad-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Completions collected from the writer thread, for tests to wait on.
final class Collector<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private(set) var results: [Result<Value, StoreError>] = []

    func add(_ result: Result<Value, StoreError>) {
        condition.lock()
        results.append(result)
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until `count` results arrived (or 30 s passed) and returns them.
    func wait(for count: Int) -> [Result<Value, StoreError>] {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: 30)
        while results.count < count && condition.wait(until: deadline) {}
        return results
    }
}

extension Store {
    /// Submits one write and waits for its completion.
    func write<Value: Sendable>(_ body: @escaping @Sendable (StoreTransaction) throws -> Value) throws -> Value {
        let collector = Collector<Value>()
        try submit(on: InlineCompletions(), body, completion: collector.add)
        guard let result = collector.wait(for: 1).first else { throw StoreError.unavailable("no completion in 30 s") }
        return try result.get()
    }
}

/// Polls `condition` every 20 ms for up to `seconds`.
func eventually(within seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date(timeIntervalSinceNow: seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// Hathras, where the sample jobs are.
let hathras = try! GeoPoint(latitude: 27.596, longitude: 78.05)

/// A booking for the store to number (its id is the store's to give).
func sampleJob(ref: String?, state: JobState = .searching) -> Job {
    var job = Job(id: 0, skill: "plumber", skillSet: SkillSet(), point: hathras, state: state, createdAt: 1)
    job.ref = ref
    job.address = "Mohalla Kishanpur, Hathras"
    job.district = "hathras"
    job.rateInr = 200
    return job
}
