import Foundation
import SevaCore

/// The builders the key table is written with: each ties a key's name and kind to the field of
/// `Configuration` it sets and reads, so a key cannot be parsed one way and reported another.
extension ConfigurationKeys {
    typealias Path<Value> = WritableKeyPath<Configuration, Value> & Sendable

    static func integer(_ name: String, _ range: ClosedRange<Int>, _ path: Path<Int>, _ doc: String,
                        _ reload: ConfigurationReload = .live) -> ConfigurationKey {
        ConfigurationKey(name: name, kind: .integer(range), doc: doc, reload: reload, apply: { configuration, value throws(ConfigurationProblem) in
            guard case .integer(let number) = value else { throw ConfigurationProblem(name, "must be an integer, not \(value.typeName)") }
            guard range.contains(number) else {
                throw ConfigurationProblem(name, "must be within \(range.lowerBound)...\(range.upperBound), not \(number)")
            }
            configuration[keyPath: path] = number
        }, read: { .integer($0[keyPath: path]) })
    }

    static func number(_ name: String, _ range: ClosedRange<Double>, _ path: Path<Double>, _ doc: String,
                        _ reload: ConfigurationReload = .live) -> ConfigurationKey {
        ConfigurationKey(name: name, kind: .number(range), doc: doc, reload: reload, apply: { configuration, value throws(ConfigurationProblem) in
            guard let number = value.number else { throw ConfigurationProblem(name, "must be a number, not \(value.typeName)") }
            guard range.contains(number) else {
                throw ConfigurationProblem(name, "must be within \(range.lowerBound)...\(range.upperBound), not \(number)")
            }
            configuration[keyPath: path] = number
        }, read: { .real($0[keyPath: path]) })
    }

    static func text(_ name: String, _ path: Path<String>, _ doc: String, _ reload: ConfigurationReload = .live) -> ConfigurationKey {
        ConfigurationKey(name: name, kind: .text, doc: doc, reload: reload, apply: { configuration, value throws(ConfigurationProblem) in
            guard case .text(let text) = value else { throw ConfigurationProblem(name, "must be a string, not \(value.typeName)") }
            configuration[keyPath: path] = text
        }, read: { .text($0[keyPath: path]) })
    }

    static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ path: Path<Choice>, _ doc: String, _ reload: ConfigurationReload = .live
    ) -> ConfigurationKey where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue)
        return ConfigurationKey(name: name, kind: .choice(names), doc: doc, reload: reload, apply: { configuration, value throws(ConfigurationProblem) in
            guard case .text(let text) = value, let choice = Choice(rawValue: text) else {
                throw ConfigurationProblem(name, "must be one of \(names.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            configuration[keyPath: path] = choice
        }, read: { .text($0[keyPath: path].rawValue) })
    }

    static func flag(_ name: String, _ path: Path<Bool>, _ doc: String, _ reload: ConfigurationReload = .live) -> ConfigurationKey {
        ConfigurationKey(name: name, kind: .flag, doc: doc, reload: reload, apply: { configuration, value throws(ConfigurationProblem) in
            guard case .flag(let flag) = value else { throw ConfigurationProblem(name, "must be true or false, not \(value.typeName)") }
            configuration[keyPath: path] = flag
        }, read: { .flag($0[keyPath: path]) })
    }

    static func strings(_ name: String, _ path: Path<[String]>, _ doc: String, _ reload: ConfigurationReload = .live) -> ConfigurationKey {
        ConfigurationKey(name: name, kind: .strings, doc: doc, reload: reload, apply: { configuration, value throws(ConfigurationProblem) in
            configuration[keyPath: path] = try texts(name, value)
        }, read: { .list($0[keyPath: path].map(ConfigurationValue.text)) })
    }

    static func timeZone(_ name: String, _ path: Path<String>, _ doc: String) -> ConfigurationKey {
        ConfigurationKey(name: name, kind: .timeZone, doc: doc, reload: .live, apply: { configuration, value throws(ConfigurationProblem) in
            // An area/place name or UTC: abbreviations like IST are ambiguous (India, Israel, Ireland).
            guard case .text(let text) = value, text == "UTC" || text.contains("/"), TimeZone(identifier: text) != nil else {
                throw ConfigurationProblem(name, "must be an IANA time zone name, like \"Asia/Kolkata\" or \"UTC\"")
            }
            configuration[keyPath: path] = text
        }, read: { .text($0[keyPath: path]) })
    }

    static func state(_ name: String, _ path: Path<String>, _ doc: String) -> ConfigurationKey {
        ConfigurationKey(name: name, kind: .state, doc: doc, reload: .live, apply: { configuration, value throws(ConfigurationProblem) in
            guard case .text(let text) = value, text.isEmpty || Gazetteer.india.hasState(text) else {
                throw ConfigurationProblem(name, "must be a state or union territory of India as India Post names it, "
                                                + "like \"Uttar Pradesh\", or \"\" for none")
            }
            configuration[keyPath: path] = text
        }, read: { .text($0[keyPath: path]) })
    }

    static func radii(_ name: String, _ path: Path<[Double]>, _ doc: String) -> ConfigurationKey {
        ConfigurationKey(name: name, kind: .radii, doc: doc, reload: .live, apply: { configuration, value throws(ConfigurationProblem) in
            guard case .list(let items) = value, !items.isEmpty, items.count <= 16 else {
                throw ConfigurationProblem(name, "must be a list of 1 to 16 radii in km, e.g. [2, 5, 10, 25]")
            }
            let radii = items.compactMap(\.number)
            guard radii.count == items.count, radii.allSatisfy({ $0 > 0 && $0 <= 500 }),
                  zip(radii, radii.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw ConfigurationProblem(name, "radii must be increasing numbers in (0, 500] km")
            }
            configuration[keyPath: path] = radii
        }, read: { .list($0[keyPath: path].map(ConfigurationValue.real)) })
    }

    static func catalogue(_ name: String, _ path: Path<[String]>, _ doc: String) -> ConfigurationKey {
        ConfigurationKey(name: name, kind: .catalogue, doc: doc, reload: .restart, apply: { configuration, value throws(ConfigurationProblem) in
            guard case .list(let items) = value, !items.isEmpty, items.count <= SkillCatalogue.capacity else {
                throw ConfigurationProblem(name, "must list 1 to \(SkillCatalogue.capacity) skills")
            }
            let skills = try texts(name, value)
            for (index, skill) in skills.enumerated() {
                guard ConfigurationLoader.isName(skill) else {
                    throw ConfigurationProblem(name, "skills are lower-case names like plumber or ac_mechanic")
                }
                guard !skills[..<index].contains(skill) else { throw ConfigurationProblem(name, "\(skill) is listed twice") }
            }
            configuration[keyPath: path] = skills
        }, read: { .list($0[keyPath: path].map(ConfigurationValue.text)) })
    }

    private static func texts(_ name: String, _ value: ConfigurationValue) throws(ConfigurationProblem) -> [String] {
        guard case .list(let items) = value else { throw ConfigurationProblem(name, "must be a list of strings") }
        var texts: [String] = []
        for item in items {
            guard case .text(let text) = item else { throw ConfigurationProblem(name, "must be a list of strings") }
            texts.append(text)
        }
        return texts
    }
}
