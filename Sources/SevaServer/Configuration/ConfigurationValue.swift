import TOMLKit

/// A configuration value as read from TOML or a command-line override, before it is checked
/// against its key.
enum ConfigurationValue: Sendable, Equatable {
    case integer(Int)
    case real(Double)
    case text(String)
    case flag(Bool)
    case list([ConfigurationValue])
    case other(String)

    init(_ value: TOMLValueConvertible) {
        switch value.type {
        case .int: self = .integer(value.int ?? 0)
        case .double: self = .real(value.double ?? 0)
        case .string: self = .text(value.string ?? "")
        case .bool: self = .flag(value.bool ?? false)
        case .array: self = .list((value.array.map(Array.init) ?? []).map(ConfigurationValue.init))
        default: self = .other(value.type.description)
        }
    }

    /// A command-line override's text: a TOML value when it parses as one, else a bare string.
    init(overrideText text: String) {
        if let table = try? TOMLTable(string: "value = \(text)"), let value = table["value"] {
            self.init(value)
        } else {
            self = .text(text)
        }
    }

    var typeName: String {
        switch self {
        case .integer: return "an integer"
        case .real: return "a number"
        case .text: return "a string"
        case .flag: return "true or false"
        case .list: return "a list"
        case .other(let name): return "a \(name)"
        }
    }

    /// A number, from an integer or a float.
    var number: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .real(let value): return value.isFinite ? value : nil
        default: return nil
        }
    }
}

extension ConfigurationValue {
    /// The value as TOML text: whole numbers without a fraction, lists on one line.
    var toml: String {
        switch self {
        case .integer(let value): return String(value)
        case .real(let value):
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            return "\(value)"
        case .text(let text): return "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .flag(let flag): return flag ? "true" : "false"
        case .list(let items): return "[" + items.map(\.toml).joined(separator: ", ") + "]"
        case .other(let name): return name
        }
    }
}
