/// One request line split into its verb and arguments, as byte ranges into the line: no
/// `String` is made per token, and the line itself is a slice of the bytes a read brought. Parsing checks the whole grammar of DESIGN.md §2 — printable
/// UTF-8 only, words, quoted strings with `\"` `\\` `\n` `\t`, `key=value` with lower-case
/// keys — and refuses anything else with `ERR PROTO`.
///
/// Arguments are separated by one or more spaces. A trailing CR has already been removed by
/// the framer, as has the LF.
public struct RequestLine: Sendable {
    /// One argument: a word or quoted string, with the key when it was `key=value`.
    public struct Argument: Sendable, Equatable {
        /// The key's bytes, or an empty range for a positional argument.
        public var key: Range<Int>
        /// The value's bytes (inside the quotes for a quoted value).
        public var value: Range<Int>
        /// True when the value was quoted and holds escapes to be decoded.
        public var hasEscapes: Bool
        /// True when the value was quoted.
        public var quoted: Bool

        public var isNamed: Bool { !key.isEmpty }
    }

    /// The line's bytes; ranges below index into it (it need not start at 0).
    public let bytes: ArraySlice<UInt8>
    /// The verb's bytes.
    public let verb: Range<Int>
    public let arguments: [Argument]

    /// Parses one line (without its LF and CR).
    public init(_ line: some Collection<UInt8>) throws(WireError) {
        try self.init(bytes: Array(line)[...])
    }

    /// Parses one line held in an array slice (without its LF and CR), without copying it.
    public init(bytes line: ArraySlice<UInt8>) throws(WireError) {
        bytes = line
        var scanner = Scanner(bytes: bytes)
        try scanner.validateText()
        scanner.skipSpaces()
        let verbStart = scanner.index
        while let byte = scanner.peek, byte != .space {
            guard byte != .quote, byte != .equals else { throw .proto("the line must start with a verb") }
            scanner.index += 1
        }
        guard scanner.index > verbStart else { throw .proto("empty request") }
        verb = verbStart..<scanner.index
        var arguments: [Argument] = []
        scanner.skipSpaces()
        while !scanner.atEnd {
            arguments.append(try scanner.argument())
            guard scanner.atEnd || scanner.peek == .space else {
                throw .proto("arguments must be separated by spaces (at byte \(scanner.column))")
            }
            scanner.skipSpaces()
        }
        self.arguments = arguments
    }

    /// The verb's bytes, e.g. to match case-insensitively.
    public var verbBytes: ArraySlice<UInt8> { bytes[verb] }

    /// True when the bytes in `range` are exactly `text`'s.
    public func bytes(_ range: Range<Int>, equal text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        var position = range.lowerBound
        for byte in UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount) {
            guard bytes[position] == byte else { return false }
            position += 1
        }
        return true
    }

    /// The text of a range of the line (a key or an unquoted value).
    public func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// An argument's value as text, with escapes decoded.
    public func value(_ argument: Argument) -> String {
        guard argument.hasEscapes else { return text(argument.value) }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(argument.value.count)
        var index = argument.value.lowerBound
        while index < argument.value.upperBound {
            let byte = bytes[index]
            if byte == .backslash {
                index += 1
                switch bytes[index] {
                case UInt8(ascii: "n"): decoded.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): decoded.append(UInt8(ascii: "\t"))
                default: decoded.append(bytes[index])
                }
            } else {
                decoded.append(byte)
            }
            index += 1
        }
        return String(decoding: decoded, as: UTF8.self)
    }
}

extension UInt8 {
    static let space = UInt8(ascii: " ")
    static let quote = UInt8(ascii: "\"")
    static let equals = UInt8(ascii: "=")
    static let backslash = UInt8(ascii: "\\")
}

/// Walks a line's bytes for `RequestLine`.
private struct Scanner {
    let bytes: ArraySlice<UInt8>
    var index: Int

    init(bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        index = bytes.startIndex
    }

    var atEnd: Bool { index >= bytes.endIndex }
    var peek: UInt8? { atEnd ? nil : bytes[index] }
    /// The 1-based byte position of `index`, for messages.
    var column: Int { index - bytes.startIndex + 1 }
    func column(_ position: Int) -> Int { position - bytes.startIndex + 1 }

    mutating func skipSpaces() {
        while index < bytes.endIndex && bytes[index] == .space { index += 1 }
    }

    /// Refuses control bytes and invalid UTF-8 anywhere in the line.
    func validateText() throws(WireError) {
        var position = bytes.startIndex
        while position < bytes.endIndex {
            let byte = bytes[position]
            if byte < 0x80 {
                guard byte >= 0x20 && byte != 0x7F else {
                    throw .proto("control byte 0x\(String(byte, radix: 16)) at byte \(column(position)); quote text and use \\n or \\t")
                }
                position += 1
                continue
            }
            let length: Int
            switch byte {
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: throw .proto("invalid UTF-8 at byte \(column(position))")
            }
            guard position + length <= bytes.endIndex else { throw .proto("invalid UTF-8 at byte \(column(position))") }
            for offset in 1..<length where bytes[position + offset] & 0xC0 != 0x80 {
                throw .proto("invalid UTF-8 at byte \(column(position))")
            }
            let second = bytes[position + 1]
            let overlongOrSurrogate = (byte == 0xE0 && second < 0xA0) || (byte == 0xED && second > 0x9F)
                || (byte == 0xF0 && second < 0x90) || (byte == 0xF4 && second > 0x8F)
            guard !overlongOrSurrogate else { throw .proto("invalid UTF-8 at byte \(column(position))") }
            position += length
        }
    }

    /// A word, a quoted string, or `key=` followed by either.
    mutating func argument() throws(WireError) -> RequestLine.Argument {
        if peek == .quote {
            let (value, escapes) = try quoted()
            return RequestLine.Argument(key: 0..<0, value: value, hasEscapes: escapes, quoted: true)
        }
        let start = index
        var equalsAt: Int?
        while let byte = peek, byte != .space {
            if byte == .quote {
                guard let equals = equalsAt, equals == index - 1 else {
                    throw .proto("a quote may only open an argument or a value (at byte \(column))")
                }
                let key = start..<equals
                try validateKey(key)
                let (value, escapes) = try quoted()
                return RequestLine.Argument(key: key, value: value, hasEscapes: escapes, quoted: true)
            }
            if byte == .equals && equalsAt == nil {
                guard index > start else { throw .proto("an argument may not start with '=' (at byte \(column))") }
                equalsAt = index
            }
            index += 1
        }
        guard let equals = equalsAt else {
            return RequestLine.Argument(key: 0..<0, value: start..<index, hasEscapes: false, quoted: false)
        }
        let key = start..<equals
        try validateKey(key)
        return RequestLine.Argument(key: key, value: (equals + 1)..<index, hasEscapes: false, quoted: false)
    }

    /// Keys are lower-case ASCII letters, digits and `_`, starting with a letter.
    func validateKey(_ key: Range<Int>) throws(WireError) {
        for position in key {
            let byte = bytes[position]
            let letter = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            let other = (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
            guard letter || (other && position > key.lowerBound) else {
                throw .proto("keys are lower-case ASCII, like skill=; got '\(String(decoding: bytes[key], as: UTF8.self))'")
            }
        }
    }

    /// A quoted string: returns the range inside the quotes and whether it holds escapes.
    mutating func quoted() throws(WireError) -> (Range<Int>, Bool) {
        let open = index
        index += 1
        let start = index
        var escapes = false
        while let byte = peek {
            if byte == .quote {
                let range = start..<index
                index += 1
                return (range, escapes)
            }
            if byte == .backslash {
                escapes = true
                index += 1
                guard let escaped = peek else { break }
                guard escaped == .quote || escaped == .backslash || escaped == UInt8(ascii: "n") || escaped == UInt8(ascii: "t") else {
                    throw .proto("unknown escape \\\(Character(Unicode.Scalar(escaped))) at byte \(column - 1); use \\\" \\\\ \\n or \\t")
                }
            }
            index += 1
        }
        throw .proto("unbalanced quote opened at byte \(column(open))")
    }
}
