/// Cuts a byte stream into request lines (DESIGN.md §2): LF ends a line, a CR before it is
/// dropped, empty lines are skipped, and a line longer than `maxLineBytes` is reported once —
/// the connection then closes with `ERR TOOLONG`, so nothing after it is read.
///
/// Bytes are buffered only up to the limit: a client that never sends LF cannot grow memory.
public struct LineFramer: Sendable {
    /// What the framer found in the bytes fed so far.
    public enum Frame: Sendable, Equatable {
        case line([UInt8])
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

    /// Feeds received bytes; returns the frames they complete, in order. Copies each line
    /// once, by slices, never byte by byte.
    public mutating func feed(_ bytes: [UInt8]) -> [Frame] {
        guard !failed else { return [] }
        var frames: [Frame] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            let newline = rest.firstIndex(of: UInt8(ascii: "\n"))
            let piece = rest[..<(newline ?? rest.endIndex)]
            // A CR may still be dropped before the LF, so one byte past the limit is allowed
            // when it is a CR, until the line is complete.
            let length = partial.count + piece.count
            let trailingCR = (piece.last ?? partial.last) == UInt8(ascii: "\r")
            if length > maxLineBytes + (trailingCR ? 1 : 0) {
                failed = true
                partial = []
                frames.append(.tooLong)
                return frames
            }
            partial.append(contentsOf: piece)
            guard let newline else { break }
            if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
            if partial.count > maxLineBytes {
                failed = true
                partial = []
                frames.append(.tooLong)
                return frames
            }
            if !partial.isEmpty { frames.append(.line(partial)) }
            partial.removeAll(keepingCapacity: true)
            rest = rest[rest.index(after: newline)...]
        }
        return frames
    }

    /// What is left when the peer closes: an unfinished line is dropped, never executed.
    public mutating func finish() -> Int {
        defer { partial = [] }
        return partial.count
    }
}
