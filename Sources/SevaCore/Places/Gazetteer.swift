/// India's states, districts and PIN codes (DESIGN.md §2 JOB NEW): where a helpline booking
/// without GPS is placed, and which district a worker's home PIN code lies in. Built once at
/// start from the shipped table (`Gazetteer+Parsing`), then only read.
public struct Gazetteer: Sendable {
    /// A district: its name as India Post spells it, its state, and the centre of its post offices.
    public struct District: Hashable, Sendable {
        /// Its number in the shipped tables (places.tsv and offices.tsv).
        public let number: Int
        public let name: String
        public let state: String
        public let centre: GeoPoint
    }

    /// Where a PIN code is: the centroid of its post offices and the district most of them are in.
    public struct PinPlace: Hashable, Sendable {
        public let pincode: PinCode
        public let centre: GeoPoint
        public let district: District
    }

    /// What a district name matched.
    public enum DistrictMatch: Equatable, Sendable {
        case found(District)
        /// No district of that name (or that name in that state).
        case unknown
        /// The name is a district in more than one state, and nothing said which.
        case ambiguous([District])
    }

    /// State names, by the table's state number - 1.
    public internal(set) var states: [String] = []
    /// Districts, by the table's district number - 1.
    public internal(set) var districts: [District] = []
    /// Name and alternative-name keys (`PlaceName.key`) to district numbers - 1.
    var districtsByName: [String: [Int]] = [:]
    /// PIN codes, ascending, and beside each its district number - 1 and centroid.
    var pinCodes: [UInt32] = []
    var pinDistricts: [UInt16] = []
    var pinCentres: [GeoPoint] = []

    /// An empty gazetteer (no place known): what tests that place nothing use.
    public init() {}

    /// How many PIN codes it knows.
    public var pinCodeCount: Int { pinCodes.count }

    /// The place of `pincode`, or nil when India Post has no such PIN code (or none with a
    /// usable position).
    public func place(of pincode: PinCode) -> PinPlace? {
        var low = 0, high = pinCodes.count
        while low < high {
            let middle = (low + high) / 2
            if pinCodes[middle] < pincode.value { low = middle + 1 } else { high = middle }
        }
        guard low < pinCodes.count, pinCodes[low] == pincode.value else { return nil }
        return PinPlace(pincode: pincode, centre: pinCentres[low], district: districts[Int(pinDistricts[low])])
    }

    /// The district called `name` (any case and spacing, or a known alternative name). A name
    /// found in several states is settled by `state` when given, else by `homeState`, else it is
    /// ambiguous.
    public func district(named name: some StringProtocol, state: String? = nil, homeState: String? = nil) -> DistrictMatch {
        let candidates = (districtsByName[PlaceName.key(name)] ?? []).map { districts[$0] }
        if let state {
            let wanted = PlaceName.key(state)
            return candidates.first { PlaceName.key($0.state) == wanted }.map(DistrictMatch.found) ?? .unknown
        }
        if candidates.count == 1 { return .found(candidates[0]) }
        if candidates.isEmpty { return .unknown }
        if let homeState, let home = candidates.first(where: { PlaceName.key($0.state) == PlaceName.key(homeState) }) {
            return .found(home)
        }
        return .ambiguous(candidates)
    }

    /// Whether `name` is one of its states (any case and spacing).
    public func hasState(_ name: String) -> Bool {
        let wanted = PlaceName.key(name)
        return states.contains { PlaceName.key($0) == wanted }
    }
}
