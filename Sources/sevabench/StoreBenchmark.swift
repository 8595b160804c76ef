import Foundation
import PostgresTestSupport
import SevaStore
import SevaCore

/// Measures the store: the disk's fsync latency, group-commit throughput and latency under
/// concurrent submitters, the start-up load, and bytes on disk per job.
struct StoreBenchmark {
    struct Options {
        var directory = "var/bench/store"
        var submitters = 64
        /// Operations each submitter keeps in flight (a pipelining client).
        var window = 8
        var seconds = 3.0
        var workers = 1_000_000
        var openJobs = 100_000
        /// PostgreSQL for the same group-commit runs: "local" starts a server of its own on a
        /// temporary cluster (when PostgreSQL is installed), a URL uses that database, "none" skips.
        var postgres = "local"
    }

    struct Throughput {
        let backend: SQLDialect
        let synchronous: StoreConfiguration.Synchronous
        let window: Int
        let operationsPerSecond: Double
        let latency: Timings
        let statistics: StoreStatistics
        /// "standby": on a primary with a synchronous standby, across veth links.
        var placement: String?
    }

    struct Result {
        let fsync: Timings
        let throughput: [Throughput]
        let loadSeconds: Double
        let loadedWorkers: Int
        let loadedJobs: Int
        let bytesPerJob: Double
    }

    let options: Options

    func run(progress: (String) -> Void) throws -> Result {
        try? FileManager.default.removeItem(atPath: options.directory)
        try FileManager.default.createDirectory(atPath: options.directory, withIntermediateDirectories: true)
        progress("  fsync latency of \(options.directory)")
        let fsync = measureFsync()
        var throughput: [Throughput] = []
        let runs: [(StoreConfiguration.Synchronous, Int)] = [
            (.full, options.window), (.full, max(1, options.window / 2)), (.normal, options.window), (.full, 1),
        ]
        for (synchronous, window) in runs {
            progress("  \(options.submitters) submitters × \(window) in flight, synchronous=\(synchronous.rawValue)")
            var configuration = StoreConfiguration(path: options.directory + "/throughput-\(synchronous.rawValue)-\(window).db")
            configuration.synchronous = synchronous
            throughput.append(try measureThroughput(configuration, window: window))
        }
        for window in [options.window, 1] {
            guard let url = try postgresDatabase(progress: progress) else { break }
            progress("  PostgreSQL: \(options.submitters) submitters × \(window) in flight, synchronous=full")
            throughput.append(try measureThroughput(StoreConfiguration(postgresURL: url), window: window))
        }
        throughput += try measureWithSynchronousStandby(progress: progress)
        progress("  start-up load of \(options.workers) workers and \(options.openJobs) open jobs")
        let (loadSeconds, workers, jobs) = try measureStartupLoad()
        progress("  bytes on disk per job with 6 events")
        let bytesPerJob = try measureBytesPerJob()
        return Result(fsync: fsync, throughput: throughput, loadSeconds: loadSeconds, loadedWorkers: workers,
                      loadedJobs: jobs, bytesPerJob: bytesPerJob)
    }

    /// 4 KiB written and fdatasync'ed, 300 times, in the benchmark's directory.
    func measureFsync() -> Timings {
        let path = options.directory + "/fsync.probe"
        let descriptor = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o600)
        defer { close(descriptor); unlink(path) }
        let page = [UInt8](repeating: 7, count: 4096)
        var timings = Timings(capacity: 300)
        for _ in 0..<300 {
            let start = Clock.now()
            _ = page.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            fdatasync(descriptor)
            timings.record(Double(Clock.now() - start))
        }
        return timings
    }

    /// `submitters` logical clients each keep `window` job transitions (an UPDATE and an
    /// event INSERT) in flight for `seconds`, driven — like the daemon's connections — from
    /// one engine queue that also receives the completions; each submit→completion time is
    /// recorded.
    func measureThroughput(_ configuration: StoreConfiguration, window: Int) throws -> Throughput {
        let store = try Store(configuration)
        defer { store.close() }
        let jobsPerSubmitter = 64
        let jobs: [Job] = try (0..<options.submitters * jobsPerSubmitter).map { index in
            try awaitWrite(store) { try $0.createJob(benchmarkJob(ref: "t\(index)")).job }
        }
        let baseline = store.statistics
        let engine = DispatchQueue(label: "sevabench.engine")
        let driver = TransitionDriver(store: store, engine: engine, jobs: jobs, jobsPerSubmitter: jobsPerSubmitter,
                                      deadline: Clock.now() + UInt64(options.seconds * 1e9))
        let started = Clock.now()
        engine.async {
            for submitter in 0..<options.submitters {
                for _ in 0..<window { driver.submitNext(for: submitter) }
            }
        }
        driver.finished.wait()
        let elapsed = Double(Clock.now() - started) / 1e9
        var statistics = store.statistics
        statistics.batches -= baseline.batches
        statistics.operations -= baseline.operations
        for index in statistics.batchSizes.indices { statistics.batchSizes[index] -= baseline.batchSizes[index] }
        return Throughput(backend: configuration.backend, synchronous: configuration.synchronous, window: window,
                          operationsPerSecond: Double(statistics.operations) / elapsed,
                          latency: driver.latencies, statistics: statistics)
    }

    /// A fresh database for a PostgreSQL run, or nil when there is none to use.
    func postgresDatabase(progress: (String) -> Void) throws -> String? {
        switch options.postgres {
        case "none": return nil
        case "local":
            guard PostgresTestServer.binaries != nil else {
                progress("  PostgreSQL is not installed: its runs are left out (apt-get install postgresql)")
                return nil
            }
            return try PostgresTestServer.url(try PostgresTestServer.createDatabase("bench"))
        default: return options.postgres
        }
    }

    /// The PostgreSQL runs again against a primary whose every commit waits for a synchronous
    /// standby's flush, both on hosts of their own (network namespaces) across veth links —
    /// the topology of docs/high-availability.md. Needs root; left out otherwise.
    func measureWithSynchronousStandby(progress: (String) -> Void) throws -> [Throughput] {
        guard options.postgres == "local" else { return [] }
        guard NamespaceNetwork.usable else {
            progress("  PostgreSQL with a synchronous standby: left out (needs root, iproute2 and PostgreSQL)")
            return []
        }
        progress("  PostgreSQL with a synchronous standby: db1 and db2 in network namespaces, veth links")
        let database = try ReplicatedPostgres(network: try NamespaceNetwork(hosts: ["db1": 1, "db2": 2]))
        let administration = try PostgresConnection(url: database.url(host: "db1", database: "postgres"), applicationName: "sevabench")
        var runs: [Throughput] = []
        for window in [options.window, 1] {
            progress("  PostgreSQL + synchronous standby: \(options.submitters) submitters × \(window) in flight, synchronous=full")
            try administration.execute("CREATE DATABASE bench_\(window)")
            var run = try measureThroughput(StoreConfiguration(postgresURL: database.url(host: "db1", database: "bench_\(window)")),
                                            window: window)
            run.placement = "standby"
            runs.append(run)
        }
        return runs
    }

    /// Writes the registry and open jobs, closes, then times a fresh open plus the recovery load.
    func measureStartupLoad() throws -> (seconds: Double, workers: Int, jobs: Int) {
        let path = options.directory + "/startup.db"
        var configuration = StoreConfiguration(path: path)
        configuration.synchronous = .normal
        do {
            let store = try Store(configuration)
            defer { store.close() }
            let skills = ["electrician", "plumber", "carpenter", "mason"].map { SkillCatalogue.standard.skill($0)! }
            for chunk in stride(from: 0, to: options.workers, by: 10_000) {
                let upper = min(options.workers, chunk + 10_000)
                _ = try awaitWrite(store) { transaction in
                    for index in chunk..<upper {
                        var profile = WorkerProfile(id: "w\(index)", skills: skills[index % 4])
                        profile.name = "Worker \(index)"
                        profile.phone = "+9198\(10_000_000 + index)"
                        profile.district = "hathras"
                        profile.verified = true
                        try transaction.upsertWorker(RegisteredWorker(profile, updatedAt: 0.001))
                    }
                    try transaction.savePositions((chunk..<upper).map {
                        WorkerPosition(worker: "w\($0)", point: try! GeoPoint(latitude: 27.5 + Double($0 % 1000) / 10_000,
                                                                        longitude: 78 + Double($0 / 1000 % 1000) / 10_000),
                                       accuracyMetres: 10, at: 0.005)
                    })
                    return upper
                }
            }
            for chunk in stride(from: 0, to: options.openJobs, by: 10_000) {
                let upper = min(options.openJobs, chunk + 10_000)
                _ = try awaitWrite(store) { transaction in
                    for index in chunk..<upper { _ = try transaction.createJob(benchmarkJob(ref: "open\(index)")) }
                    return upper
                }
            }
        }
        let started = Clock.now()
        let store = try Store(configuration)
        let state = try store.loadCommittedState()
        let seconds = Double(Clock.now() - started) / 1e9
        store.close()
        return (seconds, state.workers.count, state.openJobs.count)
    }

    /// 10 000 jobs with 6 events each (created, offered with candidates, assigned, arrived,
    /// started, completed), after a checkpoint: file growth per job.
    func measureBytesPerJob() throws -> Double {
        let path = options.directory + "/size.db"
        let store = try Store(StoreConfiguration(path: path))
        store.close()
        let empty = fileSize(path)
        let reopened = try Store(StoreConfiguration(path: path))
        let jobs = 10_000
        for chunk in stride(from: 0, to: jobs, by: 1_000) {
            _ = try awaitWrite(reopened) { transaction in
                for index in chunk..<(chunk + 1_000) {
                    var job = try transaction.createJob(benchmarkJob(ref: "size\(index)")).job
                    try transaction.appendEvent(JobEvent(seq: 0, job: job.id, at: 0.001, state: .searching, worker: nil,
                                                         detail: EventDetail()))
                    for (step, state) in [JobState.offered, .assigned, .arrived, .started, .completed].enumerated() {
                        job.state = state
                        job.worker = "w\(index % 5000)"
                        job.updatedAt = Double(step + 2) / 1000
                        try transaction.recordTransition(job, detail: step == 0 ? benchmarkDetail : EventDetail())
                    }
                }
                return chunk
            }
        }
        reopened.close()
        return Double(fileSize(path) - empty) / Double(jobs)
    }

    private func fileSize(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }
}

/// The offer decision as the dispatch engine records it: three candidates and a reason.
let benchmarkDetail = EventDetail(recorded: #"{"reason":"fewest jobs today within 1.25x nearest","candidates":[{"id":"w1042","dist_m":812,"score":0.91},{"id":"w2210","dist_m":905,"score":0.88},{"id":"w0007","dist_m":1340,"score":0.52}]}"#)

/// A booking for the store to number.
func benchmarkJob(ref: String) -> Job {
    var job = Job(id: 0, skill: "plumber", skillSet: SkillSet(), point: try! GeoPoint(latitude: 27.596, longitude: 78.05), state: .searching, createdAt: 0.001)
    job.ref = ref
    job.address = "House 12, Mohalla Kishanpur, Hathras"
    job.customer = "+91 98765 43210"
    job.district = "hathras"
    job.rateInr = 200
    return job
}

/// Submits one write and waits for it.
func awaitWrite<Value: Sendable>(_ store: Store, _ body: @escaping @Sendable (StoreTransaction) throws -> Value) throws -> Value {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<Value>()
    try store.submit(on: InlineCompletions(), body) { result in
        box.result = result
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// Hands one result from the writer thread to the waiting thread (the semaphore orders them).
final class ResultBox<Value: Sendable>: @unchecked Sendable {
    var result: Result<Value, StoreError>?
}

/// The benchmark's engine: submits job transitions and takes their completions, all on one
/// serial queue. `@unchecked Sendable`: every mutable field is touched only on `engine`, and
/// `finished` is signalled once, when the last write in flight has completed.
final class TransitionDriver: @unchecked Sendable {
    let store: Store
    let target: QueueCompletions
    let jobs: [Job]
    let jobsPerSubmitter: Int
    let deadline: UInt64
    let finished = DispatchSemaphore(value: 0)
    private(set) var latencies = Timings(capacity: 1 << 18)
    private var counters: [Int]
    private var inFlight = 0

    init(store: Store, engine: DispatchQueue, jobs: [Job], jobsPerSubmitter: Int, deadline: UInt64) {
        self.store = store
        target = QueueCompletions(engine)
        self.jobs = jobs
        self.jobsPerSubmitter = jobsPerSubmitter
        self.deadline = deadline
        counters = [Int](repeating: 0, count: jobs.count / jobsPerSubmitter)
    }

    func submitNext(for submitter: Int) {
        counters[submitter] += 1
        let counter = counters[submitter]
        var job = jobs[submitter * jobsPerSubmitter + counter % jobsPerSubmitter]
        job.state = counter % 2 == 0 ? .offered : .searching
        job.updatedAt = Double(counter) / 1000
        let changed = job
        let submitted = Clock.now()
        inFlight += 1
        do {
            try store.submit(on: target, { try $0.recordTransition(changed, detail: benchmarkDetail) },
                             completion: { [self] _ in completed(submitter, submittedAt: submitted) })
        } catch {
            inFlight -= 1
        }
    }

    private func completed(_ submitter: Int, submittedAt submitted: UInt64) {
        let now = Clock.now()
        latencies.record(Double(now - submitted))
        inFlight -= 1
        if now < deadline {
            submitNext(for: submitter)
        } else if inFlight == 0 {
            finished.signal()
        }
    }
}
