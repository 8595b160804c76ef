import Testing
@testable import SevaCore

/// The dictionary that grows a few entries at a time answers as a Dictionary would through
/// insertions, updates and removals — before, during and after each growth.
@Suite struct IncrementalDictionaryTests {
    @Test func itMatchesADictionaryThroughGrowthAndChurn() {
        var incremental = IncrementalDictionary<String, Int>()
        var reference: [String: Int] = [:]
        var random = SeededGenerator(seed: 17)
        var growths = 0
        for step in 0..<120_000 {
            let key = "w\(random.next() % 30_000)"
            let wasGrowing = incremental.isGrowing
            switch random.next() % 5 {
            case 0:
                incremental[key] = nil
                reference[key] = nil
            default:
                incremental[key] = step
                reference[key] = step
            }
            if !wasGrowing && incremental.isGrowing {
                growths += 1
                // Mid-growth: every key answers from whichever table holds it, removals included.
                for probe in 0..<30_000 where incremental["w\(probe)"] != reference["w\(probe)"] {
                    Issue.record("step \(step): w\(probe) is \(String(describing: incremental["w\(probe)"])), not \(String(describing: reference["w\(probe)"]))")
                    return
                }
            }
            #expect(incremental.count == reference.count)
        }
        #expect(growths >= 3, "the table grew \(growths) times")
        for probe in 0..<30_000 { #expect(incremental["w\(probe)"] == reference["w\(probe)"]) }
        // Removing everything empties it, whatever was draining.
        for key in reference.keys { incremental[key] = nil }
        #expect(incremental.isEmpty)
        for probe in 0..<30_000 { #expect(incremental["w\(probe)"] == nil) }
    }
}
