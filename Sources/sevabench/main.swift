import Foundation
import SevaCore
import SevaWire

let usage = """
    sevabench — sevad's in-process benchmarks (run a release build: `make bench`)

    usage: sevabench index [--sizes N,N,...] [--seed N] [--ops N] [--queries N] [--bucket N] [--json FILE]
           sevabench store [--dir DIR] [--submitters N] [--window N] [--seconds S]
                           [--workers N] [--jobs N] [--json FILE]
           sevabench server [--workers N] [--connections N] [--in-flight N] [--seconds S]
                        [--registry-workers N]
           sevabench all   (all three, with their defaults)

      index         the live quadtree on a synthetic UP workforce: moves, filtered kNN,
                    radius counts, memory per worker
        --sizes     worker counts (default 10000,1000000,10000000)
        --seed      random seed (default 42)
        --ops       moves per size and kind (default 200000)
        --queries   queries per size and kind (default 50000)
        --bucket    points per leaf before a split (default 64)
        --json      default var/bench/index.json
      store         the SQLite store: fsync latency, group-commit throughput and latency,
                    start-up load, bytes per job
        --dir       where the benchmark databases go (default var/bench/store; emptied first)
        --submitters  concurrent submitter threads (default 64)
        --window    writes each submitter keeps in flight (default 8)
        --seconds   length of each throughput run (default 3)
        --workers   workers in the start-up load (default 1000000)
        --jobs      open jobs in the start-up load (default 100000)
        --json      default var/bench/store.json

      server        end to end over loopback: a daemon in this process, pipelining TCP
                    clients; LOC/s (gateway form) and NEAR/s (k=10, 5 km, one skill), NEAR latency
                at half that rate (open loop), STATS latency under full LOC load, and the
                registry's resident memory per worker at --registry-workers
        --workers 100000, --connections 4, --in-flight 64, --seconds 3,
        --registry-workers 1000000; JSON var/bench/server.json

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
        guard let value = rest.popFirst() else { fail("\(flag) needs a value") }
        guard handle(flag, value) else { fail("unknown option '\(flag)'") }
    }
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
        case "--seconds":
            guard let seconds = Double(value), seconds > 0 else { fail("--seconds needs a positive number") }
            options.seconds = seconds
        case "--workers": options.workers = positive(flag, value)
        case "--jobs": options.openJobs = positive(flag, value)
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
    var options = ServerBenchmark.Options()
    flags(arguments) { flag, value in
        switch flag {
        case "--workers": options.workers = positive(flag, value)
        case "--registry-workers": options.registryWorkers = positive(flag, value)
        case "--connections": options.connections = positive(flag, value)
        case "--in-flight": options.inFlight = positive(flag, value)
        case "--seconds":
            guard let seconds = Double(value), seconds > 0 else { fail("--seconds needs a positive number") }
            options.seconds = seconds
        default: return false
        }
        return true
    }
    progress("registry memory: \(options.registryWorkers) workers with profiles and positions")
    let memory = RegistryMemory.measure(workers: options.registryWorkers)
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
        print(pad("STATS under full LOC load, p99 / max, ms (\(stats.samples.count) asked)", 58)
              + leftPad(format3(stats.p99 / 1e6) + " / " + format3(stats.quantile(1) / 1e6), 10) + "   ≤ 10")
        print(pad("RSS per worker at \(memory.workers) workers (registry + index), B", 58)
              + leftPad(format1(memory.bytesPerWorker), 10) + "   ≤ 160")
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
        json.key("registry_workers"); json.integer(memory.workers)
        json.key("registry_bytes_per_worker"); json.number(memory.bytesPerWorker, decimals: 1)
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

#if DEBUG
progress("warning: this is a debug build; figures are meaningless (use `make bench`)")
#endif
let arguments = CommandLine.arguments.dropFirst()
switch arguments.first {
case "index": runIndex(arguments.dropFirst())
case "store": runStore(arguments.dropFirst())
case "server": runServer(arguments.dropFirst())
case "all":
    guard arguments.count == 1 else { fail("`all` takes no options; run `index`, `store` or `server` for those") }
    runIndex([])
    runStore([])
    runServer([])
case "--help", "-h": print(usage)
case nil: fail("name a benchmark")
case let other?: fail("unknown benchmark '\(other)'")
}
