import Foundation
import SevaCore

let usage = """
    sevabench — sevad's in-process benchmarks (run a release build: `make bench`)

    usage: sevabench index [--sizes N,N,...] [--seed N] [--ops N] [--queries N]
                           [--bucket N] [--json FILE]

      index       the live quadtree on a synthetic UP workforce: moves, filtered kNN,
                  radius counts, memory per worker; a table on stdout, JSON to --json
      --sizes     worker counts (default 10000,1000000,10000000)
      --seed      random seed (default 42)
      --ops       moves per size and kind (default 200000)
      --queries   queries per size and kind (default 50000)
      --bucket    points per leaf before a split (default 64)
      --json      where to write the JSON (default var/bench/index.json)
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("sevabench: \(message)\n\n\(usage)\n".utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail("name a benchmark") }
if command == "--help" || command == "-h" { print(usage); exit(0) }
guard command == "index" else { fail("unknown benchmark '\(command)'") }
arguments.removeFirst()

var options = IndexBenchmark.Options()
var sizes = [10_000, 1_000_000, 10_000_000]
var jsonPath = "var/bench/index.json"
while !arguments.isEmpty {
    let flag = arguments.removeFirst()
    guard let value = arguments.first else { fail("\(flag) needs a value") }
    arguments.removeFirst()
    func number() -> Int {
        guard let parsed = Int(value), parsed > 0 else { fail("\(flag) needs a positive whole number, not '\(value)'") }
        return parsed
    }
    switch flag {
    case "--sizes":
        sizes = value.split(separator: ",").map { part in
            guard let size = Int(part), size > 0 else { fail("--sizes needs positive numbers, not '\(part)'") }
            return size
        }
    case "--seed": options.seed = UInt64(number())
    case "--ops": options.operations = number()
    case "--queries": options.queries = number()
    case "--bucket":
        options.bucketCapacity = number()
        guard (4...4096).contains(options.bucketCapacity) else { fail("--bucket must be in 4...4096") }
    case "--json": jsonPath = value
    default: fail("unknown option '\(flag)'")
    }
}

func progress(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

#if DEBUG
progress("warning: this is a debug build; figures are meaningless (use `make bench`)")
#endif
let benchmark = IndexBenchmark(options: options)
var results: [IndexBenchmark.Result] = []
for size in sizes {
    progress("index benchmark, \(size) workers")
    results.append(benchmark.run(workers: size, progress: progress))
}
let report = IndexReport(results: results, options: options, clockOverheadNs: Clock.overhead)
print(report.table())
let jsonURL = URL(fileURLWithPath: jsonPath)
do {
    try FileManager.default.createDirectory(at: jsonURL.deletingLastPathComponent(), withIntermediateDirectories: true)
    try Data((report.json() + "\n").utf8).write(to: jsonURL)
    print("JSON written to \(jsonPath)")
} catch {
    FileHandle.standardError.write(Data("sevabench: cannot write \(jsonPath): \(error)\n".utf8))
    exit(1)
}
