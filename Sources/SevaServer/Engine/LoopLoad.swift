import Dispatch
import SevaCore
#if canImport(Glibc)
import Glibc
#endif

/// How long the engine loop is held by each piece of work it runs (a connection's batch, a
/// tick, a commit's or a read's completion): the longest ever, the longest lately, and a
/// histogram — so a stall shows in STATS and `/metrics` before anyone complains of it.
///
/// Held time is wall-clock time, which includes any time the kernel ran another thread on
/// the core meanwhile; the longest *CPU* time one piece of work took is kept beside it, so a
/// long hold can be told apart as work (the CPU figure is as long) or as a busy host (it
/// is not).
struct LoopLoad {
    /// The kinds of work the loop runs, so the longest hold can be traced to its cause.
    enum Work: String, CaseIterable {
        /// A connection's batch of commands.
        case batch
        /// The dispatch tick with its slice of the staleness sweep.
        case tick
        /// A chunk of the position snapshot.
        case snapshot
        /// A group commit's completion: replies, dispatch notices.
        case commit
        /// A store read's answer.
        case read
        /// A slice of a closed gateway's workers taken out of the offer map.
        case unlisten
    }

    /// The "lately" window: the longest batch of this and the previous window.
    static let windowNanoseconds: UInt64 = 10_000_000_000

    /// Every hold: count, sum, longest and buckets.
    private(set) var holds = DurationHistogram()
    /// How long work handed over from another thread (a connection's batch, a commit's
    /// completions) waited in the loop's queue before it ran.
    private(set) var waits = DurationHistogram()
    /// The longest CPU time of one piece of work, since start.
    private(set) var maxCPUMs = 0.0
    /// The longest hold by each kind of work, and the most CPU time one took, in
    /// `Work.allCases` order.
    private(set) var maxByWorkMs = [Double](repeating: 0, count: Work.allCases.count)
    private(set) var maxCPUByWorkMs = [Double](repeating: 0, count: Work.allCases.count)
    private var windowStart: UInt64 = 0
    private var windowMaxMs = 0.0
    private var previousWindowMaxMs = 0.0
    private var windowMaxCPUMs = 0.0
    private var previousWindowMaxCPUMs = 0.0

    /// The longest batch in the last 10 to 20 seconds, and the most CPU time one took then.
    var recentMaxMs: Double { max(windowMaxMs, previousWindowMaxMs) }
    var recentMaxCPUMs: Double { max(windowMaxCPUMs, previousWindowMaxCPUMs) }

    mutating func record(_ work: Work, startedAt start: UInt64, endedAt end: UInt64, cpuNanoseconds cpu: UInt64) {
        maxCPUMs = max(maxCPUMs, Double(cpu) / 1e6)
        let ms = Double(end &- start) / 1e6
        let kind = Work.allCases.firstIndex(of: work)!
        maxByWorkMs[kind] = max(maxByWorkMs[kind], ms)
        maxCPUByWorkMs[kind] = max(maxCPUByWorkMs[kind], Double(cpu) / 1e6)
        holds.record(ms: ms)
        if end &- windowStart >= Self.windowNanoseconds {
            let stale = end &- windowStart >= 2 * Self.windowNanoseconds
            previousWindowMaxMs = stale ? 0 : windowMaxMs
            previousWindowMaxCPUMs = stale ? 0 : windowMaxCPUMs
            windowMaxMs = 0
            windowMaxCPUMs = 0
            windowStart = end
        }
        windowMaxMs = max(windowMaxMs, ms)
        windowMaxCPUMs = max(windowMaxCPUMs, Double(cpu) / 1e6)
    }

    /// Work handed over from another thread waited this long in the loop's queue.
    mutating func recordWait(nanoseconds: UInt64) {
        waits.record(ms: Double(nanoseconds) / 1e6)
    }

    static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// CPU time the calling thread has used, in nanoseconds.
    static var threadCPU: UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}

/// The command of a batch that held the loop longest (one monotonic clock read per command, a
/// vDSO call of some 20 ns), so that a long hold names its cause.
struct SlowestCommand {
    /// Its place in the batch; `Int.max` while none has run.
    private(set) var index = Int.max
    private(set) var nanoseconds: UInt64 = 0

    mutating func note(index: Int, nanoseconds: UInt64) {
        guard nanoseconds >= self.nanoseconds else { return }
        self.index = index
        self.nanoseconds = nanoseconds
    }
}
