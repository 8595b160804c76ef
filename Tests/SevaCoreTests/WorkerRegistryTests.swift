import Testing
@testable import SevaCore

@Suite struct WorkerRegistryTests {
    let catalogue = SkillCatalogue(["electrician", "plumber", "carpenter", "cook"])!
    let hathras = try! GeoPoint(latitude: 27.5960, longitude: 78.0500)

    func registry() -> WorkerRegistry { WorkerRegistry(catalogue: catalogue) }

    func profile(_ id: String, _ skills: [String] = ["plumber"], verified: Bool = true) -> WorkerProfile {
        var profile = WorkerProfile(id: id, skills: try! catalogue.skills(skills).get())
        profile.verified = verified
        return profile
    }

    /// A worker ready for dispatch at `metres` east of Hathras.
    func ready(_ registry: inout WorkerRegistry, _ id: String, metres: Double, skills: [String] = ["plumber"],
               verified: Bool = true, now: Double = 1_000) {
        registry.upsert(profile(id, skills, verified: verified), now: now)
        registry.setAvailability(id, .on, now: now)
        let point = GeoMath.destination(from: hathras, metres: metres, bearingDegrees: 90)
        let outcome1 = registry.recordFix(id, at: point, accuracyMetres: 10, now: now)
        #expect(outcome1 == .accepted)
    }

    @Test func catalogueMapsNamesToBitsAndRefusesUnknownOnes() throws {
        let set = try catalogue.skills(["cook", "plumber"]).get()
        #expect(catalogue.names(of: set) == ["plumber", "cook"])
        #expect(catalogue.skill("cook") == SkillSet(rawValue: 1 << 3))
        guard case .failure(let error) = catalogue.skills(["plumber", "wizard"]) else { Issue.record("accepted wizard"); return }
        #expect(error.description.contains("unknown skill 'wizard'"))
        #expect(SkillCatalogue(Array(repeating: "x", count: 2)) == nil)
        #expect(SkillCatalogue((0...SkillCatalogue.capacity).map { "s\($0)" }) == nil)
    }

    @Test func statusFollowsFreshnessChoiceAndEngagement() {
        var registry = registry()
        registry.upsert(profile("w1"), now: 1_000)
        #expect(registry.status("w1", now: 1_000) == .offline, "no fix yet")
        registry.setAvailability("w1", .on, now: 1_000)
        #expect(registry.status("w1", now: 1_000) == .offline, "still no fix")
        _ = registry.recordFix("w1", at: hathras, now: 1_000)
        #expect(registry.status("w1", now: 1_000) == .available)
        registry.setEngagement("w1", .offered, now: 1_001)
        #expect(registry.status("w1", now: 1_001) == .offered)
        registry.setEngagement("w1", .busy, now: 1_002)
        #expect(registry.status("w1", now: 1_002) == .busy)
        registry.setEngagement("w1", .free, now: 1_003)
        registry.setAvailability("w1", .break, now: 1_003)
        #expect(registry.status("w1", now: 1_003) == .break)
        registry.setAvailability("w1", .off, now: 1_004)
        #expect(registry.status("w1", now: 1_004) == .offline)
        registry.setAvailability("w1", .on, now: 1_005)
        #expect(registry.status("w1", now: 1_000 + 120) == .available)
        #expect(registry.status("w1", now: 1_000 + 121) == .offline, "stale after dispatch.stale_after_s")
        #expect(registry.status("nobody", now: 1_000) == nil)
    }

    @Test func gpsFiltersOlderFutureAndSuspectFixes() {
        var registry = registry()
        ready(&registry, "w1", metres: 0, now: 1_000)
        let start = registry.snapshot("w1", now: 1_000)?.position
        let near = GeoMath.destination(from: hathras, metres: 50, bearingDegrees: 0)
        let outcome2 = registry.recordFix("w1", at: near, timestamp: 999, now: 1_001)
        #expect(outcome2 == .older)
        let outcome3 = registry.recordFix("w1", at: near, timestamp: 1_000, now: 1_001)
        #expect(outcome3 == .older, "as old as the last")
        let outcome4 = registry.recordFix("w1", at: near, timestamp: 1_400, now: 1_001)
        #expect(outcome4 == .future)
        let far = GeoMath.destination(from: hathras, metres: 10_000, bearingDegrees: 0)
        guard case .suspect(let kmh)? = registry.recordFix("w1", at: far, timestamp: 1_060, now: 1_060) else {
            Issue.record("10 km in a minute was accepted")
            return
        }
        #expect(kmh > 500)
        #expect(registry.snapshot("w1", now: 1_060)?.position == start, "a suspect fix is not used")
        let outcome5 = registry.recordFix("w1", at: near, timestamp: 1_061, now: 1_061)
        #expect(outcome5 == .accepted)
        #expect(registry.snapshot("w1", now: 1_061)?.suspectFixes == 1)
        #expect(registry.counters == FixCounters(accepted: 2, older: 2, suspect: 1, future: 1))
        let outcome6 = registry.recordFix("nobody", at: near, now: 1_061)
        #expect(outcome6 == nil)
    }

    @Test func nearFindsOnlyWhoMayTakeAJobUnlessAskedForAll() {
        var registry = registry()
        ready(&registry, "near-plumber", metres: 300)
        ready(&registry, "far-plumber", metres: 3_000)
        ready(&registry, "cook", metres: 100, skills: ["cook"])
        ready(&registry, "unverified", metres: 200, verified: false)
        ready(&registry, "on-break", metres: 150)
        registry.setAvailability("on-break", .break, now: 1_000)
        ready(&registry, "blurry", metres: 120)
        _ = registry.recordFix("blurry", at: GeoMath.destination(from: hathras, metres: 121, bearingDegrees: 90),
                               accuracyMetres: 900, now: 1_001)
        let plumber = catalogue.skill("plumber")
        let dispatchable = registry.nearest(to: hathras, skill: plumber, radiusMetres: 5_000, limit: 10, now: 1_002)
        #expect(dispatchable.map(\.id) == ["near-plumber", "far-plumber"])
        #expect(abs(dispatchable[0].metres - 300) < 1)
        let withinTwoKm = registry.nearest(to: hathras, skill: plumber, radiusMetres: 2_000, limit: 10, now: 1_002)
        #expect(withinTwoKm.map(\.id) == ["near-plumber"])
        let anySkill = registry.nearest(to: hathras, radiusMetres: 5_000, limit: 10, now: 1_002)
        #expect(anySkill.map(\.id) == ["cook", "near-plumber", "far-plumber"])
        let everyone = registry.nearest(to: hathras, skill: plumber, radiusMetres: 5_000, limit: 10, includeAll: true, now: 1_002)
        #expect(everyone.map(\.id) == ["blurry", "on-break", "unverified", "near-plumber", "far-plumber"])
        #expect(everyone.first { $0.id == "on-break" }?.status == .break)
    }

    /// NEAR against brute force over every mix of availability, engagement, verification,
    /// freshness, accuracy, rating and skills — for `all=yes` and dispatchable searches, with
    /// a skill and without — so the tags that prune subtrees never drop a worker or let one in.
    @Test func nearMatchesBruteForceOverEveryStatusMix() throws {
        var random = SeededGenerator(seed: 11)
        var registry = registry()
        registry.rules.minRating = 3
        registry.rules.minRatings = 1
        let skills = ["electrician", "plumber", "carpenter", "cook"]
        var ids: [String] = []
        for index in 0..<400 {
            let id = "w\(index)"
            var worker = profile(id, [skills[index % 4]] + (index % 7 == 0 ? [skills[(index + 1) % 4]] : []), verified: index % 9 != 0)
            if index % 11 == 0 {
                worker.ratingSum = 2
                worker.ratingCount = 1
            }
            registry.upsert(worker, now: 1_000)
            registry.setAvailability(id, [.on, .on, .on, .off, .break][Int(random.next() % 5)], now: 1_000)
            let point = GeoMath.destination(from: hathras, metres: Double(random.next() % 8_000), bearingDegrees: Double(random.next() % 360))
            _ = registry.recordFix(id, at: point, accuracyMetres: index % 17 == 0 ? 900 : 10,
                                   timestamp: index % 13 == 0 ? 700 : 1_000, now: 1_000)
            if index % 5 == 0 { registry.setEngagement(id, index % 2 == 0 ? .offered : .busy, now: 1_000) }
            ids.append(id)
        }
        let now = 1_005.0
        var found = [0, 0]
        for query in 0..<400 {
            let center = GeoMath.destination(from: hathras, metres: Double(random.next() % 6_000), bearingDegrees: Double(random.next() % 360))
            let radius = Double(300 + random.next() % 6_000)
            let skill = query % 5 == 0 ? nil : catalogue.skill(skills[query % 4])
            let includeAll = query % 2 == 0
            let limit = 1 + Int(random.next() % 40)
            let got = registry.nearest(to: center, skill: skill, radiusMetres: radius, limit: limit, includeAll: includeAll, now: now)
            let expected = ids.compactMap { id -> (id: String, metres: Double)? in
                let worker = registry.snapshot(id, now: now)!
                guard let position = worker.position, let age = worker.ageSeconds, age <= registry.rules.staleAfterSeconds else { return nil }
                if let skill, !worker.profile.skills.isSuperset(of: skill) { return nil }
                if !includeAll {
                    let floored = worker.profile.ratingCount >= 1 && (worker.profile.rating ?? 5) < 3
                    guard worker.status == .available, worker.profile.verified, (worker.accuracyMetres ?? 0) <= registry.rules.maxAccuracyMetres,
                          !floored else { return nil }
                }
                let metres = GeoMath.distanceMetres(center, position)
                return metres <= radius ? (id, metres) : nil
            }.sorted { $0.metres < $1.metres }.prefix(limit)
            #expect(got.map(\.id) == expected.map(\.id), "query \(query): skill \(String(describing: skill)), all \(includeAll), \(Int(radius)) m")
            found[includeAll ? 1 : 0] += got.count
        }
        #expect(found[0] > 200 && found[1] > found[0], "both kinds of search find workers: \(found)")
    }

    @Test func staleWorkersLeaveDispatchAndComeBackWithAFix() {
        var registry = registry()
        ready(&registry, "w1", metres: 100, now: 1_000)
        ready(&registry, "w2", metres: 200, now: 1_100)
        let outcome7 = registry.expireStale(now: 1_119)
        #expect(outcome7.isEmpty)
        let outcome8 = registry.expireStale(now: 1_121)
        #expect(outcome8 == ["w1"])
        let plumber = catalogue.skill("plumber")
        #expect(registry.nearest(to: hathras, skill: plumber, radiusMetres: 1_000, limit: 5, now: 1_121).map(\.id) == ["w2"])
        #expect(registry.nearest(to: hathras, radiusMetres: 1_000, limit: 5, includeAll: true, now: 1_121).map(\.id) == ["w2"])
        _ = registry.recordFix("w1", at: hathras, now: 1_130)
        #expect(registry.nearest(to: hathras, skill: plumber, radiusMetres: 1_000, limit: 5, now: 1_130).map(\.id) == ["w1", "w2"])
        let outcome9 = registry.expireStale(now: 1_221).sorted()
        #expect(outcome9 == ["w2"])
        let outcome10 = registry.expireStale(now: 1_251)
        #expect(outcome10 == ["w1"])
        #expect(registry.statusCounts[.offline] == 2)
    }

    @Test func answersStayExactBetweenSweeps() {
        var registry = registry()
        ready(&registry, "w1", metres: 100, now: 1_000)
        // No sweep has run, but the worker is stale by now.
        #expect(registry.nearest(to: hathras, radiusMetres: 1_000, limit: 5, now: 1_500).isEmpty)
    }

    @Test func lowRatingsKeepAWorkerOutOnceRatedEnough() {
        var registry = registry()
        registry.rules.minRating = 3.5
        ready(&registry, "w1", metres: 100)
        var rated = profile("w1")
        rated.ratingSum = 12
        rated.ratingCount = 4
        registry.upsert(rated, now: 1_000)
        #expect(registry.nearest(to: hathras, radiusMetres: 1_000, limit: 5, now: 1_000).count == 1, "fewer than min_ratings")
        rated.ratingSum = 15
        rated.ratingCount = 5
        registry.upsert(rated, now: 1_000)
        #expect(registry.nearest(to: hathras, radiusMetres: 1_000, limit: 5, now: 1_000).isEmpty, "mean 3.0 < 3.5")
    }

    @Test func removedWorkersVanishAndTheirHandlesAreReused() {
        var registry = registry()
        ready(&registry, "w1", metres: 100, now: 1_000)
        let outcome11 = registry.remove("w1")
        #expect(outcome11)
        let outcome12 = registry.remove("w1")
        #expect(!outcome12)
        #expect(registry.nearest(to: hathras, radiusMetres: 1_000, limit: 5, includeAll: true, now: 1_000).isEmpty)
        ready(&registry, "w2", metres: 50, now: 1_010)
        #expect(registry.count == 1)
        // The reused slot's old expiry must not expire the new worker early.
        let outcome13 = registry.expireStale(now: 1_125)
        #expect(outcome13.isEmpty)
        let outcome14 = registry.expireStale(now: 1_131)
        #expect(outcome14 == ["w2"])
        #expect(registry.index.invariantViolations() == [])
    }

    @Test func movedPositionsAreHandedOutOnce() {
        var registry = registry()
        ready(&registry, "w1", metres: 100, now: 1_000)
        ready(&registry, "w2", metres: 200, now: 1_000)
        let first = registry.takeMovedPositions()
        #expect(first.map(\.worker) == ["w1", "w2"] && first[0].at == 1_000)
        #expect(registry.takeMovedPositions().isEmpty)
        _ = registry.recordFix("w2", at: hathras, now: 1_010)
        _ = registry.recordFix("w1", at: hathras, timestamp: 900, now: 1_010)
        #expect(registry.takeMovedPositions().map(\.worker) == ["w2"], "an ignored fix moves nothing")
    }

    /// The snapshot takes moved positions in chunks: each once, all of them in the end, and a
    /// worker that moves again while waiting is still taken once, at its latest fix.
    @Test func movedPositionsAreTakenInChunks() {
        var registry = registry()
        for number in 1...5 { ready(&registry, "w\(number)", metres: Double(number) * 100, now: 1_000) }
        var taken: [String] = []
        let first = registry.takeMovedPositions(limit: 2)
        #expect(first.count == 2 && registry.hasMovedPositions)
        taken += first.map(\.worker)
        let waiting = ["w1", "w2", "w3", "w4", "w5"].first { !taken.contains($0) }!
        _ = registry.recordFix(waiting, at: hathras, now: 1_100)
        while registry.hasMovedPositions {
            let chunk = registry.takeMovedPositions(limit: 2)
            #expect(chunk.count <= 2)
            if let again = chunk.first(where: { $0.worker == waiting }) { #expect(again.at == 1_100) }
            taken += chunk.map(\.worker)
        }
        #expect(taken.sorted() == ["w1", "w2", "w3", "w4", "w5"])
        #expect(registry.takeMovedPositions(limit: 2).isEmpty)
    }

    /// A round hands out what had moved when it began and then ends, however busy the workers
    /// are meanwhile: moves after it began — a new worker's, or one taken and moving again —
    /// wait for the next round. A final take (at shutdown) goes past the round.
    @Test func aSnapshotRoundEndsWhileWorkersKeepMoving() {
        var registry = registry()
        for number in 1...4 { ready(&registry, "w\(number)", metres: Double(number) * 100, now: 1_000) }
        let first = registry.takeMovedPositions(limit: 2)
        #expect(first.count == 2 && registry.isPositionRoundOpen)
        ready(&registry, "w5", metres: 500, now: 1_050)
        _ = registry.recordFix(first[0].worker, at: hathras, now: 1_060)
        let rest = registry.takeMovedPositions(limit: 2)
        #expect(Set(rest.map(\.worker)) == Set(["w1", "w2", "w3", "w4"]).subtracting(first.map(\.worker)))
        #expect(!registry.isPositionRoundOpen && registry.hasMovedPositions, "the round is over; later moves wait")
        let next = registry.takeMovedPositions(limit: 10)
        #expect(Set(next.map(\.worker)) == [first[0].worker, "w5"])
        #expect(next.first { $0.worker == first[0].worker }?.at == 1_060)
        _ = registry.recordFix("w2", at: hathras, now: 1_100)
        _ = registry.recordFix("w3", at: hathras, now: 1_100)
        let one = registry.takeMovedPositions(limit: 1)
        _ = registry.recordFix("w4", at: hathras, now: 1_100)
        let all = registry.takeMovedPositions(final: true).map(\.worker)
        #expect(Set(one.map(\.worker) + all) == ["w2", "w3", "w4"] && all.count == 2, "a final take has the round's rest and later moves")
        #expect(!registry.hasMovedPositions)
    }

    /// A clean stop writes at most `store.stop_snapshot_max` positions: the round's and later
    /// moves alike, no more than asked.
    @Test func aFinalTakeStopsAtItsLimit() {
        var registry = registry()
        for number in 1...4 { ready(&registry, "w\(number)", metres: Double(number) * 100, now: 1_000) }
        let first = registry.takeMovedPositions(limit: 1)
        ready(&registry, "w5", metres: 500, now: 1_050)
        let last = registry.takeMovedPositions(limit: 2, final: true)
        #expect(last.count == 2)
        #expect(registry.hasMovedPositions, "two were left unwritten")
        #expect(Set(first.map(\.worker) + last.map(\.worker)).count == 3)
    }
}
