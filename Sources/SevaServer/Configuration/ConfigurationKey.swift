import Foundation

/// One configuration key: everything sevad knows about it in one place (after Redis's
/// `standardConfig`). Parsing, bounds, the default (read off `Configuration()`), the shipped
/// `etc/sevad.toml`, `--help`, the man page and RELOAD's report all come from these entries.
struct ConfigurationKey: Sendable {
    /// `section.key`, as written in the file and on the command line.
    let name: String
    /// What it accepts, for the docs and for the error a wrong value gets.
    let kind: ConfigurationKind
    /// One line (wrapped where shown): what it does, why its default is what it is.
    let doc: String
    /// How a RELOAD reaches it.
    let reload: ConfigurationReload
    /// Checks `value` against the key and stores it.
    let apply: @Sendable (inout Configuration, ConfigurationValue) throws(ConfigurationProblem) -> Void
    /// The key's value in a configuration, as TOML would hold it.
    let read: @Sendable (Configuration) -> ConfigurationValue

    var section: String { String(name.prefix { $0 != "." }) }
    var field: String { String(name.drop { $0 != "." }.dropFirst()) }
}

/// How a changed key reaches the running daemon on RELOAD (or SIGHUP).
enum ConfigurationReload: Sendable, Equatable {
    /// Applied at once: dispatch rules, limits, rates, the log level.
    case live
    /// Files read again on every reload, even when their paths did not change (a renewed
    /// certificate keeps its path).
    case reread
    /// Kept as it is until the next restart, and named in RELOAD's `restart_needed`.
    case restart
}

/// What a key accepts.
enum ConfigurationKind: Sendable, Equatable {
    case integer(ClosedRange<Int>)
    case number(ClosedRange<Double>)
    case text
    case choice([String])
    case flag
    case strings
    /// Increasing radii in km.
    case radii
    /// An IANA zone name.
    case timeZone
    /// A state or union territory of India, by name; empty for none.
    case state
    /// Lower-case skill names.
    case catalogue

    /// Shown in `--help` and the man page.
    var summary: String {
        switch self {
        case .integer(let range): return "integer \(range.lowerBound)..\(range.upperBound)"
        case .number(let range):
            return "number \(ConfigurationValue.real(range.lowerBound).toml)..\(ConfigurationValue.real(range.upperBound).toml)"
        case .text: return "string"
        case .choice(let names): return names.map { "\"\($0)\"" }.joined(separator: " | ")
        case .flag: return "true | false"
        case .strings: return "list of strings"
        case .radii: return "list of km, increasing"
        case .timeZone: return "IANA zone name"
        case .state: return "state of India, or \"\""
        case .catalogue: return "list of skill names"
        }
    }
}

/// One thing wrong with a configuration, naming the key.
public struct ConfigurationProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let key: String
    public let message: String

    public init(_ key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { key.isEmpty ? message : "\(key): \(message)" }
}
