import SevaCore

/// A simulated district: its headquarters (the `district=` name the daemon knows), the towns
/// where workers and households cluster, and the rural spread around them.
struct City {
    /// A town: where a share of the district lives, spread normally around its centre.
    struct Town {
        let name: String
        let centre: GeoPoint
        let weight: Double
        let spreadKm: Double
    }

    let name: String
    let centre: GeoPoint
    let towns: [Town]
    /// Radius of the district around its centre, for the rural share.
    let radiusKm: Double
    /// Share of workers and households outside the towns.
    let ruralShare: Double

    /// A home or a household: in a town by weight, or anywhere in the district.
    func place(using random: inout SeededGenerator) -> GeoPoint {
        if random.chance(ruralShare) {
            let metres = radiusKm * 1000 * random.unit().squareRoot()
            return GeoMath.destination(from: centre, metres: metres, bearingDegrees: random.uniform(0...360))
        }
        let town = towns[random.pick(weights: towns.map(\.weight))]
        let metres = abs(random.gaussian()) * town.spreadKm * 1000
        return GeoMath.destination(from: town.centre, metres: metres, bearingDegrees: random.uniform(0...360))
    }

    /// The presets `--city` accepts: a few Uttar Pradesh district headquarters.
    static let presets: [City] = [
        city("hathras", 27.5960, 78.0500, radiusKm: 28, [
            ("Hathras", 27.5960, 78.0500, 5, 2.5), ("Sikandra Rao", 27.6880, 78.3800, 2, 1.5),
            ("Sadabad", 27.4380, 78.0370, 2, 1.5), ("Sasni", 27.7030, 78.0840, 1, 1.2),
            ("Mursan", 27.5780, 77.9460, 1, 1.0),
        ]),
        city("agra", 27.1767, 78.0081, radiusKm: 35, [
            ("Agra", 27.1767, 78.0081, 8, 5), ("Fatehabad", 27.0230, 78.3010, 1, 1.5),
            ("Kiraoli", 27.1400, 77.7800, 1, 1.5), ("Bah", 26.8700, 78.5900, 1, 1.2),
            ("Etmadpur", 27.2300, 78.2000, 1, 1.5),
        ]),
        city("lucknow", 26.8467, 80.9462, radiusKm: 30, [
            ("Lucknow", 26.8467, 80.9462, 10, 6), ("Malihabad", 26.9200, 80.7100, 1, 1.5),
            ("Mohanlalganj", 26.6800, 80.9800, 1, 1.5), ("Bakshi Ka Talab", 26.9800, 80.9200, 1, 1.5),
        ]),
        city("kanpur", 26.4499, 80.3319, radiusKm: 35, [
            ("Kanpur", 26.4499, 80.3319, 10, 6), ("Bilhaur", 26.8400, 80.0600, 1, 1.5),
            ("Ghatampur", 26.1500, 80.1700, 1, 1.5),
        ]),
        city("varanasi", 25.3176, 82.9739, radiusKm: 25, [
            ("Varanasi", 25.3176, 82.9739, 9, 4.5), ("Pindra", 25.4800, 82.8300, 1, 1.2),
            ("Rajatalab", 25.2300, 82.8500, 1, 1.2),
        ]),
        city("aligarh", 27.8974, 78.0880, radiusKm: 32, [
            ("Aligarh", 27.8974, 78.0880, 7, 4), ("Khair", 27.9400, 77.8400, 1, 1.5),
            ("Atrauli", 28.0300, 78.2800, 1, 1.5), ("Iglas", 27.7100, 77.9400, 1, 1.2),
        ]),
    ]

    static func named(_ name: String) -> City? { presets.first { $0.name == name.lowercased() } }

    private static func city(_ name: String, _ latitude: Double, _ longitude: Double, radiusKm: Double,
                             _ towns: [(String, Double, Double, Double, Double)]) -> City {
        City(name: name, centre: try! GeoPoint(latitude: latitude, longitude: longitude),
             towns: towns.map { Town(name: $0.0, centre: try! GeoPoint(latitude: $0.1, longitude: $0.2), weight: $0.3, spreadKm: $0.4) },
             radiusKm: radiusKm, ruralShare: 0.25)
    }
}
