import SevaServer
#if canImport(Glibc)
import Glibc
#endif

/// Per-operation timings in nanoseconds and their order statistics.
struct Timings {
    private(set) var samples: [Double] = []

    init(capacity: Int) { samples.reserveCapacity(capacity) }

    mutating func record(_ nanoseconds: Double) { samples.append(Swift.max(0, nanoseconds)) }

    /// The q-quantile (0...1) by nearest rank.
    func quantile(_ q: Double) -> Double {
        guard !samples.isEmpty else { return .nan }
        let sorted = samples.sorted()
        let rank = Int((q * Double(sorted.count - 1)).rounded())
        return sorted[rank]
    }

    var median: Double { quantile(0.5) }
    var p99: Double { quantile(0.99) }
}

/// Monotonic clock readings, and the cost of reading it, which is subtracted from samples.
enum Clock {
    @inline(__always) static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    /// Median cost of two back-to-back readings.
    static let overhead: Double = {
        var timings = Timings(capacity: 100_000)
        for _ in 0..<100_000 {
            let start = now()
            timings.record(Double(now() - start))
        }
        return timings.median
    }()

    /// Times `body` once and records it, less the clock's own cost.
    @inline(__always) static func time(_ timings: inout Timings, _ body: () -> Void) {
        let start = now()
        body()
        let end = now()
        timings.record(Double(end - start) - overhead)
    }
}

/// The process's resident memory in bytes (second field of /proc/self/statm, in pages).
/// With `trimmed`, the allocator first returns the free memory it holds to the system, so
/// that buffers freed while arrays grew are not counted as the index's.
func residentBytes(trimmed: Bool = false) -> Int {
    if trimmed { FreedMemory.returnToSystem() }
    guard let file = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(file) }
    var line = [CChar](repeating: 0, count: 128)
    guard fgets(&line, Int32(line.count), file) != nil else { return 0 }
    let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    let fields = text.split(separator: " ")
    guard fields.count >= 2, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

