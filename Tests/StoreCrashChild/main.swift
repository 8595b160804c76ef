// A test helper, not a product: opens the store at the given path (or PostgreSQL URL) and submits job writes
// from several threads as fast as their completions come back, printing `ACK <ref>` for each
// acknowledged one — until its parent kills it with SIGKILL. SevaStoreTests' crash test
// then checks that every acknowledged ref survived.
import Foundation
import SevaCore
import SevaStore

let arguments = CommandLine.arguments
guard arguments.count >= 3, let submitters = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: StoreCrashChild DB_PATH|POSTGRESQL_URL SUBMITTERS\n".utf8))
    exit(2)
}
var configuration = arguments[1].hasPrefix("postgresql:") ? StoreConfiguration(postgresURL: arguments[1])
    : StoreConfiguration(path: arguments[1])
configuration.synchronous = .full
let store: Store
do {
    store = try Store(configuration)
} catch {
    FileHandle.standardError.write(Data("cannot open store: \(error)\n".utf8))
    exit(1)
}
let target = InlineCompletions()
let pid = getpid()

@Sendable func acknowledge(_ ref: String) {
    let line = Array("ACK \(ref)\n".utf8)
    line.withUnsafeBytes { _ = write(1, $0.baseAddress, $0.count) }
}

for thread in 0..<submitters {
    Thread.detachNewThread {
        var sequence = 0
        let done = DispatchSemaphore(value: 0)
        while true {
            sequence += 1
            let ref = "crash-\(pid)-\(thread)-\(sequence)"
            do {
                try store.submit(on: target, { transaction in
                    var job = Job(id: 0, skill: "plumber", skillSet: SkillSet(), point: try GeoPoint(latitude: 27.596, longitude: 78.05),
                                  state: .searching, createdAt: 0.001)
                    job.ref = ref
                    let created = try transaction.createJob(job).job
                    return try transaction.appendEvent(JobEvent(seq: 0, job: created.id, at: 0.001, state: .searching, worker: nil,
                                                                detail: EventDetail()))
                }, completion: { result in
                    if case .success = result { acknowledge(ref) }
                    done.signal()
                })
                done.wait()
            } catch {
                usleep(1_000)
            }
        }
    }
}
while true { sleep(60) }
