import SevaCore

/// Takes a request's arguments apart for one command: positional ones in order, named ones by
/// key, each checked for form; `finish()` refuses anything the command does not know.
struct ArgumentReader {
    let line: RequestLine
    let command: String
    private var positional: [RequestLine.Argument] = []
    private var named: [String: RequestLine.Argument] = [:]
    private var nextPositional = 0

    init(_ line: RequestLine, command: String, skip: Int = 0) throws(WireError) {
        self.line = line
        self.command = command
        for argument in line.arguments.dropFirst(skip) {
            if argument.isNamed {
                let key = line.text(argument.key)
                guard named[key] == nil else { throw .badArgument(key, "given twice") }
                named[key] = argument
            } else {
                positional.append(argument)
            }
        }
    }

    var positionalCount: Int { positional.count }

    /// The next positional argument's text, or BADARG naming `name` when there is none.
    mutating func next(_ name: String) throws(WireError) -> String {
        guard nextPositional < positional.count else { throw .badArgument(name, "missing; usage: \(command)") }
        defer { nextPositional += 1 }
        return line.value(positional[nextPositional])
    }

    /// The next positional argument's raw bytes (for numbers, without making a String).
    mutating func nextBytes(_ name: String) throws(WireError) -> ArraySlice<UInt8> {
        guard nextPositional < positional.count else { throw .badArgument(name, "missing; usage: \(command)") }
        defer { nextPositional += 1 }
        return line.bytes[positional[nextPositional].value]
    }

    /// A named argument's text, removed from those still to check.
    mutating func take(_ key: String) -> String? {
        guard let argument = named.removeValue(forKey: key) else { return nil }
        return line.value(argument)
    }

    /// A named number: a plain decimal within `range`.
    mutating func number(_ key: String, in range: ClosedRange<Double>) throws(WireError) -> Double? {
        guard let argument = named.removeValue(forKey: key) else { return nil }
        return try Self.number(line.bytes[argument.value], key, in: range)
    }

    /// A named whole number within `range`.
    mutating func integer(_ key: String, in range: ClosedRange<Int>) throws(WireError) -> Int? {
        guard let text = take(key) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw .badArgument(key, "must be a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A named `yes`/`no`.
    mutating func flag(_ key: String) throws(WireError) -> Bool? {
        guard let text = take(key) else { return nil }
        switch text.lowercased() {
        case "yes": return true
        case "no": return false
        default: throw .badArgument(key, "must be yes or no")
        }
    }

    /// Refuses extra positional arguments and unknown keys.
    func finish(allowedKeys: [String] = []) throws(WireError) {
        if nextPositional < positional.count {
            throw .badArgument(line.value(positional[nextPositional]), "unexpected argument; usage: \(command)")
        }
        if let key = named.keys.sorted().first {
            let known = allowedKeys.isEmpty ? "it takes no key=value arguments"
                : "it takes " + allowedKeys.map { $0 + "=" }.joined(separator: ", ")
            let verbs = command.split(separator: " ").prefix { word in word.allSatisfy { $0.isUppercase } }
            throw .badArgument(key, "unknown key for \(verbs.joined(separator: " ")); \(known)")
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
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || [UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "-")].contains(byte)
        }
        guard valid else { throw .badArgument(name, "must be 1-64 of A-Z a-z 0-9 _ . : -") }
        return text
    }
}
