import Testing
@testable import SevaCore

@Suite struct CircleTestTests {
    /// Points crowded around the circle's edge, where the planar bounds must hand over to the key.
    @Test(arguments: [50.0, 2_000, 25_000, 99_000, 150_000])
    func agreesWithTheKeyEverywhere(_ radius: Double) {
        var random = SeededGenerator(seed: UInt64(radius))
        for _ in 0..<300 {
            let centre: GeoPoint
            switch random.next() % 4 {
            case 0: centre = try! GeoPoint(latitude: 89.9 - random.unit() * 2, longitude: random.unit() * 360 - 180)
            case 1: centre = try! GeoPoint(latitude: random.unit() * 10 - 5, longitude: 179.99 + random.unit() * 0.01)
            default: centre = try! GeoPoint(latitude: random.unit() * 160 - 80, longitude: random.unit() * 360 - 180)
            }
            let probe = DistanceProbe(centre)
            let circle = CircleTest(probe: probe, center: centre, radiusMetres: radius)
            for _ in 0..<100 {
                let scale = random.next() % 2 == 0 ? 1 + (random.unit() - 0.5) * 1e-6 : random.unit() * 1.5
                let point = GridPoint(GeoMath.destination(from: centre, metres: radius * scale,
                                                          bearingDegrees: random.unit() * 360))
                #expect(circle.contains(point) == (probe.key(point) <= circle.limit),
                        "\(point.point) at \(radius * scale) m of \(centre), radius \(radius)")
            }
        }
    }

    @Test func cellsOutsideTheBoxAreRecognised() throws {
        let centre = try GeoPoint(latitude: 27.596, longitude: 78.05)
        let probe = DistanceProbe(centre)
        let circle = CircleTest(probe: probe, center: centre, radiusMetres: 2_000)
        #expect(circle.bounded)
        let far = GridPoint(GeoMath.destination(from: centre, metres: 10_000, bearingDegrees: 45))
        #expect(circle.cellOutsideBox(x0: far.x & ~0xFFF, y0: far.y & ~0xFFF, shift: 12))
        let here = GridPoint(centre)
        #expect(!circle.cellOutsideBox(x0: here.x & ~0xFFF, y0: here.y & ~0xFFF, shift: 12))
        #expect(!circle.cellOutsideBox(x0: 0, y0: 0, shift: 32))
    }
}
