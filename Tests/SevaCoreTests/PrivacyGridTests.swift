import Testing
@testable import SevaCore

/// The booker's coarse view (DESIGN.md §2 "Worker privacy"): snapping to the grid and the
/// nearest-by-cell search, against a brute-force reference.
@Suite struct PrivacyGridTests {
    static let catalogue = SkillCatalogue(["electrician", "plumber", "cook"])!
    static let hathras = try! GeoPoint(latitude: 27.5960, longitude: 78.0500)

    @Test(arguments: [500.0, 1_000, 5_000])
    func everyPointSnapsToACentreWithinOneCell(_ cell: Double) {
        let grid = PrivacyGrid(cellMetres: cell)
        var random = SeededGenerator(seed: 11)
        for _ in 0..<20_000 {
            let point = try! GeoPoint(latitude: random.unit() * 170 - 85, longitude: random.unit() * 360 - 180)
            let centre = grid.snap(point)
            #expect(GeoMath.distanceMetres(point, centre) <= grid.maxSnapMetres, "\(point) → \(centre)")
            #expect(grid.snap(centre) == centre, "a centre is its own cell's centre")
        }
    }

    @Test func pointsOfOneCellAreOneAndNeighboursAreNot() {
        let grid = PrivacyGrid(cellMetres: 500)
        let centre = grid.snap(Self.hathras)
        for (metres, bearing) in [(15.0, 90.0), (100, 0), (200, 180), (240, 270)] {
            #expect(grid.snap(GeoMath.destination(from: centre, metres: metres, bearingDegrees: bearing)) == centre)
        }
        let next = grid.snap(GeoMath.destination(from: centre, metres: 520, bearingDegrees: 0))
        #expect(next != centre && GeoMath.distanceMetres(next, centre) < 1_100)
    }

    /// Workers spread around Hathras, some packed into single cells.
    func registry(_ random: inout SeededGenerator, count: Int) -> WorkerRegistry {
        var registry = WorkerRegistry(catalogue: Self.catalogue)
        for index in 0..<count {
            let skills = Self.catalogue.skill(["electrician", "plumber", "cook"][index % 3])!
            var profile = WorkerProfile(id: "w" + String(10_000 + index), skills: skills)
            profile.verified = true
            registry.upsert(profile, now: 0)
            registry.setAvailability(profile.id, index % 5 == 0 ? .off : .on, now: 0)
            let metres = index % 7 == 0 ? random.unit() * 30 : random.unit() * 8_000
            let point = GeoMath.destination(from: Self.hathras, metres: metres, bearingDegrees: random.unit() * 360)
            _ = registry.recordFix(profile.id, at: point, now: 0)
        }
        return registry
    }

    @Test func theCoarseSearchMatchesBruteForceOverCells() {
        var random = SeededGenerator(seed: 3)
        let workers = registry(&random, count: 600)
        let grid = PrivacyGrid(cellMetres: 500)
        for _ in 0..<300 {
            let centre = GeoMath.destination(from: Self.hathras, metres: random.unit() * 6_000, bearingDegrees: random.unit() * 360)
            let radius = [50.0, 300, 800, 2_000, 10_000][Int(random.next() % 5)]
            let limit = [1, 3, 10, 50][Int(random.next() % 4)]
            let includeAll = random.next() % 2 == 0
            let skill = random.next() % 3 == 0 ? Self.catalogue.skill("plumber") : nil
            let found = workers.nearest(to: centre, on: grid, skill: skill, radiusMetres: radius, limit: limit,
                                        includeAll: includeAll, now: 1)
            let everyone = workers.nearest(to: centre, skill: skill, radiusMetres: .greatestFiniteMagnitude, limit: 10_000,
                                           includeAll: includeAll, now: 1)
            var expected: [(id: String, metres: Double)] = []
            for row in everyone {
                let metres = GeoMath.distanceMetres(centre, grid.snap(row.position))
                if metres <= radius { expected.append((row.id, metres)) }
            }
            expected.sort { $0.metres < $1.metres || ($0.metres == $1.metres && $0.id < $1.id) }
            let wanted = Array(expected.prefix(limit))
            #expect(found.map(\.id) == wanted.map(\.id), "centre \(centre) radius \(radius) limit \(limit)")
            #expect(found.map(\.metres) == wanted.map(\.metres))
        }
    }

    @Test func twoWorkersOfOneCellAnswerAlikeToEveryProbe() {
        var workers = WorkerRegistry(catalogue: Self.catalogue)
        let grid = PrivacyGrid(cellMetres: 500)
        let centre = grid.snap(Self.hathras)
        for (id, metres) in [("a", 0.0), ("b", 15.0)] {
            var profile = WorkerProfile(id: id, skills: Self.catalogue.skill("plumber")!)
            profile.verified = true
            workers.upsert(profile, now: 0)
            workers.setAvailability(id, .on, now: 0)
            _ = workers.recordFix(id, at: GeoMath.destination(from: centre, metres: metres, bearingDegrees: 90), now: 0)
        }
        var random = SeededGenerator(seed: 8)
        for _ in 0..<2_000 {
            let probe = GeoMath.destination(from: centre, metres: random.unit() * 3_000, bearingDegrees: random.unit() * 360)
            let radius = random.unit() * 3_000
            let rows = workers.nearest(to: probe, on: grid, radiusMetres: radius, limit: 5, now: 1)
            #expect(rows.count != 1, "one of the two seen without the other from \(probe) within \(radius) m")
            if rows.count == 2 { #expect(rows[0].metres == rows[1].metres && rows.map(\.id) == ["a", "b"]) }
        }
    }
}
