import Foundation
import SevaCore
import SevaWire

let usage = """
    sevabench — sevad's in-process benchmarks (run a release build: `make bench`)

    usage: sevabench index [--sizes N,N,...] [--seed N] [--ops N] [--queries N] [--bucket N] [--json FILE]
           sevabench store [--dir DIR] [--submitters N] [--window N] [--seconds S]
                           [--workers N] [--jobs N] [--postgres local|URL|none] [--json FILE]
           sevabench server [--workers N] [--connections N] [--in-flight N] [--seconds S]
                        [--registry-workers N]
           sevabench dispatch [--workers N] [--bookers N] [--booker-connections N] [--seconds S]
                          [--pending-offers N] [--watched N]
           sevabench tls [--workers N] [--connections N] [--in-flight N] [--seconds S]
           sevabench http [--workers N] [--connections N] [--in-flight N] [--seconds S]
           sevabench redis [--workers N] [--connections N] [--loc-in-flight N] [--near-in-flight N]
                           [--seconds S] [--redis-server PATH] [--on-break SHARE] [--io-threads N]
       sevabench all   (index, store, server, dispatch, tls and http, with their defaults)

      redis         sevad against Debian's redis-server on the same workers and the same
                    pipelining client: PING against PING (the connection path alone, the floor
                    under every request), LOC against GEOADD, NEAR (one skill, 5 km, 10, all=yes)
                    against GEOSEARCH, and NEAR of dispatchable workers; rates, p50/p99/p999 and
                    the ratios (`make bench-vs-redis` installs redis-server when missing)
        --workers 100000, --connections 4, --loc-in-flight 64, --near-in-flight 16,
        --seconds 5, --on-break 0.7 (sevad's workers on break: found by all=yes,
        passed by dispatch), --io-threads 0 (sevad's server.io_threads; 0 = one a core);
        JSON var/bench/redis.json

      http          tracker ingest over the HTTP face (GET /v1/track, OsmAnd's form, keep-alive,
                    pipelined) beside LOC over the line protocol, one daemon, one client shape;
        --workers 100000, --connections 4, --in-flight 64, --seconds 5; JSON var/bench/http.json

      tls           LOC/s over TLS against plain TCP on one daemon, with one NIO client shape
                    for both; JSON in var/bench/tls.json

      index         the live quadtree on a synthetic UP workforce: moves, filtered kNN,
                    radius counts, memory per worker
        --sizes     worker counts (default 10000,1000000,10000000)
        --seed      random seed (default 42)
        --ops       moves per size and kind (default 200000)
        --queries   queries per size and kind (default 50000)
        --bucket    points per leaf before a split (default 64)
        --json      default var/bench/index.json
      store         the store: fsync latency, group-commit throughput and latency (SQLite, and PostgreSQL),
                    start-up load, bytes per job
        --dir       where the benchmark databases go (default var/bench/store; emptied first)
        --submitters  concurrent submitter threads (default 64)
        --window    writes each submitter keeps in flight (default 8)
        --seconds   length of each throughput run (default 3)
        --workers   workers in the start-up load (default 1000000)
        --jobs      open jobs in the start-up load (default 100000)
        --postgres  the group-commit runs on PostgreSQL too: local (default) starts a server on a
                    temporary cluster when PostgreSQL is installed, and (as root) again on a
                    primary with a synchronous standby, each on a host of its own in a network
                    namespace across veth links; a URL uses that (empty) database
        --json      default var/bench/store.json

      server        end to end over loopback: a daemon in this process, pipelining TCP
                    clients; LOC/s (gateway form) and NEAR/s (k=10, 5 km, one skill), NEAR latency
                at half that rate (open loop), STATS latency under full LOC load, and the
                registry's resident memory per worker at --registry-workers
        --workers 100000, --connections 4, --in-flight 64, --seconds 3,
        --registry-workers 1000000; JSON var/bench/server.json

      dispatch      jobs end to end: JOB NEW/s durable (synchronous=full) from concurrent
                    bookers in auto mode, its latency at half that rate, full offer cycles/s,
                    LOC/s with offers pending and jobs watched against the idle figure; then
                    JOB NEW/s and latency with the store on PostgreSQL (10 000 workers): a
                    local server, and (as root) a primary with a synchronous standby on hosts
                    of their own in network namespaces
        --workers 100000, --bookers 64 (in flight) over --booker-connections 64, --seconds 3,
        --pending-offers 10000, --watched 1000;
        JSON var/bench/dispatch.json

    Each prints a table on stdout and writes JSON; progress goes to stderr.
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("sevabench: \(message)\n\n\(usage)\n".utf8))
    exit(2)
}

func progress(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

func writeJSON(_ text: String, to path: String) {
    let url = URL(fileURLWithPath: path)
    do {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data((text + "\n").utf8).write(to: url)
        print("JSON written to \(path)")
    } catch {
        FileHandle.standardError.write(Data("sevabench: cannot write \(path): \(error)\n".utf8))
        exit(1)
    }
}

/// Reads `--flag value` pairs, failing with usage on anything unknown.
func flags(_ arguments: ArraySlice<String>, _ handle: (String, String) -> Bool) {
    var rest = arguments
    while let flag = rest.popFirst() {
        if flag == "--help" || flag == "-h" {
            print(usage)
            exit(0)
        }
        guard let value = rest.popFirst() else { fail("\(flag) needs a value") }
        guard handle(flag, value) else { fail("unknown option '\(flag)'") }
    }
}

func positiveSeconds(_ flag: String, _ value: String) -> Double {
    guard let seconds = Double(value), seconds > 0 else { fail("\(flag) needs a positive number of seconds") }
    return seconds
}

func positive(_ flag: String, _ value: String) -> Int {
    guard let parsed = Int(value), parsed > 0 else { fail("\(flag) needs a positive whole number, not '\(value)'") }
    return parsed
}

func runIndex(_ arguments: ArraySlice<String>) {
    var options = IndexBenchmark.Options()
    var sizes = [10_000, 1_000_000, 10_000_000]
    var jsonPath = "var/bench/index.json"
    flags(arguments) { flag, value in
        switch flag {
        case "--sizes": sizes = value.split(separator: ",").map { positive(flag, String($0)) }
        case "--seed": options.seed = UInt64(positive(flag, value))
        case "--ops": options.operations = positive(flag, value)
        case "--queries": options.queries = positive(flag, value)
        case "--bucket":
            options.bucketCapacity = positive(flag, value)
            guard (4...4096).contains(options.bucketCapacity) else { fail("--bucket must be in 4...4096") }
        case "--json": jsonPath = value
        default: return false
        }
        return true
    }
    let benchmark = IndexBenchmark(options: options)
    var results: [IndexBenchmark.Result] = []
    for size in sizes {
        progress("index benchmark, \(size) workers")
        results.append(benchmark.run(workers: size, progress: progress))
    }
    let report = IndexReport(results: results, options: options, clockOverheadNs: Clock.overhead)
    print(report.table())
    writeJSON(report.json(), to: jsonPath)
}

func runStore(_ arguments: ArraySlice<String>) {
    var options = StoreBenchmark.Options()
    var jsonPath = "var/bench/store.json"
    flags(arguments) { flag, value in
        switch flag {
        case "--dir": options.directory = value
        case "--submitters": options.submitters = positive(flag, value)
        case "--window": options.window = positive(flag, value)
        case "--seconds": options.seconds = positiveSeconds(flag, value)
        case "--workers": options.workers = positive(flag, value)
        case "--jobs": options.openJobs = positive(flag, value)
        case "--postgres": options.postgres = value
        case "--json": jsonPath = value
        default: return false
        }
        return true
    }
    progress("store benchmark in \(options.directory)")
    do {
        let result = try StoreBenchmark(options: options).run(progress: progress)
        let report = StoreReport(result: result, options: options)
        print(report.table())
        writeJSON(report.json(), to: jsonPath)
        try? FileManager.default.removeItem(atPath: options.directory)
    } catch {
        FileHandle.standardError.write(Data("sevabench: store benchmark failed: \(error)\n".utf8))
        exit(1)
    }
}

func runServer(_ arguments: ArraySlice<String>) {
    let (options, registryWorkers) = ServerBenchmark.options(arguments)
    progress("registry memory: \(registryWorkers) workers with profiles and positions")
    let memory = RegistryMemory.measure(workers: registryWorkers)
    progress("server benchmark: \(options.workers) workers, \(options.connections) connections × \(options.inFlight) in flight")
    do {
        let result = try ServerBenchmark(options: options).run(progress: progress)
        print("server figure (\(result.workers) workers, \(options.connections)×\(options.inFlight) pipelined)   value        target")
        print(String(repeating: "-", count: 80))
        print(pad("LOC/s, gateway form", 58) + leftPad(format0(result.locPerSecond), 10) + "   ≥ 1000000")
        print(pad("NEAR/s, k=10 within 5 km, one skill", 58) + leftPad(format0(result.nearPerSecond), 10) + "   ≥ 200000")
        let near = result.nearAtHalfRate
        let stats = result.statsUnderLoad
        print(pad("NEAR p99 at half that rate (\(format0(result.halfRate))/s, 2 conns), ms", 58) + leftPad(format3(near.p99 / 1e6), 10) + "   ≤ 1")
        print(pad("  p50 / p99.9, ms", 58) + leftPad(format3(near.median / 1e6) + " / " + format3(near.quantile(0.999) / 1e6), 10))
        let paging = result.nearWhilePaging
        print(pad("NEAR, same rate, a client paging the store: p99.9/max ms", 58)
              + leftPad(format3(paging.quantile(0.999) / 1e6) + " / " + format3(paging.quantile(1) / 1e6), 10) + "   ≤ 6 / 20")
        print(pad("  p50 / p99, ms (\(result.pagesRead) store pages read meanwhile)", 58)
              + leftPad(format3(paging.median / 1e6) + " / " + format3(paging.p99 / 1e6), 10))
        print(pad("  the engine loop's longest batch meanwhile, at most, ms", 58) + leftPad(format3(result.longestBatchMs), 10)
              + "   ≤ 5")
        print(pad("STATS under full LOC load, p99 / max, ms (\(stats.samples.count) asked)", 58)
              + leftPad(format3(stats.p99 / 1e6) + " / " + format3(stats.quantile(1) / 1e6), 10) + "   ≤ 10")
        print(pad("RSS per worker at \(memory.workers) workers (registry + index), B", 58)
              + leftPad(format1(memory.bytesPerWorker), 10) + "   ≤ 160")
        for share in memory.account {
            print(pad("    of which \(share.name), B", 58) + leftPad(format1(share.bytesPerWorker), 10))
        }
        print(pad("  longest single registration meanwhile, ms", 58) + leftPad(format3(memory.longestRegistrationMs), 10) + "   ≤ 5")
        print(pad("  the same registry built in one pass (a restart), s", 58) + leftPad(format3(memory.bulkLoadSeconds), 10)
              + "   ≤ 1 per M")
        print(pad("setup: WORKER ADD + AVAIL over the Unix socket, s", 58) + leftPad(format1(result.setupSeconds), 10))
        var json = JSONWriter()
        json.beginObject()
        json.key("benchmark"); json.string("server")
        json.key("workers"); json.integer(result.workers)
        json.key("connections"); json.integer(options.connections)
        json.key("in_flight"); json.integer(options.inFlight)
        json.key("loc_per_s"); json.number(result.locPerSecond, decimals: 0)
        json.key("near_per_s"); json.number(result.nearPerSecond, decimals: 0)
        json.key("near_half_rate_per_s"); json.number(result.halfRate, decimals: 0)
        json.key("near_half_rate_ms"); json.beginObject()
        json.key("p50"); json.number(near.median / 1e6, decimals: 3)
        json.key("p99"); json.number(near.p99 / 1e6, decimals: 3)
        json.key("p999"); json.number(near.quantile(0.999) / 1e6, decimals: 3)
        json.endObject()
        json.key("near_while_paging_ms"); json.beginObject()
        json.key("p50"); json.number(paging.median / 1e6, decimals: 3)
        json.key("p99"); json.number(paging.p99 / 1e6, decimals: 3)
        json.key("p999"); json.number(paging.quantile(0.999) / 1e6, decimals: 3)
        json.key("max"); json.number(paging.quantile(1) / 1e6, decimals: 3)
        json.endObject()
        json.key("store_pages_read"); json.integer(result.pagesRead)
        json.key("engine_longest_batch_ms"); json.number(result.longestBatchMs, decimals: 3)
        json.key("registry_workers"); json.integer(memory.workers)
        json.key("registry_bytes_per_worker"); json.number(memory.bytesPerWorker, decimals: 1)
        json.key("registry_longest_registration_ms"); json.number(memory.longestRegistrationMs, decimals: 3)
        json.key("registry_bulk_load_s"); json.number(memory.bulkLoadSeconds, decimals: 3)
        json.key("registry_bytes_per_worker_by_structure"); json.beginObject()
        for share in memory.account { json.key(share.name); json.number(share.bytesPerWorker, decimals: 1) }
        json.endObject()
        json.key("stats_under_loc_load_ms"); json.beginObject()
        json.key("samples"); json.integer(stats.samples.count)
        json.key("p99"); json.number(stats.p99 / 1e6, decimals: 3)
        json.key("max"); json.number(stats.quantile(1) / 1e6, decimals: 3)
        json.endObject()
        json.endObject()
        writeJSON(json.text, to: "var/bench/server.json")
    } catch {
        FileHandle.standardError.write(Data("sevabench: server benchmark failed: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

func runDispatch(_ arguments: ArraySlice<String>) {
    var options = DispatchBenchmark.Options()
    flags(arguments) { flag, value in
        switch flag {
        case "--workers": options.workers = positive(flag, value)
        case "--bookers": options.bookers = positive(flag, value)
        case "--booker-connections": options.bookerConnections = positive(flag, value)
        case "--pending-offers": options.pendingOffers = positive(flag, value)
        case "--watched": options.watched = positive(flag, value)
        case "--seconds": options.seconds = positiveSeconds(flag, value)
        default: return false
        }
        return true
    }
    guard options.watched <= options.pendingOffers else { fail("--watched cannot exceed --pending-offers") }
    progress("dispatch benchmark: \(options.workers) workers, \(options.bookers) bookers")
    do {
        let result = try DispatchBenchmark(options: options).run(progress: progress)
        let latency = result.jobNewLatency
        print("dispatch figure (\(options.workers) workers)                      value        target")
        print(String(repeating: "-", count: 80))
        print(pad("JOB NEW/s, durable, \(options.bookers) in flight / \(options.bookerConnections) conns, auto", 58)
              + leftPad(format0(result.jobNewPerSecond), 10) + "   ≥ 25000")
        let store = result.storeDuring
        let roundTripMs = Double(options.bookers) / max(1, result.jobNewPerSecond) * 1000
        print(pad("  a booking's round trip (in flight / rate), ms", 58) + leftPad(format3(roundTripMs), 10))
        print(pad("    queued for its commit / the commit, ms", 58)
              + leftPad(format3(store.meanQueueWaitMs) + " / " + format3(store.meanCommitMs), 10))
        print(pad("    in the engine loop's queue, per hand-over, ms", 58) + leftPad(format3(store.meanEngineWaitMs), 10))
        print(pad("    elsewhere (engine, hand-offs between threads, client), ms", 58)
              + leftPad(format3(roundTripMs - store.meanQueueWaitMs - store.meanCommitMs), 10))
        print(pad("    commits, mean writes a commit", 58) + leftPad(format0(store.commits) + ", " + format1(store.meanBatch), 10))
        print(pad("JOB NEW/s the same, each with a fresh random ref", 58) + leftPad(format0(result.jobNewWithRefPerSecond), 10)
              + "   ≥ without")
        print(pad("JOB NEW/s the same, each with a fresh ordered ref", 58)
              + leftPad(format0(result.jobNewWithOrderedRefPerSecond), 10) + "   ≥ without")
        print(pad("JOB NEW p99 at half that rate (\(format0(result.halfRate))/s), ms", 58)
              + leftPad(format3(latency.p99 / 1e6), 10) + "   ≤ 20")
        print(pad("  p50 / p99.9, ms", 58) + leftPad(format3(latency.median / 1e6) + " / " + format3(latency.quantile(0.999) / 1e6), 10))
        print(pad("  the dispatcher alone, per booking (no I/O), µs", 58) + leftPad(format1(result.coreMicroseconds), 10))
        print(pad("full cycles/s (JOB NEW → offer → ACCEPT … DONE)", 58) + leftPad(format0(result.cyclesPerSecond), 10))
        print(pad("LOC/s idle (offer-mode daemon, 4 × 64)", 58) + leftPad(format0(result.locIdle), 10))
        let ratio = result.locLoaded / max(1, result.locIdle)
        print(pad("LOC/s, \(options.pendingOffers) offers pending, \(options.watched) jobs watched", 58)
              + leftPad(format0(result.locLoaded), 10) + "   ≥ 80 % idle")
        print(pad("  ratio to idle", 58) + leftPad(format0(ratio * 100) + " %", 10))
        for run in result.postgres {
            print(pad("JOB NEW/s on PostgreSQL (\(run.placement)), \(run.workers) workers", 58) + leftPad(format0(run.perSecond), 10)
                  + "   report")
            print(pad("  p50 / p99 at half that rate (\(format0(run.halfRate))/s), ms", 58)
                  + leftPad(format3(run.latency.median / 1e6) + " / " + format3(run.latency.p99 / 1e6), 10))
        }
        var json = JSONWriter()
        json.beginObject()
        json.key("benchmark"); json.string("dispatch")
        json.key("workers"); json.integer(options.workers)
        json.key("bookers"); json.integer(options.bookers)
        json.key("booker_connections"); json.integer(options.bookerConnections)
        json.key("job_new_per_s"); json.number(result.jobNewPerSecond, decimals: 0)
        json.key("job_new_round_trip_ms"); json.beginObject()
        json.key("total"); json.number(roundTripMs, decimals: 3)
        json.key("store_queue_wait"); json.number(store.meanQueueWaitMs, decimals: 3)
        json.key("store_commit"); json.number(store.meanCommitMs, decimals: 3)
        json.key("engine_queue_wait_per_handover"); json.number(store.meanEngineWaitMs, decimals: 3)
        json.key("commits"); json.number(store.commits, decimals: 0)
        json.key("mean_batch"); json.number(store.meanBatch, decimals: 1)
        json.endObject()
        json.key("job_new_with_ref_per_s"); json.number(result.jobNewWithRefPerSecond, decimals: 0)
        json.key("job_new_with_ordered_ref_per_s"); json.number(result.jobNewWithOrderedRefPerSecond, decimals: 0)
        json.key("job_new_half_rate_per_s"); json.number(result.halfRate, decimals: 0)
        json.key("job_new_half_rate_ms"); json.beginObject()
        json.key("p50"); json.number(latency.median / 1e6, decimals: 3)
        json.key("p99"); json.number(latency.p99 / 1e6, decimals: 3)
        json.key("p999"); json.number(latency.quantile(0.999) / 1e6, decimals: 3)
        json.endObject()
        json.key("core_us_per_booking"); json.number(result.coreMicroseconds, decimals: 2)
        json.key("full_cycles_per_s"); json.number(result.cyclesPerSecond, decimals: 0)
        json.key("loc_idle_per_s"); json.number(result.locIdle, decimals: 0)
        json.key("loc_loaded_per_s"); json.number(result.locLoaded, decimals: 0)
        json.key("pending_offers"); json.integer(options.pendingOffers)
        json.key("watched"); json.integer(options.watched)
        json.key("postgresql"); json.beginArray()
        for run in result.postgres {
            json.beginObject()
            json.key("placement"); json.string(run.placement)
            json.key("workers"); json.integer(run.workers)
            json.key("job_new_per_s"); json.number(run.perSecond, decimals: 0)
            json.key("half_rate_p50_ms"); json.number(run.latency.median / 1e6, decimals: 3)
            json.key("half_rate_p99_ms"); json.number(run.latency.p99 / 1e6, decimals: 3)
            json.endObject()
        }
        json.endArray()
        json.endObject()
        writeJSON(json.text, to: "var/bench/dispatch.json")
    } catch {
        FileHandle.standardError.write(Data("sevabench: dispatch benchmark failed: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

func runTLS(_ arguments: ArraySlice<String>) {
    let options = TLSBenchmark.options(arguments)
    do {
        let result = try TLSBenchmark(options: options).run(progress: progress)
        print("tls figure (\(options.workers) workers, \(options.connections)×\(options.inFlight) LOC pipelined)   value        target")
        print(String(repeating: "-", count: 80))
        print(pad("LOC/s, plain TCP (the same NIO client)", 58) + leftPad(format0(result.plainPerSecond), 10))
        print(pad("LOC/s, TLS 1.3", 58) + leftPad(format0(result.tlsPerSecond), 10))
        print(pad("  TLS / plain", 58) + leftPad(format0(result.ratio * 100) + " %", 10) + "   > 50 %")
        var json = JSONWriter()
        json.beginObject()
        json.key("benchmark"); json.string("tls")
        json.key("workers"); json.integer(options.workers)
        json.key("connections"); json.integer(options.connections)
        json.key("in_flight"); json.integer(options.inFlight)
        json.key("loc_plain_per_s"); json.number(result.plainPerSecond, decimals: 0)
        json.key("loc_tls_per_s"); json.number(result.tlsPerSecond, decimals: 0)
        json.key("ratio"); json.number(result.ratio, decimals: 3)
        json.endObject()
        writeJSON(json.text, to: "var/bench/tls.json")
    } catch {
        FileHandle.standardError.write(Data("sevabench: tls benchmark failed: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

func runRedis(_ arguments: ArraySlice<String>) {
    var options = RedisBenchmark.Options()
    flags(arguments) { flag, value in
        switch flag {
        case "--workers": options.workers = positive(flag, value)
        case "--connections": options.connections = positive(flag, value)
        case "--loc-in-flight": options.locInFlight = positive(flag, value)
        case "--near-in-flight": options.nearInFlight = positive(flag, value)
        case "--redis-server": options.redisServer = value
        case "--on-break":
            guard let share = Double(value), (0...1).contains(share) else { fail("--on-break needs a share from 0 to 1") }
            options.onBreak = share
        case "--io-threads":
            guard let threads = Int(value), threads >= 0 else { fail("--io-threads needs a count (0 = one a core)") }
            options.ioThreads = threads
        case "--seconds": options.seconds = positiveSeconds(flag, value)
        default: return false
        }
        return true
    }
    do {
        let pairs = try RedisBenchmark(options: options).run(progress: progress)
        print("sevad vs Redis (\(options.workers) workers, \(options.connections) connections; LOC \(options.locInFlight), "
              + "NEAR \(options.nearInFlight) in flight each)")
        print(pad("workload", 34) + leftPad("sevad/s", 10) + leftPad("Redis/s", 10) + leftPad("ratio", 8)
              + "   p50 / p99 / p999 ms, sevad | Redis")
        print(String(repeating: "-", count: 110))
        var json = JSONWriter()
        json.beginObject()
        json.key("benchmark"); json.string("redis")
        json.key("workers"); json.integer(options.workers)
        json.key("connections"); json.integer(options.connections)
        json.key("loc_in_flight"); json.integer(options.locInFlight)
        json.key("near_in_flight"); json.integer(options.nearInFlight)
        json.key("workloads"); json.beginArray()
        for pair in pairs {
            print(pad(pair.name, 34) + leftPad(format0(pair.sevad.perSecond), 10)
                  + leftPad(pair.redis.map { format0($0.perSecond) } ?? "-", 10)
                  + leftPad(pair.ratio.map { format1($0) + "x" } ?? "-", 8)
                  + "   " + pair.sevad.tail + (pair.redis.map { " | " + $0.tail } ?? ""))
            json.beginObject()
            json.key("name"); json.string(pair.name)
            for (side, result) in [("sevad", pair.sevad), ("redis", pair.redis)] {
                json.key(side)
                guard let result else { json.null(); continue }
                result.write(into: &json)
            }
            json.key("ratio"); if let ratio = pair.ratio { json.number(ratio, decimals: 3) } else { json.null() }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        writeJSON(json.text, to: "var/bench/redis.json")
    } catch {
        FileHandle.standardError.write(Data("sevabench: redis benchmark failed: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

func runHTTP(_ arguments: ArraySlice<String>) {
    let options = HTTPBenchmark.options(arguments)
    do {
        let (loc, http) = try HTTPBenchmark(options: options).run(progress: progress)
        print("tracker ingest over HTTP beside LOC (\(options.workers) workers, \(options.connections) connections × "
              + "\(options.inFlight) in flight)")
        print(pad("workload", 44) + leftPad("fixes/s", 10) + "   p50 / p99 / p999 ms")
        print(String(repeating: "-", count: 80))
        var json = JSONWriter()
        json.beginObject()
        json.key("benchmark"); json.string("http")
        json.key("workers"); json.integer(options.workers)
        json.key("connections"); json.integer(options.connections)
        json.key("in_flight"); json.integer(options.inFlight)
        for (name, key, result) in [("LOC, line protocol (gateway)", "loc", loc), ("GET /v1/track, OsmAnd form, keep-alive", "http", http)] {
            print(pad(name, 44) + leftPad(format0(result.perSecond), 10) + "   " + result.tail)
            json.key(key)
            result.write(into: &json)
        }
        json.key("http_to_loc"); json.number(http.perSecond / loc.perSecond, decimals: 3)
        json.endObject()
        print("HTTP / LOC: " + format1(http.perSecond / loc.perSecond * 100) + " %")
        writeJSON(json.text, to: "var/bench/http.json")
    } catch {
        FileHandle.standardError.write(Data("sevabench: http benchmark failed: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

#if DEBUG
progress("warning: this is a debug build; figures are meaningless (use `make bench`)")
#endif
let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "index": runIndex(arguments.dropFirst())
case "store": runStore(arguments.dropFirst())
case "server": runServer(arguments.dropFirst())
case "dispatch": runDispatch(arguments.dropFirst())
case "tls": runTLS(arguments.dropFirst())
case "redis": runRedis(arguments.dropFirst())
case "http": runHTTP(arguments.dropFirst())
case "all":
    guard arguments.count == 1 else { fail("`all` takes no options; run `index`, `store`, `server` or `dispatch` for those") }
    // Each in its own process, so one's heap and threads do not colour the next.
    for benchmark in ["index", "store", "server", "dispatch", "tls", "http"] {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        child.arguments = [benchmark]
        do { try child.run() } catch { fail("cannot run \(benchmark): \(error)") }
        child.waitUntilExit()
        guard child.terminationStatus == 0 else { exit(child.terminationStatus) }
    }
case "--help", "-h": print(usage)
case nil: fail("name a benchmark")
case let other?: fail("unknown benchmark '\(other)'")
}
