import SevaCore
import Testing
@testable import SevaServer

/// How long work holds the engine loop, as STATS shows it: the longest ever, the longest of the
/// last 10–20 s (wall and CPU), by kind, and the histogram — on hand-set times.
struct LoopLoadTests {
    let second: UInt64 = 1_000_000_000

    @Test func theLongestHoldsAreKeptByKindAndLately() {
        var load = LoopLoad()
        load.record(.batch, startedAt: 0, endedAt: 3_000_000, cpuNanoseconds: 2_000_000)
        load.record(.tick, startedAt: 5 * second, endedAt: 5 * second + 12_000_000, cpuNanoseconds: 1_000_000)
        #expect(load.holds.maxMs == 12 && load.maxCPUMs == 2)
        #expect(load.maxByWorkMs[LoopLoad.Work.allCases.firstIndex(of: .tick)!] == 12)
        #expect(load.maxCPUByWorkMs[LoopLoad.Work.allCases.firstIndex(of: .batch)!] == 2)
        #expect(load.recentMaxMs == 12 && load.recentMaxCPUMs == 2)
        // A quiet stretch: a window later the old holds are no longer recent; the longest ever stays.
        load.record(.read, startedAt: 25 * second, endedAt: 25 * second + 100_000, cpuNanoseconds: 50_000)
        #expect(load.recentMaxMs == 0.1 && load.recentMaxCPUMs == 0.05)
        #expect(load.holds.maxMs == 12 && load.holds.count == 3)
        #expect(load.holds.counts[DurationHistogram.bucketsMs.firstIndex(of: 25)!] == 1, "the 12 ms hold is in the 10–25 ms bucket")
    }

    @Test func waitsInTheQueueAreKeptApartFromHolds() {
        var load = LoopLoad()
        load.recordWait(nanoseconds: 3_000_000)
        load.recordWait(nanoseconds: 0)
        #expect(load.waits.count == 2 && load.waits.maxMs == 3)
        #expect(load.waits.counts[DurationHistogram.bucketsMs.firstIndex(of: 5)!] == 1, "the 3 ms wait is in the 2–5 ms bucket")
        #expect(load.holds.count == 0, "a wait is not a hold")
    }
}
