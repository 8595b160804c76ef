import Testing
@testable import SevaCore

@Suite struct GeoMathTests {
    let metresPerDegree = GeoMath.earthRadiusMetres * Double.pi / 180

    @Test func oneDegreeAlongTheEquatorAndAMeridian() throws {
        let origin = try GeoPoint(latitude: 0, longitude: 0)
        let east = try GeoPoint(latitude: 0, longitude: 1)
        let north = try GeoPoint(latitude: 1, longitude: 0)
        #expect(abs(GeoMath.distanceMetres(origin, east) - metresPerDegree) < 1e-6)
        #expect(abs(GeoMath.distanceMetres(origin, north) - metresPerDegree) < 1e-6)
    }

    @Test func extremesOfTheGlobe() throws {
        let north = try GeoPoint(latitude: 90, longitude: 0)
        let south = try GeoPoint(latitude: -90, longitude: 45)
        #expect(abs(GeoMath.distanceMetres(north, south) - GeoMath.maxDistanceMetres) < 1e-3)
        let west = try GeoPoint(latitude: 0, longitude: -180)
        let east = try GeoPoint(latitude: 0, longitude: 180)
        #expect(GeoMath.distanceMetres(west, east) < 1e-6)
        let antipode = try GeoPoint(latitude: -27.596, longitude: 78.05 - 180)
        #expect(abs(GeoMath.distanceMetres(try GeoPoint(latitude: 27.596, longitude: 78.05), antipode)
            - GeoMath.maxDistanceMetres) < 1, "haversine is ill-conditioned only near the antipode, by < 1 m")
    }

    @Test func knownCityPair() throws {
        // Hathras to Lucknow: about 298 km on the great circle.
        let hathras = try GeoPoint(latitude: 27.5960, longitude: 78.0500)
        let lucknow = try GeoPoint(latitude: 26.8467, longitude: 80.9462)
        let metres = GeoMath.distanceMetres(hathras, lucknow)
        #expect(metres > 295_000 && metres < 300_000, "got \(metres)")
        #expect(GeoMath.distanceMetres(lucknow, hathras) == metres)
    }

    @Test func keyAndMetresRoundTrip() {
        for metres in [0.0, 0.01, 1, 100, 2_000, 25_000, 1_000_000, 10_000_000, 20_000_000] {
            let back = GeoMath.metres(forKey: GeoMath.key(forMetres: metres))
            #expect(abs(back - metres) <= max(1e-6, metres * 1e-9), "\(metres) came back as \(back)")
        }
        #expect(GeoMath.key(forMetres: -5) == 0)
        #expect(GeoMath.key(forMetres: .infinity) == 1)
    }

    @Test func keyRanksExactlyAsDistance() throws {
        var random = SeededGenerator(seed: 7)
        let centre = try GeoPoint(latitude: 26.85, longitude: 80.95)
        var points: [GeoPoint] = []
        for _ in 0..<2_000 {
            points.append(GeoMath.destination(from: centre, metres: random.unit() * 5_000_000,
                                              bearingDegrees: random.unit() * 360))
        }
        let byKey = points.sorted { GeoMath.haversineKey(centre, $0) < GeoMath.haversineKey(centre, $1) }
        let metres = byKey.map { GeoMath.distanceMetres(centre, $0) }
        #expect(zip(metres, metres.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func destinationTravelsTheDistanceAsked() throws {
        var random = SeededGenerator(seed: 11)
        for _ in 0..<1_000 {
            let start = try GeoPoint(latitude: random.unit() * 178 - 89, longitude: random.unit() * 360 - 180)
            let metres = random.unit() * 50_000
            let end = GeoMath.destination(from: start, metres: metres, bearingDegrees: random.unit() * 360)
            #expect(abs(GeoMath.distanceMetres(start, end) - metres) < 0.01)
        }
    }
}
