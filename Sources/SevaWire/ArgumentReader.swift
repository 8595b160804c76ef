import SevaCore

/// Takes a request's arguments apart for one command: positional ones in order, named ones by
/// key, each checked for form; `finish()` refuses anything the command does not know.
///
/// It reads the parsed line in place — no array or dictionary is built per request.
struct ArgumentReader {
    /// More arguments than any command takes; a line with more is refused whole.
    static let maximumArguments = 64

    let line: RequestLine
    let command: String
    /// This command's arguments: `line.arguments[first...]`.
    private let first: Int
    /// Where the search for the next positional argument goes on from.
    private var cursor: Int
    /// Bit i set: named argument `first + i` has been taken.
    private var taken: UInt64 = 0
    private(set) var positionalCount = 0

    init(_ line: RequestLine, command: String, skip: Int = 0) throws(WireError) {
        self.line = line
        self.command = command
        first = min(skip, line.arguments.count)
        cursor = first
        let arguments = line.arguments
        guard arguments.count - first <= Self.maximumArguments else {
            throw .badArgument("arguments", "more than \(Self.maximumArguments); usage: \(command)")
        }
        for index in first..<arguments.count {
            guard arguments[index].isNamed else {
                positionalCount += 1
                continue
            }
            let key = arguments[index].key
            for earlier in first..<index where arguments[earlier].isNamed && line.bytes[arguments[earlier].key].elementsEqual(line.bytes[key]) {
                throw .badArgument(line.text(key), "given twice")
            }
        }
    }

    /// The next positional argument's text, or BADARG naming `name` when there is none.
    mutating func next(_ name: String) throws(WireError) -> String {
        line.value(try nextArgument(name))
    }

    /// The next positional argument's raw bytes (for numbers, without making a String).
    mutating func nextBytes(_ name: String) throws(WireError) -> ArraySlice<UInt8> {
        line.bytes[try nextArgument(name).value]
    }

    private mutating func nextArgument(_ name: String) throws(WireError) -> RequestLine.Argument {
        let arguments = line.arguments
        while cursor < arguments.count && arguments[cursor].isNamed { cursor += 1 }
        guard cursor < arguments.count else { throw .badArgument(name, "missing; usage: \(command)") }
        defer { cursor += 1 }
        return arguments[cursor]
    }

    /// A named argument, marked as taken.
    private mutating func named(_ key: StaticString) -> RequestLine.Argument? {
        let arguments = line.arguments
        for index in first..<arguments.count where arguments[index].isNamed && taken & (1 << (index - first)) == 0 {
            if line.bytes(arguments[index].key, equal: key) {
                taken |= 1 << (index - first)
                return arguments[index]
            }
        }
        return nil
    }

    /// A named argument's text, removed from those still to check.
    mutating func take(_ key: StaticString) -> String? {
        named(key).map { line.value($0) }
    }

    /// A named number: a plain decimal within `range`.
    mutating func number(_ key: StaticString, in range: ClosedRange<Double>) throws(WireError) -> Double? {
        guard let argument = named(key) else { return nil }
        return try Self.number(line.bytes[argument.value], key.description, in: range)
    }

    /// A named whole number within `range`.
    mutating func integer(_ key: StaticString, in range: ClosedRange<Int>) throws(WireError) -> Int? {
        guard let text = take(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .badArgument(key.description, "must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A named `yes`/`no`.
    mutating func flag(_ key: StaticString) throws(WireError) -> Bool? {
        guard let text = take(key) else { return nil }
        switch text.lowercased() {
        case "yes": return true
        case "no": return false
        default: throw .badArgument(key.description, "must be yes or no")
        }
    }

    /// Refuses extra positional arguments and unknown keys.
    func finish(allowedKeys: [String] = []) throws(WireError) {
        let arguments = line.arguments
        var position = cursor
        while position < arguments.count && arguments[position].isNamed { position += 1 }
        if position < arguments.count {
            throw .badArgument(line.value(arguments[position]), "unexpected argument; usage: \(command)")
        }
        for index in first..<arguments.count where arguments[index].isNamed && taken & (1 << (index - first)) == 0 {
            let known = allowedKeys.isEmpty ? "it takes no key=value arguments"
                : "it takes " + allowedKeys.map { $0 + "=" }.joined(separator: ", ")
            let verbs = command.split(separator: " ").prefix { word in word.allSatisfy { $0.isUppercase } }
            throw .badArgument(line.text(arguments[index].key), "unknown key for \(verbs.joined(separator: " ")); \(known)")
        }
    }

    static func number(_ bytes: ArraySlice<UInt8>, _ name: String, in range: ClosedRange<Double>) throws(WireError) -> Double {
        guard let value = DecimalText.parse(bytes), value.isFinite else {
            throw .badArgument(name, "must be a plain decimal number")
        }
        guard range.contains(value) else {
            throw .badArgument(name, "must be within [\(Self.show(range.lowerBound)), \(Self.show(range.upperBound))]")
        }
        return value
    }

    private static func show(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    /// A worker id: `[A-Za-z0-9_.:-]{1,64}`.
    static func workerID(_ text: String, _ name: String = "worker") throws(WireError) -> String {
        let valid = (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "-"): true
            default: false
            }
        }
        guard valid else { throw .badArgument(name, "must be 1-64 of A-Z a-z 0-9 _ . : -") }
        return text
    }
}
