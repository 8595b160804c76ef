import SevaClient
import Testing

/// The RESP side of `sevabench redis`: commands as arrays of bulk strings, and replies counted
/// whole however the bytes are split — a miscount would make the benchmark wait forever or
/// report requests that were never answered.
@Suite struct RESPReplyCounterTests {
    @Test func aCommandIsAnArrayOfBulkStrings() {
        #expect(String(decoding: RESP.command(["GEOADD", "k", "78.05", "27.596", "b1"]), as: UTF8.self)
                == "*5\r\n$6\r\nGEOADD\r\n$1\r\nk\r\n$5\r\n78.05\r\n$6\r\n27.596\r\n$2\r\nb1\r\n")
        #expect(String(decoding: RESP.command(["पानी"]), as: UTF8.self) == "*1\r\n$12\r\nपानी\r\n", "lengths in bytes")
    }

    /// Every kind of reply, nested, fed whole and then one byte at a time and at every split.
    @Test func repliesAreCountedWholeAtAnySplit() {
        let replies = [
            "+PONG\r\n", ":1\r\n", "$-1\r\n", "$0\r\n\r\n", "$5\r\nhe\r\nl\r\n", "*-1\r\n", "*0\r\n",
            "*2\r\n*3\r\n$2\r\nb1\r\n$6\r\n0.1234\r\n*2\r\n$4\r\n78.0\r\n$4\r\n27.5\r\n*3\r\n$2\r\nb2\r\n$3\r\n1.5\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n",
            "-ERR wrong number of arguments\r\n",
        ]
        let stream = Array(replies.joined().utf8)
        var whole = RESPReplyCounter()
        #expect(stream.withUnsafeBytes { whole.consume($0) } == replies.count)
        #expect(whole.errors == 1)
        for split in 1..<stream.count {
            var counter = RESPReplyCounter()
            let first = stream[..<split].withUnsafeBytes { counter.consume($0) }
            let second = stream[split...].withUnsafeBytes { counter.consume($0) }
            #expect(first + second == replies.count, "split at \(split)")
        }
        var trickle = RESPReplyCounter()
        var counted = 0
        for byte in stream { counted += [byte].withUnsafeBytes { trickle.consume($0) } }
        #expect(counted == replies.count && trickle.errors == 1)
    }

    @Test func anIncompleteReplyIsNotCounted() {
        var counter = RESPReplyCounter()
        #expect(Array("*2\r\n$2\r\nb1\r\n$3\r\n1.".utf8).withUnsafeBytes { counter.consume($0) } == 0)
        #expect(Array("5\r\n".utf8).withUnsafeBytes { counter.consume($0) } == 1)
    }
}
