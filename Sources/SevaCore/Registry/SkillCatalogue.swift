/// The configured skills, each given one bit of a `SkillSet`, in catalogue order.
public struct SkillCatalogue: Sendable, Equatable {
    /// Skills a catalogue can hold: the index's tag word keeps two bits for itself.
    public static let capacity = 30

    public let names: [String]
    private let bits: [String: Int]

    /// The trades Seva Mitra books, in the order sevad ships them (`skills.catalogue`'s default).
    public static let standard = SkillCatalogue([
        "electrician", "plumber", "carpenter", "beautician", "ac_mechanic", "computer_mechanic", "cook", "driver", "nurse",
        "painter", "mason", "caterer",
    ])!

    /// A catalogue of distinct names; nil when there are more than `capacity` or repeats.
    public init?(_ names: [String]) {
        guard names.count <= Self.capacity, Set(names).count == names.count else { return nil }
        self.names = names
        bits = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    }

    /// The set of `names`, or the first name that is not in the catalogue.
    public func skills(_ names: [String]) -> Result<SkillSet, UnknownSkill> {
        var set = SkillSet()
        for name in names {
            guard let bit = bits[name] else { return .failure(UnknownSkill(name: name, catalogue: self.names)) }
            set.insert(bit: bit)
        }
        return .success(set)
    }

    /// One skill's set, or nil when the name is unknown.
    public func skill(_ name: String) -> SkillSet? {
        bits[name].map { SkillSet(rawValue: 1 << UInt32($0)) }
    }

    /// The set of the names that are in the catalogue, others left out (a skill dropped from
    /// the catalogue since a worker registered).
    public func knownSkills(_ names: some Sequence<Substring>) -> SkillSet {
        var set = SkillSet()
        for name in names { if let bit = bits[String(name)] { set.insert(bit: bit) } }
        return set
    }

    /// The names in a set, in catalogue order.
    public func names(of set: SkillSet) -> [String] {
        names.enumerated().compactMap { set.contains(bit: $0.offset) ? $0.element : nil }
    }
}

/// A skill name the catalogue does not have.
public struct UnknownSkill: Error, Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let catalogue: [String]
    public var description: String { "unknown skill '\(name)'; the catalogue has \(catalogue.joined(separator: ", "))" }
}

/// A set of catalogue skills as bits (bit i = the catalogue's i-th skill).
public struct SkillSet: Sendable, Hashable {
    public var rawValue: UInt32

    public init(rawValue: UInt32 = 0) { self.rawValue = rawValue }

    public var isEmpty: Bool { rawValue == 0 }
    public func contains(bit: Int) -> Bool { rawValue & (1 << UInt32(bit)) != 0 }
    public mutating func insert(bit: Int) { rawValue |= 1 << UInt32(bit) }
    public func isSuperset(of other: SkillSet) -> Bool { rawValue & other.rawValue == other.rawValue }
}
