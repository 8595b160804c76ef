import Testing
@testable import SevaCore

/// A restart's registry, built in one pass, is the one the same registrations, choices and
/// fixes would leave — every worker's view, the counts, NEAR — and keeps working afterwards.
@Suite struct WorkerRegistryBulkLoadTests {
    let catalogue = SkillCatalogue(["electrician", "plumber", "carpenter", "cook"])!
    let hathras = try! GeoPoint(latitude: 27.5960, longitude: 78.0500)
    let now = 10_000.0

    /// Workers of every kind (verified or not, rated low, each availability, some with no
    /// fix, some stale, one from the future, inaccurate ones) and their last positions, in
    /// random or clustered places; a position of a worker who is not registered.
    func committed(seed: UInt64, count: Int, clustered: Bool) -> ([RegisteredWorker], [WorkerPosition]) {
        var random = SeededGenerator(seed: seed)
        let skills = catalogue.names
        var workers: [RegisteredWorker] = []
        var positions: [WorkerPosition] = []
        for index in 0..<count {
            var profile = WorkerProfile(id: "w\(index)", skills: try! catalogue.skills([skills[index % 4]]).get())
            profile.verified = index % 9 != 0
            profile.district = ["Hathras", "Agra", ""][index % 3]
            if index % 11 == 0 {
                profile.ratingSum = 2
                profile.ratingCount = 1
            }
            workers.append(RegisteredWorker(profile, availability: [.on, .on, .off, .break][Int(random.next() % 4)], updatedAt: now))
            guard index % 10 != 0 else { continue }
            let point = clustered
                ? GeoMath.destination(from: hathras, metres: random.unit() * random.unit() * 8_000, bearingDegrees: random.unit() * 360)
                : try! GeoPoint(latitude: 8 + random.unit() * 27, longitude: 68 + random.unit() * 29)
            let at = index % 13 == 0 ? now - 500 : index == 7 ? now + 3_600 : now - Double(random.next() % 60)
            positions.append(WorkerPosition(worker: profile.id, point: point, accuracyMetres: index % 17 == 0 ? 900 : 10, at: at))
        }
        positions.append(WorkerPosition(worker: "gone", point: hathras, accuracyMetres: nil, at: now))
        return (workers, positions)
    }

    /// The registry the same history builds one worker at a time.
    func registered(_ workers: [RegisteredWorker], _ positions: [WorkerPosition]) -> WorkerRegistry {
        var registry = WorkerRegistry(catalogue: catalogue)
        for worker in workers {
            registry.upsert(worker.profile, now: now)
            registry.setAvailability(worker.profile.id, worker.availability, now: now)
        }
        for position in positions {
            _ = registry.recordFix(position.worker, at: position.point, accuracyMetres: position.accuracyMetres,
                                   timestamp: position.at, now: now)
        }
        return registry
    }

    @Test(arguments: [false, true])
    func aBulkLoadedRegistryAnswersAsTheRegisteredOne(clustered: Bool) {
        let (workers, positions) = committed(seed: clustered ? 21 : 22, count: 3_000, clustered: clustered)
        let grown = registered(workers, positions)
        let loaded = WorkerRegistry(catalogue: catalogue, workers: workers, positions: positions, now: now)
        #expect(loaded.index.invariantViolations() == [])
        #expect(loaded.count == grown.count)
        #expect(loaded.statusCounts == grown.statusCounts)
        #expect(loaded.counters == grown.counters)
        for worker in workers {
            #expect(loaded.snapshot(worker.profile.id, now: now) == grown.snapshot(worker.profile.id, now: now))
        }
        var random = SeededGenerator(seed: 23)
        for query in 0..<300 {
            let center = clustered
                ? GeoMath.destination(from: hathras, metres: random.unit() * 6_000, bearingDegrees: random.unit() * 360)
                : try! GeoPoint(latitude: 8 + random.unit() * 27, longitude: 68 + random.unit() * 29)
            let radius = clustered ? 300 + random.unit() * 6_000 : 50_000 + random.unit() * 300_000
            let skill = query % 5 == 0 ? nil : catalogue.skill(catalogue.names[query % 4])
            let includeAll = query % 2 == 0
            let limit = 1 + Int(random.next() % 40)
            let expected = grown.nearest(to: center, skill: skill, radiusMetres: radius, limit: limit, includeAll: includeAll, now: now)
            let got = loaded.nearest(to: center, skill: skill, radiusMetres: radius, limit: limit, includeAll: includeAll, now: now)
            #expect(got == expected, "query \(query)")
        }
        #expect(!loaded.hasMovedPositions, "positions read from the store are not written back")
        var listedGrown = grown, listedLoaded = loaded
        #expect(listedLoaded.page(after: "w1", limit: 50, now: now) == listedGrown.page(after: "w1", limit: 50, now: now))
    }

    @Test func aBulkLoadedRegistryTakesEveryLaterChange() {
        let (workers, positions) = committed(seed: 24, count: 500, clustered: true)
        var grown = registered(workers, positions)
        var loaded = WorkerRegistry(catalogue: catalogue, workers: workers, positions: positions, now: now)
        var random = SeededGenerator(seed: 25)
        for step in 0..<2_000 {
            let id = "w\(random.next() % 600)"
            let moment = now + Double(step) / 10
            switch random.next() % 5 {
            case 0:
                let point = GeoMath.destination(from: hathras, metres: random.unit() * 8_000, bearingDegrees: random.unit() * 360)
                #expect(loaded.recordFix(id, at: point, now: moment) == grown.recordFix(id, at: point, now: moment))
            case 1:
                let availability: Availability = [.on, .off, .break][Int(random.next() % 3)]
                #expect(loaded.setAvailability(id, availability, now: moment) == grown.setAvailability(id, availability, now: moment))
            case 2:
                #expect(loaded.remove(id) == grown.remove(id))
            case 3:
                let profile = WorkerProfile(id: id, skills: catalogue.skill("cook")!)
                #expect(loaded.upsert(profile, now: moment) == grown.upsert(profile, now: moment))
            default:
                #expect(loaded.setEngagement(id, .busy, now: moment) == grown.setEngagement(id, .busy, now: moment))
            }
        }
        let end = now + 200
        #expect(loaded.index.invariantViolations() == [])
        #expect(loaded.count == grown.count)
        for index in 0..<600 {
            #expect(loaded.snapshot("w\(index)", now: end) == grown.snapshot("w\(index)", now: end))
        }
        let everyone = loaded.nearest(to: hathras, radiusMetres: 20_000, limit: 1_000, includeAll: true, now: end)
        #expect(everyone == grown.nearest(to: hathras, radiusMetres: 20_000, limit: 1_000, includeAll: true, now: end))
    }
}
