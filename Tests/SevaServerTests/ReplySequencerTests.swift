import SevaCore
import Testing
@testable import SevaServer

/// Replies leave in request order however they arrive.
@Suite struct ReplySequencerTests {
    @Test func anyArrivalOrderLeavesInRequestOrder() {
        var random = SeededGenerator(seed: 17)
        for round in 0..<50 {
            var sequencer = ReplySequencer()
            let count = 1 + Int(random.next() % 3_000)
            let numbers = (0..<count).map { _ in sequencer.number() }
            var arrivals = numbers
            // Mostly in order, with stretches held back as if waiting for a commit.
            for index in arrivals.indices where random.next() % 4 == 0 {
                arrivals.swapAt(index, min(arrivals.count - 1, index + Int(random.next() % 50)))
            }
            var written: [UInt8] = []
            for number in arrivals {
                sequencer.arrived(number, Reply(bytes: [UInt8(truncatingIfNeeded: number)])) { written += $0.bytes }
            }
            #expect(written == numbers.map { UInt8(truncatingIfNeeded: $0) }, "round \(round)")
            #expect(sequencer.allAnswered)
        }
    }

    @Test func nothingIsWrittenUntilTheFirstArrives() {
        var sequencer = ReplySequencer()
        let first = sequencer.number()
        let second = sequencer.number()
        var written: [UInt8] = []
        sequencer.arrived(second, Reply(bytes: [2])) { written += $0.bytes }
        #expect(written.isEmpty && !sequencer.allAnswered)
        sequencer.arrived(first, Reply(bytes: [1])) { written += $0.bytes }
        #expect(written == [1, 2] && sequencer.allAnswered)
    }
}
