#if canImport(Glibc)
import Glibc
#endif
import SevaCore

/// A synthetic workforce spread like Uttar Pradesh's: dense clusters around the 75 district
/// headquarters (the big cities larger and wider) plus workers scattered over the rural state.
struct UPWorkforce {
    /// District HQ: name, latitude, longitude, relative weight, cluster spread (σ, km).
    struct District {
        let name: String
        let latitude: Double
        let longitude: Double
        let weight: Double
        let spreadKm: Double
    }

    /// The 12 catalogue skills and the share of workers offering each.
    static let skills: [(name: String, share: Double)] = [
        ("electrician", 0.15), ("plumber", 0.12), ("carpenter", 0.10), ("beautician", 0.10),
        ("ac_mechanic", 0.06), ("computer_mechanic", 0.04), ("cook", 0.10), ("driver", 0.12),
        ("nurse", 0.05), ("painter", 0.07), ("mason", 0.06), ("caterer", 0.03),
    ]

    static let bigCities: Set<String> = [
        "Lucknow", "Kanpur Nagar", "Ghaziabad", "Agra", "Varanasi", "Meerut", "Prayagraj",
        "Gautam Buddh Nagar", "Bareilly", "Aligarh", "Moradabad", "Gorakhpur",
    ]

    static let headquarters: [(String, Double, Double)] = [
        ("Agra", 27.18, 78.01), ("Aligarh", 27.88, 78.08), ("Prayagraj", 25.44, 81.85),
        ("Ambedkar Nagar", 26.43, 82.54), ("Amethi", 26.21, 81.69), ("Amroha", 28.90, 78.47),
        ("Auraiya", 26.47, 79.51), ("Azamgarh", 26.07, 83.19), ("Baghpat", 28.94, 77.22),
        ("Bahraich", 27.57, 81.59), ("Ballia", 25.76, 84.15), ("Balrampur", 27.43, 82.18),
        ("Banda", 25.48, 80.34), ("Barabanki", 26.93, 81.19), ("Bareilly", 28.37, 79.43),
        ("Basti", 26.80, 82.73), ("Bhadohi", 25.40, 82.57), ("Bijnor", 29.37, 78.14),
        ("Budaun", 28.04, 79.12), ("Bulandshahr", 28.40, 77.85), ("Chandauli", 25.27, 83.27),
        ("Chitrakoot", 25.20, 80.90), ("Deoria", 26.50, 83.78), ("Etah", 27.56, 78.66),
        ("Etawah", 26.78, 79.02), ("Ayodhya", 26.79, 82.20), ("Farrukhabad", 27.39, 79.58),
        ("Fatehpur", 25.93, 80.81), ("Firozabad", 27.15, 78.40), ("Gautam Buddh Nagar", 28.54, 77.39),
        ("Ghaziabad", 28.67, 77.45), ("Ghazipur", 25.58, 83.58), ("Gonda", 27.13, 81.96),
        ("Gorakhpur", 26.76, 83.37), ("Hamirpur", 25.95, 80.15), ("Hapur", 28.73, 77.78),
        ("Hardoi", 27.40, 80.13), ("Hathras", 27.60, 78.05), ("Jalaun", 25.99, 79.45),
        ("Jaunpur", 25.75, 82.69), ("Jhansi", 25.45, 78.57), ("Kannauj", 27.06, 79.92),
        ("Kanpur Dehat", 26.42, 79.96), ("Kanpur Nagar", 26.45, 80.33), ("Kasganj", 27.81, 78.65),
        ("Kaushambi", 25.53, 81.38), ("Kushinagar", 26.90, 83.98), ("Lakhimpur Kheri", 27.95, 80.78),
        ("Lalitpur", 24.69, 78.41), ("Lucknow", 26.85, 80.95), ("Maharajganj", 27.13, 83.56),
        ("Mahoba", 25.29, 79.87), ("Mainpuri", 27.23, 79.02), ("Mathura", 27.49, 77.67),
        ("Mau", 25.94, 83.56), ("Meerut", 28.98, 77.71), ("Mirzapur", 25.15, 82.57),
        ("Moradabad", 28.84, 78.77), ("Muzaffarnagar", 29.47, 77.70), ("Pilibhit", 28.63, 79.80),
        ("Pratapgarh", 25.90, 81.94), ("Raebareli", 26.23, 81.23), ("Rampur", 28.80, 79.03),
        ("Saharanpur", 29.96, 77.55), ("Sambhal", 28.59, 78.57), ("Sant Kabir Nagar", 26.77, 83.07),
        ("Shahjahanpur", 27.88, 79.91), ("Shamli", 29.45, 77.31), ("Shravasti", 27.70, 81.93),
        ("Siddharthnagar", 27.30, 83.05), ("Sitapur", 27.57, 80.68), ("Sonbhadra", 24.69, 83.07),
        ("Sultanpur", 26.26, 82.07), ("Unnao", 26.55, 80.49), ("Varanasi", 25.32, 82.99),
    ]

    /// Share of workers scattered over the rural state rather than around a headquarters.
    static let ruralShare = 0.25
    /// Share of workers who can take a job right now (available, verified, fresh).
    static let dispatchableShare = 0.6
    /// The state's bounding box, for rural workers.
    static let south = 24.0, north = 30.3, west = 77.1, east = 84.6

    let districts: [District]
    private let cumulativeWeights: [Double]
    private let cumulativeSkillShares: [Double]

    init() {
        districts = Self.headquarters.map { name, lat, lon in
            let big = Self.bigCities.contains(name)
            return District(name: name, latitude: lat, longitude: lon, weight: big ? 4 : 1, spreadKm: big ? 6 : 3)
        }
        var total = 0.0
        cumulativeWeights = districts.map { total += $0.weight; return total }
        var shares = 0.0
        cumulativeSkillShares = Self.skills.map { shares += $0.share; return shares }
    }

    /// A worker's (or a booking's) position.
    func position(using random: inout SeededGenerator) -> GeoPoint {
        if random.unit() < Self.ruralShare {
            return try! GeoPoint(latitude: Self.south + random.unit() * (Self.north - Self.south),
                                 longitude: Self.west + random.unit() * (Self.east - Self.west))
        }
        let pick = random.unit() * cumulativeWeights[cumulativeWeights.count - 1]
        let district = districts[cumulativeWeights.firstIndex { $0 > pick } ?? districts.count - 1]
        let radius = district.spreadKm * 1000 * sqrt(-2 * log(Swift.max(1e-12, random.unit())))
        let centre = try! GeoPoint(latitude: district.latitude, longitude: district.longitude)
        return GeoMath.destination(from: centre, metres: radius, bearingDegrees: random.unit() * 360)
    }

    /// One skill index, drawn by the skill mix.
    func skill(using random: inout SeededGenerator) -> Int {
        let pick = random.unit() * cumulativeSkillShares[cumulativeSkillShares.count - 1]
        return cumulativeSkillShares.firstIndex { $0 > pick } ?? Self.skills.count - 1
    }

    /// A worker's index tags: one or two skills when dispatchable, otherwise none.
    func tags(using random: inout SeededGenerator) -> UInt32 {
        var mask = UInt32(1) << UInt32(skill(using: &random))
        if random.unit() < 0.3 { mask |= UInt32(1) << UInt32(skill(using: &random)) }
        return random.unit() < Self.dispatchableShare ? mask : 0
    }
}
