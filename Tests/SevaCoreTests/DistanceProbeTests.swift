import Testing
@testable import SevaCore

@Suite struct DistanceProbeTests {
    func randomPoint(_ random: inout SeededGenerator) -> GeoPoint {
        try! GeoPoint(latitude: random.unit() * 180 - 90, longitude: random.unit() * 360 - 180)
    }

    @Test func keyMatchesTheHaversineFormulaNearAndFar() {
        var random = SeededGenerator(seed: 5)
        for _ in 0..<20_000 {
            let centre = randomPoint(&random)
            let far = random.next() % 2 == 0
            let target = far ? randomPoint(&random)
                : GeoMath.destination(from: centre, metres: random.unit() * 300_000, bearingDegrees: random.unit() * 360)
            let probe = DistanceProbe(centre)
            let grid = GridPoint(target)
            let reference = GeoMath.haversineKey(probe.center.point, grid.point)
            let key = probe.key(grid)
            #expect(abs(key - reference) <= 1e-10 * reference + 1e-18, "\(centre) → \(target): \(key) vs \(reference)")
        }
    }

    @Test func cellBoundsHoldForEveryPointInTheCell() {
        var random = SeededGenerator(seed: 9)
        for _ in 0..<5_000 {
            let centre = randomPoint(&random)
            let probe = DistanceProbe(centre)
            let shift = 6 + Int(random.next() % 24)
            let side = UInt64(1) << UInt64(shift)
            let nearby = random.next() % 2 == 0
            let anchor = nearby ? GridPoint(GeoMath.destination(from: centre, metres: random.unit() * 50_000,
                                                                 bearingDegrees: random.unit() * 360))
                : GridPoint(randomPoint(&random))
            let mask = ~UInt32(truncatingIfNeeded: side - 1)
            let x0 = anchor.x & mask
            let y0 = anchor.y & mask
            let lower = probe.lowerBound(x0: x0, y0: y0, shift: shift)
            let limit = GeoMath.key(forMetres: random.unit() * 100_000)
            let inside = probe.cellWithin(x0: x0, y0: y0, shift: shift, limit: limit)
            let corners = [(0, 0), (1, 0), (0, 1), (1, 1)].map { dx, dy in
                (x0 &+ UInt32(truncatingIfNeeded: UInt64(dx) * (side - 1)), UInt64(y0) + UInt64(dy) * (side - 1))
            }
            var samples = corners
            for _ in 0..<20 {
                samples.append((x0 &+ UInt32(truncatingIfNeeded: random.next() % side), UInt64(y0) + random.next() % side))
            }
            for (x, y) in samples where y <= UInt64(GridPoint.northPoleY) {
                let key = probe.key(GridPoint(x: x, y: UInt32(y)))
                #expect(lower <= key, "lower bound \(lower) above a point's key \(key)")
                if inside { #expect(key <= limit, "cell said within \(limit) but holds \(key)") }
            }
        }
    }

    @Test func cellContainingTheCentreHasZeroLowerBound() throws {
        let centre = try GeoPoint(latitude: 27.596, longitude: 78.05)
        let probe = DistanceProbe(centre)
        #expect(probe.lowerBound(x0: 0, y0: 0, shift: 32) == 0)
        let grid = GridPoint(centre)
        #expect(probe.lowerBound(x0: grid.x & ~0xFFFF, y0: grid.y & ~0xFFFF, shift: 16) == 0)
    }

    @Test func gridWrapsAtTheAntimeridianAndKeepsThePole() throws {
        let east = GridPoint(try GeoPoint(latitude: 0, longitude: 180))
        let west = GridPoint(try GeoPoint(latitude: 0, longitude: -180))
        #expect(east == west)
        let pole = GridPoint(try GeoPoint(latitude: 90, longitude: 33))
        #expect(pole.y == GridPoint.northPoleY)
        #expect(pole.point.latitude == 90)
        let probe = DistanceProbe(try GeoPoint(latitude: 0, longitude: 179.9999))
        let across = GridPoint(try GeoPoint(latitude: 0, longitude: -179.9999))
        #expect(GeoMath.metres(forKey: probe.key(across)) < 25)
    }
}
