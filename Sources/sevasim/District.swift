import CGazetteerOffices
import SevaCore

/// A simulated district on real ground: any district of India, its workers' homes and its
/// households placed where its post offices are (they follow where people live), from the
/// gazetteer and the post-office table compiled into sevasim.
struct District {
    /// A post office: where it is, and its name when it is a head or sub office (a town).
    struct Office {
        let point: GeoPoint
        let name: String
    }

    let name: String
    let state: String
    /// The district's centre, where a helpline booking by `district=` is placed.
    let centre: GeoPoint
    let offices: [Office]
    /// The distance from the centre within which 98 % of the offices lie: the map's reach.
    let radiusKm: Double
    /// Running totals of the offices' weights, for picking one.
    private let cumulativeWeights: [Double]

    /// A town's office stands for more people than a village's.
    static let townWeight = 4.0
    /// How far a home or a household lies from its post office: a half-normal spread of this
    /// many metres, cut at three times it.
    static let spreadMetres = 700.0
    /// Platform workers per post office, the default size of a simulation: Hathras's 129
    /// offices give the 2,000 workers the earlier measurements used.
    static let workersPerOffice = 15.5

    init(_ district: Gazetteer.District, offices: [Office]) {
        name = district.name
        state = district.state
        centre = district.centre
        self.offices = offices
        var total = 0.0
        cumulativeWeights = offices.map { office in
            total += office.name.isEmpty ? 1 : Self.townWeight
            return total
        }
        let distances = offices.map { GeoMath.distanceMetres(district.centre, $0.point) }.sorted()
        let reach = distances.isEmpty ? 10_000 : distances[min(distances.count - 1, distances.count * 98 / 100)]
        radiusKm = max(5, reach / 1_000 + 2 * Self.spreadMetres / 1_000)
    }

    /// The default number of workers for this district.
    var defaultWorkers: Int { max(100, Int((Double(offices.count) * Self.workersPerOffice).rounded())) }

    /// A home or a household: near a post office picked by weight.
    func place(using random: inout SeededGenerator) -> GeoPoint {
        let pick = random.unit() * (cumulativeWeights.last ?? 0)
        var low = 0, high = max(0, cumulativeWeights.count - 1)
        while low < high {
            let middle = (low + high) / 2
            if cumulativeWeights[middle] <= pick { low = middle + 1 } else { high = middle }
        }
        let metres = min(abs(random.gaussian()), 3) * Self.spreadMetres
        let office = offices.isEmpty ? centre : offices[low].point
        return GeoMath.destination(from: office, metres: metres, bearingDegrees: random.uniform(0...360))
    }

    /// The district called `name` (any spelling the gazetteer knows; `state` for the five names
    /// found in two states, else Uttar Pradesh's), or why there is none.
    static func named(_ name: String, state: String? = nil) -> Result<District, SimulationError> {
        switch Gazetteer.india.district(named: name, state: state, homeState: "Uttar Pradesh") {
        case .found(let district):
            let offices = OfficeTable.offices(of: district.number)
            guard !offices.isEmpty else { return .failure(SimulationError("\(district.name) has no post office with a usable position")) }
            return .success(District(district, offices: offices))
        case .unknown:
            return .failure(SimulationError("no district '\(name)'\(state.map { " in \($0)" } ?? "") in India Post's directory"))
        case .ambiguous(let districts):
            return .failure(SimulationError("'\(name)' is a district in \(districts.map(\.state).joined(separator: " and ")); add --state"))
        }
    }
}

/// The post-office table (`data/gazetteer/offices.tsv`): `D number` starts a district, then a
/// line per office, `dlat_e4 dlon_e4 [name]` — its position as the difference from the
/// previous office's in the district (the first from 0, 0), in 1e-4 degrees.
enum OfficeTable {
    static func offices(of district: Int) -> [District.Office] {
        let table = UnsafeRawBufferPointer(start: seva_offices_table(), count: seva_offices_table_size())
        var offices: [District.Office] = []
        var inside = false
        var latitude = 0, longitude = 0
        var start = 0
        while start < table.count {
            var end = start
            while end < table.count, table[end] != UInt8(ascii: "\n") { end += 1 }
            let line = UnsafeRawBufferPointer(rebasing: table[start..<end])
            start = end + 1
            guard let first = line.first, first != UInt8(ascii: "#") else { continue }
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
            if first == UInt8(ascii: "D") {
                if inside { break }
                inside = fields.count == 2 && Int(String(decoding: fields[1], as: UTF8.self)) == district
                continue
            }
            guard inside, fields.count >= 2,
                  let dlat = Int(String(decoding: fields[0], as: UTF8.self)), let dlon = Int(String(decoding: fields[1], as: UTF8.self))
            else { continue }
            latitude += dlat
            longitude += dlon
            guard let point = try? GeoPoint(latitude: Double(latitude) / 10_000, longitude: Double(longitude) / 10_000) else { continue }
            offices.append(District.Office(point: point, name: fields.count > 2 ? String(decoding: fields[2], as: UTF8.self) : ""))
        }
        return offices
    }
}
