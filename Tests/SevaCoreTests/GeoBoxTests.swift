import Testing
@testable import SevaCore

@Suite struct GeoBoxTests {
    /// Centres everywhere, weighted towards the places where boxes go wrong.
    func centre(_ random: inout SeededGenerator) throws -> GeoPoint {
        switch random.next() % 4 {
        case 0: return try GeoPoint(latitude: 89.99 - random.unit() * 0.5, longitude: random.unit() * 360 - 180)
        case 1: return try GeoPoint(latitude: random.unit() * 0.5 - 89.99, longitude: random.unit() * 360 - 180)
        case 2: return try GeoPoint(latitude: random.unit() * 120 - 60, longitude: 179.9 + random.unit() * 0.1)
        default: return try GeoPoint(latitude: random.unit() * 170 - 85, longitude: random.unit() * 360 - 180)
        }
    }

    @Test func everyPointOfTheCircleIsInTheBox() throws {
        var random = SeededGenerator(seed: 3)
        for _ in 0..<2_000 {
            let c = try centre(&random)
            let radius = [100.0, 2_000, 25_000, 500_000][Int(random.next() % 4)]
            let box = GeoBox.around(c, radiusMetres: radius)
            for _ in 0..<50 {
                let p = GeoMath.destination(from: c, metres: radius * random.unit().squareRoot() * 0.999_999,
                                            bearingDegrees: random.unit() * 360)
                #expect(box.contains(p), "\(p) within \(radius) m of \(c) but outside \(box)")
            }
        }
    }

    @Test func boxIsTightAwayFromThePoles() throws {
        let c = try GeoPoint(latitude: 27.596, longitude: 78.05)
        let box = GeoBox.around(c, radiusMetres: 5_000)
        let justOutsideNorth = GeoMath.destination(from: c, metres: 5_010, bearingDegrees: 0)
        let justOutsideEast = GeoMath.destination(from: c, metres: 5_010, bearingDegrees: 90)
        #expect(!box.contains(justOutsideNorth))
        #expect(!box.contains(justOutsideEast))
        #expect(!box.wraps)
    }

    @Test func crossingTheAntimeridianWraps() throws {
        let c = try GeoPoint(latitude: 10, longitude: 179.99)
        let box = GeoBox.around(c, radiusMetres: 10_000)
        #expect(box.wraps)
        #expect(box.contains(try GeoPoint(latitude: 10, longitude: -179.95)))
        #expect(!box.contains(try GeoPoint(latitude: 10, longitude: 0)))
        #expect(box.unwrapped.count == 2)
        #expect(box.unwrapped.allSatisfy { !$0.wraps })
    }

    @Test func reachingAPoleSpansEveryLongitude() throws {
        let c = try GeoPoint(latitude: 89.95, longitude: 12)
        let box = GeoBox.around(c, radiusMetres: 10_000)
        #expect(box.west == -180 && box.east == 180 && box.north == 90)
        #expect(box.contains(try GeoPoint(latitude: 89.99, longitude: -168)))
    }
}
