import Foundation
import Testing
@testable import SevaServer

/// The key table as the one source: the shipped file is what it generates, `--help` and the
/// man page name every key, and RELOAD classifies and applies every key as the table says.
@Suite struct ConfigurationTableTests {
    @Test func theShippedFileIsWhatTheTableGenerates() throws {
        let path = ConfigurationTests.repository.appendingPathComponent("etc/sevad.toml").path
        let shipped = try String(contentsOfFile: path, encoding: .utf8)
        #expect(shipped == ConfigurationDocs.file, "etc/sevad.toml differs from the key table: run make config")
        #expect(try ConfigurationLoader.load(contents: ConfigurationDocs.file).get() == Configuration())
    }

    @Test func helpAndTheManualNameEveryKeyWithItsDefault() {
        let defaults = Configuration()
        for key in ConfigurationKeys.all {
            #expect(ConfigurationDocs.help.contains("  \(key.name) = \(key.read(defaults).toml)  ["), "\(key.name)")
            #expect(ConfigurationDocs.roff.contains(".B \(key.name.replacingOccurrences(of: "-", with: "\\-")) = "), "\(key.name)")
        }
    }

    @Test func everyKeyReadsBackWhatItWasGiven() throws {
        for key in ConfigurationKeys.all {
            var configuration = Configuration()
            let other = try #require(Self.anotherValue(for: key), "no other value for \(key.name)")
            try key.apply(&configuration, other)
            #expect(key.read(configuration) == other, "\(key.name)")
            #expect(key.read(Configuration()) != other, "\(key.name)")
        }
    }

    /// One change per key: a live key is named as changed and in force at once; a restart-only
    /// key is named as waiting and keeps its value in force; a re-read key is the TLS reload's.
    @Test func aReloadAppliesLiveKeysAndNamesTheRestForARestart() throws {
        let old = Configuration()
        for key in ConfigurationKeys.all {
            var new = old
            try key.apply(&new, try #require(Self.anotherValue(for: key)))
            let change = ConfigurationChange(from: old, to: new)
            switch key.reload {
            case .live:
                #expect(change.changed == [key.name] && change.restartNeeded.isEmpty, "\(key.name)")
                #expect(change.live == new, "\(key.name) is in force at once")
            case .restart:
                #expect(change.restartNeeded == [key.name] && change.changed.isEmpty, "\(key.name)")
                #expect(change.live == old, "\(key.name) keeps its value until the restart")
            case .reread:
                #expect(change.changed.isEmpty && change.restartNeeded.isEmpty, "\(key.name)")
            }
        }
        var rates = old
        rates.rates["cook"] = 150
        #expect(ConfigurationChange(from: old, to: rates).changed == ["rates"])
        #expect(ConfigurationChange(from: old, to: old) == ConfigurationChange(from: old, to: Configuration()))
        #expect(ConfigurationChange(from: old, to: old).changed.isEmpty)
    }

    /// Restart-only keys are those a running daemon cannot change under its clients: listeners,
    /// the store, the skill bits of the index, the privacy grid, the HTTP and metrics listeners.
    @Test func theRestartOnlyKeysAreTheOnesThatCannotChangeUnderClients() {
        let restart = Set(ConfigurationKeys.all.filter { $0.reload == .restart }.map(\.section))
        #expect(restart == ["server", "store", "privacy", "skills", "http", "metrics"])
        #expect(ConfigurationKeys.all.filter { $0.section == "dispatch" }.allSatisfy { $0.reload == .live })
        #expect(ConfigurationKeys.byName["debug.allow_stall"]?.reload == .live)
        #expect(ConfigurationKeys.byName["skills.catalogue"]?.reload == .restart)
    }

    /// A valid value unlike the default, from the key's kind.
    static func anotherValue(for key: ConfigurationKey) -> ConfigurationValue? {
        let current = key.read(Configuration())
        switch key.kind {
        case .integer(let range):
            guard case .integer(let value) = current else { return nil }
            return .integer(value < range.upperBound ? value + 1 : value - 1)
        case .number(let range):
            guard case .real(let value) = current else { return nil }
            return .real(value < range.upperBound ? min(range.upperBound, value + 0.5) : value - 0.5)
        case .text: return .text(key.name + "-changed")
        case .choice(let names):
            guard case .text(let value) = current else { return nil }
            return names.first { $0 != value }.map(ConfigurationValue.text)
        case .flag:
            guard case .flag(let value) = current else { return nil }
            return .flag(!value)
        case .strings: return .list([.text("127.0.0.1:9999")])
        case .radii: return .list([.real(1), .real(3)])
        case .timeZone: return .text("UTC")
        case .state: return .text("Bihar")
        case .catalogue: return .list([.text("cook"), .text("plumber")])
        }
    }
}
