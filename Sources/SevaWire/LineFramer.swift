/// Cuts a byte stream into request lines (DESIGN.md §2): LF ends a line, a CR before it is
/// dropped, empty lines are skipped, and a line longer than `maxLineBytes` is reported once —
/// the connection then closes with `ERR TOOLONG`, so nothing after it is read.
///
/// Bytes are buffered only up to the limit: a client that never sends LF cannot grow memory.
public struct LineFramer: Sendable {
    /// What the framer found in the bytes fed so far.
    public enum Frame: Sendable, Equatable {
        /// A complete line, without its LF (and CR): a slice of the bytes fed when the line
        /// came in one piece, so nothing is copied.
        case line(ArraySlice<UInt8>)
        /// A line passed the limit; no more frames follow.
        case tooLong
    }

    public let maxLineBytes: Int
    private var partial: [UInt8] = []
    private var failed = false

    public init(maxLineBytes: Int) {
        precondition(maxLineBytes > 0, "maxLineBytes must be positive")
        self.maxLineBytes = maxLineBytes
    }

    /// Bytes of an unfinished line held now (at most `maxLineBytes`).
    public var bufferedBytes: Int { partial.count }

    /// Feeds received bytes; returns the frames they complete, in order. A line wholly
    /// inside `bytes` is returned as a slice of it; only a line that began in an earlier
    /// read is copied (once).
    public mutating func feed(_ bytes: [UInt8]) -> [Frame] {
        guard !failed else { return [] }
        var frames: [Frame] = []
        var start = bytes.startIndex
        while start < bytes.endIndex {
            guard let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                // An unfinished line: keep it (a CR may still be dropped, so allow one more).
                let pieceCount = bytes.endIndex - start
                let trailingCR = bytes[bytes.endIndex - 1] == UInt8(ascii: "\r")
                if partial.count + pieceCount > maxLineBytes + (trailingCR ? 1 : 0) { return fail(frames) }
                partial.append(contentsOf: bytes[start...])
                break
            }
            var line: ArraySlice<UInt8>
            if partial.isEmpty {
                line = bytes[start..<newline]
            } else {
                if partial.count + (newline - start) > maxLineBytes + 1 { return fail(frames) }
                partial.append(contentsOf: bytes[start..<newline])
                line = partial[...]
                partial = []
            }
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.count > maxLineBytes { return fail(frames) }
            if !line.isEmpty { frames.append(.line(line)) }
            start = newline + 1
        }
        return frames
    }

    private mutating func fail(_ frames: [Frame]) -> [Frame] {
        failed = true
        partial = []
        return frames + [.tooLong]
    }

    /// What is left when the peer closes: an unfinished line is dropped, never executed.
    public mutating func finish() -> Int {
        defer { partial = [] }
        return partial.count
    }
}
