@testable import SevaCore

/// The brute-force model the quadtree is checked against: every point in a dictionary,
/// every query answered by looking at all of them with the same distance function.
struct QuadTreeReference {
    var points: [Int: (point: GeoPoint, tags: UInt32)] = [:]

    func hits(around centre: GeoPoint, radiusMetres: Double, requiring: UInt32,
              accept: (Int) -> Bool = { _ in true }) -> [NearbyHit] {
        let probe = DistanceProbe(centre)
        let limit = GeoMath.key(forMetres: radiusMetres)
        var hits: [NearbyHit] = []
        for (handle, entry) in points where entry.tags & requiring == requiring && accept(handle) {
            let key = probe.key(GridPoint(entry.point))
            if key <= limit { hits.append(NearbyHit(handle: handle, key: key)) }
        }
        return hits.sorted()
    }

    func nearest(to centre: GeoPoint, k: Int, radiusMetres: Double, requiring: UInt32,
                 accept: (Int) -> Bool = { _ in true }) -> [NearbyHit] {
        Array(hits(around: centre, radiusMetres: radiusMetres, requiring: requiring, accept: accept).prefix(k))
    }
}

/// Point generators for the property tests.
enum Scatter {
    static func anywhere(_ random: inout SeededGenerator) -> GeoPoint {
        try! GeoPoint(latitude: random.unit() * 180 - 90, longitude: random.unit() * 360 - 180)
    }

    /// Clusters around a few UP towns, as the daemon will mostly see.
    static func upLike(_ random: inout SeededGenerator) -> GeoPoint {
        let towns = [(27.596, 78.05), (26.8467, 80.9462), (25.3176, 82.9739), (28.67, 77.45)]
        let town = towns[Int(random.next() % UInt64(towns.count))]
        let centre = try! GeoPoint(latitude: town.0, longitude: town.1)
        return GeoMath.destination(from: centre, metres: random.unit() * random.unit() * 20_000,
                                   bearingDegrees: random.unit() * 360)
    }

    /// Points crowding the poles and both sides of the antimeridian.
    static func edges(_ random: inout SeededGenerator) -> GeoPoint {
        switch random.next() % 3 {
        case 0: return try! GeoPoint(latitude: 90 - random.unit() * 0.2, longitude: random.unit() * 360 - 180)
        case 1: return try! GeoPoint(latitude: -90 + random.unit() * 0.2, longitude: random.unit() * 360 - 180)
        default:
            let side = random.next() % 2 == 0 ? 180 - random.unit() * 0.1 : -180 + random.unit() * 0.1
            return try! GeoPoint(latitude: random.unit() * 20 - 10, longitude: side)
        }
    }

    /// Tags: one or two of 12 skill bits, or none (not dispatchable).
    static func tags(_ random: inout SeededGenerator) -> UInt32 {
        guard random.next() % 4 != 0 else { return 0 }
        var tags = UInt32(1) << UInt32(random.next() % 12)
        if random.next() % 3 == 0 { tags |= UInt32(1) << UInt32(random.next() % 12) }
        return tags
    }
}
