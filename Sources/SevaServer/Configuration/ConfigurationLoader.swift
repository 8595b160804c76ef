import Foundation
import SevaCore
import TOMLKit

/// Reads sevad.toml and command-line overrides into a `Configuration`, reporting every
/// problem at once — unknown sections and keys, wrong types, out-of-range values, rates for
/// skills not in the catalogue — each naming its key.
public enum ConfigurationLoader {
    /// All the problems found; `--check-config` prints them one per line.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let problems: [ConfigurationProblem]
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }

    /// Loads `path` (nil: the defaults alone), then applies `overrides` (`section.key`, value text).
    public static func load(path: String?, overrides: [(key: String, value: String)] = []) -> Result<Configuration, Failure> {
        guard let path else { return load(contents: "", overrides: overrides) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(Failure(problems: [ConfigurationProblem("", "cannot read \(path): check the path and its permissions")]))
        }
        return load(contents: String(decoding: data, as: UTF8.self), overrides: overrides, source: path)
    }

    /// Loads TOML text, then applies `overrides`.
    public static func load(contents: String, overrides: [(key: String, value: String)] = [],
                            source: String = "configuration") -> Result<Configuration, Failure> {
        var configuration = Configuration()
        var problems: [ConfigurationProblem] = []
        let table: TOMLTable
        do {
            table = try TOMLTable(string: contents)
        } catch let error as TOMLParseError {
            return .failure(Failure(problems: [ConfigurationProblem(
                "", "\(source):\(error.source.begin.line):\(error.source.begin.column): \(error.description)")]))
        } catch {
            return .failure(Failure(problems: [ConfigurationProblem("", "\(source): \(error)")]))
        }
        for section in table.keys.sorted() {
            guard let content = table[section]?.table else {
                problems.append(ConfigurationProblem(section, "expected a [\(section)] table"))
                continue
            }
            // A file's [rates] and [districts] replace the defaults whole; overrides add to them.
            if section == "rates" { configuration.rates = [:] }
            if section == "districts" { configuration.districts = [:] }
            for key in content.keys.sorted() {
                guard let value = content[key] else { continue }
                if let problem = apply("\(section).\(key)", ConfigurationValue(value), to: &configuration) {
                    problems.append(problem)
                }
            }
        }
        for (key, text) in overrides {
            if let problem = apply(key, ConfigurationValue(overrideText: text), to: &configuration) {
                problems.append(problem)
            }
        }
        problems += crossChecks(configuration)
        return problems.isEmpty ? .success(configuration) : .failure(Failure(problems: problems))
    }

    /// Names of skills, districts: lower-case ASCII letters, digits, `_` and `-`, starting with a letter.
    static func isName(_ text: String) -> Bool {
        guard let first = text.utf8.first, first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z"),
              text.utf8.count <= 32 else { return false }
        return text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    private static func apply(_ key: String, _ value: ConfigurationValue, to configuration: inout Configuration)
        -> ConfigurationProblem? {
        let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return ConfigurationProblem(key, "name a key as section.key, e.g. server.max_connections") }
        let (section, name) = (parts[0], parts[1])
        switch section {
        case "rates":
            guard isName(name) else { return ConfigurationProblem(key, "rates are named by skill") }
            guard case .integer(let rupees) = value, (0...1_000_000).contains(rupees) else {
                return ConfigurationProblem(key, "must be a whole number of rupees")
            }
            configuration.rates[name] = rupees
            return nil
        case "districts":
            guard isName(name) else { return ConfigurationProblem(key, "district names are lower-case, like hathras") }
            guard case .list(let items) = value, items.count == 2, let lat = items[0].number, let lon = items[1].number,
                  let point = try? GeoPoint(latitude: lat, longitude: lon) else {
                return ConfigurationProblem(key, "must be [latitude, longitude] in degrees")
            }
            configuration.districts[name] = point
            return nil
        default:
            guard let entry = ConfigurationKeys.byName[key] else {
                if !ConfigurationKeys.fixedSections.contains(section) {
                    return ConfigurationProblem(key, "unknown section [\(section)]; sections are "
                        + (ConfigurationKeys.fixedSections + ["rates", "districts"]).joined(separator: ", "))
                }
                let known = ConfigurationKeys.all.map(\.name).filter { $0.hasPrefix(section + ".") }
                    .map { String($0.dropFirst(section.count + 1)) }
                return ConfigurationProblem(key, "unknown key; [\(section)] takes \(known.joined(separator: ", "))")
            }
            do throws(ConfigurationProblem) {
                try entry.apply(&configuration, value)
                return nil
            } catch {
                return error
            }
        }
    }

    /// Rules that span keys.
    private static func crossChecks(_ configuration: Configuration) -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        if configuration.server.tcp.isEmpty && configuration.server.unixSocket.isEmpty {
            problems.append(ConfigurationProblem("server", "no listener: set server.tcp or server.unix_socket"))
        }
        for address in configuration.server.tcp {
            guard let parsed = ListenAddress(address) else {
                problems.append(ConfigurationProblem("server.tcp", "'\(address)' is not host:port (e.g. 127.0.0.1:7878 or [::1]:7878)"))
                continue
            }
            if !parsed.isLoopback && !configuration.server.allowPlaintextPublic {
                problems.append(ConfigurationProblem("server.tcp", ProtectedMode.refusal(address)))
            }
        }
        if configuration.server.outputHardBytes < 2 * configuration.server.outputBufferBytes {
            problems.append(ConfigurationProblem("server.output_hard_bytes", "must be at least twice server.output_buffer_bytes "
                + "(\(configuration.server.outputBufferBytes)): a connection is paused at the one and closed at the other"))
        }
        for address in configuration.server.tls where ListenAddress(address) == nil {
            problems.append(ConfigurationProblem("server.tls", "'\(address)' is not host:port (e.g. 0.0.0.0:7879)"))
        }
        if !configuration.server.tls.isEmpty && configuration.server.tlsFiles == nil {
            problems.append(ConfigurationProblem("server.tls", "TLS listeners need server.tls_cert and server.tls_key (PEM files)"))
        }
        if configuration.store.commitBatchMax > configuration.store.queueMax {
            problems.append(ConfigurationProblem("store.commit_batch_max", "must not exceed store.queue_max"))
        }
        if configuration.store.path.isEmpty { problems.append(ConfigurationProblem("store.path", "must not be empty")) }
        if configuration.store.backend == .postgresql && configuration.store.url.isEmpty {
            problems.append(ConfigurationProblem("store.url", "store.backend = \"postgresql\" needs the database's URL, "
                + "e.g. \"postgresql://sevad@db1,db2/sevad?target_session_attrs=read-write\""))
        }
        for skill in configuration.rates.keys.sorted() where !configuration.skills.contains(skill) {
            problems.append(ConfigurationProblem("rates.\(skill)", "\(skill) is not in skills.catalogue"))
        }
        return problems
    }
}

/// Protected mode (as Redis has): plain-text TCP is served on loopback only, unless the operator
/// says `server.allow_plaintext_public = true` — tokens and workers' positions must not cross a
/// public network in clear by mistake.
public enum ProtectedMode {
    public static func refusal(_ address: String) -> String {
        "\(address) is not a loopback address, and plain-text TCP there would carry tokens and workers' positions "
            + "in clear: serve the public port with TLS (server.tls), or set server.allow_plaintext_public = true "
            + "when a TLS proxy or a private network fronts it"
    }

    /// True for 127.0.0.0/8, ::1 and `localhost`.
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.") || host == "::ffff:127.0.0.1"
    }
}

/// A TCP listen address, `host:port` or `[v6]:port`; port 0 lets the system choose (logged).
public struct ListenAddress: Sendable, Equatable {
    public let host: String
    public let port: Int

    public init?(_ text: String) {
        let host: Substring
        let port: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            port = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            host = text[..<colon]
            port = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, let number = Int(port), (0...65_535).contains(number) else { return nil }
        self.host = String(host)
        self.port = number
    }

    public var isLoopback: Bool { ProtectedMode.isLoopback(host) }
}
