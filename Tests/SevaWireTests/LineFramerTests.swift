import Testing
@testable import SevaWire

@Suite struct LineFramerTests {
    func lines(_ frames: [LineFramer.Frame]) -> [String] {
        frames.map { frame in
            switch frame {
            case .line(let bytes): return String(decoding: bytes, as: UTF8.self)
            case .tooLong: return "<TOOLONG>"
            }
        }
    }

    @Test func linesEndAtLFWithCRDroppedAndEmptyLinesSkipped() {
        var framer = LineFramer(maxLineBytes: 64)
        #expect(lines(framer.feed(Array("PING\r\n\nHELLO\n\r\nQUIT\n".utf8))) == ["PING", "HELLO", "QUIT"])
        #expect(framer.bufferedBytes == 0)
    }

    @Test func dripFedBytesMakeTheSameLines() {
        let stream = Array("LOC w1 27.5 78.0\r\nNEAR 27.5 78.0 skill=cook\nPING\n".utf8)
        var framer = LineFramer(maxLineBytes: 64)
        var frames: [LineFramer.Frame] = []
        for byte in stream { frames += framer.feed([byte]) }
        #expect(lines(frames) == ["LOC w1 27.5 78.0", "NEAR 27.5 78.0 skill=cook", "PING"])
    }

    @Test func aCRInsideALineIsKept() {
        var framer = LineFramer(maxLineBytes: 64)
        #expect(framer.feed(Array("A\rB\n".utf8)) == [.line(Array("A\rB".utf8)[...])])
    }

    @Test func theLimitCountsTheLineWithoutItsEnding() {
        var framer = LineFramer(maxLineBytes: 4)
        #expect(lines(framer.feed(Array("PING\r\nPING\n".utf8))) == ["PING", "PING"])
        #expect(lines(framer.feed(Array("PINGS\n".utf8))) == ["<TOOLONG>"])
        #expect(framer.feed(Array("PING\n".utf8)).isEmpty, "nothing after TOOLONG")
    }

    @Test func aHugeLineWithoutLFIsCutAtTheLimit() {
        var framer = LineFramer(maxLineBytes: 4_096)
        var frames: [LineFramer.Frame] = []
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 65_536)
        for _ in 0..<16 { frames += framer.feed(chunk) }
        #expect(frames == [.tooLong])
        #expect(framer.bufferedBytes == 0, "a 1 MB line never sits in memory")
    }

    @Test func anUnfinishedLineAtCloseIsDropped() {
        var framer = LineFramer(maxLineBytes: 64)
        #expect(lines(framer.feed(Array("PING\nWORKER DEL w".utf8))) == ["PING"])
        #expect(framer.finish() == 12)
        #expect(framer.bufferedBytes == 0)
    }
}
