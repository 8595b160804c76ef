import Testing
@testable import SevaCore

/// The registry's packed storage: the id table, the lazily sorted listing, the status counts
/// kept up to date, the sliced staleness sweep — each checked against a plain reference.
@Suite struct WorkerRegistryStorageTests {
    let catalogue = SkillCatalogue(["plumber", "cook"])!
    let hathras = try! GeoPoint(latitude: 27.5960, longitude: 78.0500)

    func profile(_ id: String, district: String = "") -> WorkerProfile {
        var profile = WorkerProfile(id: id, skills: catalogue.skill("plumber")!)
        profile.district = district
        profile.verified = true
        return profile
    }

    @Test func idsFindTheirWorkersThroughChurn() {
        var registry = WorkerRegistry(catalogue: catalogue)
        var reference: Set<String> = []
        var random = SeededGenerator(seed: 5)
        for step in 0..<20_000 {
            let id = "w\(random.next() % 3_000)"
            if random.next() % 3 == 0 {
                #expect(registry.remove(id) == reference.contains(id), "step \(step): remove \(id)")
                reference.remove(id)
            } else {
                #expect(registry.upsert(profile(id, district: "d\(step % 7)"), now: 1_000) == !reference.contains(id))
                reference.insert(id)
            }
        }
        #expect(registry.count == reference.count)
        for index in 0..<3_000 {
            let id = "w\(index)"
            #expect((registry.profile(id)?.id == id) == reference.contains(id), "\(id)")
        }
        #expect(registry.profile("") == nil && registry.profile("w3000") == nil)
    }

    @Test func profilesComeBackAsStored() {
        var registry = WorkerRegistry(catalogue: catalogue)
        var full = WorkerProfile(id: "full", skills: try! catalogue.skills(["plumber", "cook"]).get())
        full.name = "Sunita Devi Kushwaha"
        full.phone = "+919876543210"
        full.district = "Gautam Buddh Nagar"
        full.verified = true
        full.radiusKm = 7.5
        full.ratingSum = 23
        full.ratingCount = 5
        registry.upsert(full, now: 1_000)
        registry.upsert(WorkerProfile(id: "bare", skills: catalogue.skill("cook")!), now: 1_000)
        #expect(registry.profile("full") == full)
        #expect(registry.profile("bare") == WorkerProfile(id: "bare", skills: catalogue.skill("cook")!))
    }

    @Test func pagesFollowIdOrderThroughAdditionsRemovalsAndReuse() {
        var registry = WorkerRegistry(catalogue: catalogue)
        var reference: Set<String> = []
        var random = SeededGenerator(seed: 9)
        for round in 0..<30 {
            for _ in 0..<50 {
                let id = "p\(random.next() % 400)"
                if random.next() % 4 == 0 {
                    registry.remove(id)
                    reference.remove(id)
                } else {
                    registry.upsert(profile(id), now: 1_000)
                    reference.insert(id)
                }
            }
            var listed: [String] = []
            var after: String?
            while true {
                let page = registry.page(after: after, limit: 37, now: 1_000).map(\.profile.id)
                listed += page
                guard page.count == 37 else { break }
                after = page.last
            }
            #expect(listed == reference.sorted(), "round \(round)")
        }
        let filtered = registry.page(after: nil, limit: 5, now: 1_000) { $0.profile.id.hasSuffix("7") }
        #expect(filtered.map(\.profile.id) == Array(reference.sorted().filter { $0.hasSuffix("7") }.prefix(5)))
    }

    @Test func statusCountsMatchARecount() {
        var registry = WorkerRegistry(catalogue: catalogue)
        var random = SeededGenerator(seed: 3)
        var now = 1_000.0
        for step in 0..<5_000 {
            let id = "s\(random.next() % 200)"
            switch random.next() % 6 {
            case 0: registry.upsert(profile(id), now: now)
            case 1: registry.remove(id)
            case 2: registry.setAvailability(id, [.on, .off, .break][Int(random.next() % 3)], now: now)
            case 3: registry.setEngagement(id, [.free, .offered, .busy][Int(random.next() % 3)], now: now)
            case 4: _ = registry.recordFix(id, at: hathras, now: now)
            default:
                now += Double(random.next() % 40)
                _ = registry.expireStale(now: now)
            }
            if step % 250 == 0 {
                _ = registry.expireStale(now: now)
                for status in WorkerStatus.allCases {
                    let recount = (0..<200).filter { registry.status("s\($0)", now: now) == status }.count
                    #expect(registry.statusCounts[status] == recount, "step \(step): \(status)")
                }
            }
        }
    }

    /// A hundred available workers with a fix at time 1 000, all stale by 1 200.
    func hundredWorkersFixedAt1000() -> WorkerRegistry {
        var registry = WorkerRegistry(catalogue: catalogue)
        for index in 0..<100 {
            registry.upsert(profile("x\(index)"), now: 1_000)
            registry.setAvailability("x\(index)", .on, now: 1_000)
            _ = registry.recordFix("x\(index)", at: hathras, now: 1_000)
        }
        return registry
    }

    @Test func aSlicedSweepReachesEveryWorkerOnceARound() {
        var registry = hundredWorkersFixedAt1000()
        var expired: [String] = []
        for _ in 0..<10 { expired += registry.expireStale(now: 1_200, examining: 10) }
        #expect(Set(expired).count == 100 && expired.count == 100)
        #expect(registry.expireStale(now: 1_300, examining: 100).isEmpty, "each stale worker is reported once")
        #expect(registry.statusCounts[.offline] == 100)
    }

    /// When every phone falls silent at once, a slice expires at most its share and the next
    /// slices go on from there: every worker is still expired once, just over more calls.
    @Test func aSweepSliceExpiresAtMostItsShare() {
        var registry = hundredWorkersFixedAt1000()
        var expired: [String] = []
        for _ in 0..<10 {
            let slice = registry.expireStale(now: 1_200, examining: 100, expiring: 15)
            #expect(slice.count <= 15)
            expired += slice
        }
        #expect(Set(expired).count == 100 && expired.count == 100, "\(expired.count)")
        #expect(registry.statusCounts[.offline] == 100)
    }

    /// The id table grows a little at each insertion instead of rehashing every id at once:
    /// while it grows, lookups, insertions and removals reach entries in both tables, and it
    /// ends up in one table again. Checked against a Dictionary at every step.
    @Test func theIDTableGrowsWithoutAPauseAndLosesNothingMeanwhile() {
        var table = WorkerIDTable()
        var records = PagedArray<WorkerRecord>()
        var reference: [String: Int] = [:]
        var random = SeededGenerator(seed: 11)
        var sawGrowth = false
        for step in 0..<60_000 {
            let id = "w\(random.next() % 20_000)"
            if let handle = reference[id], random.next() % 4 == 0 {
                #expect(table.remove(id, records: records) == handle, "step \(step): remove \(id)")
                reference[id] = nil
            } else if reference[id] == nil {
                var record = WorkerRecord.free
                record.id = id
                records.append(record)
                let wasGrowing = table.isGrowing
                table.insert(id, handle: records.count - 1, records: records)
                reference[id] = records.count - 1
                if !wasGrowing && table.isGrowing {
                    sawGrowth = true
                    // Mid-growth: every entry is still found, in whichever table it sits.
                    for (known, handle) in reference { #expect(table.find(known, in: records) == handle) }
                }
            }
            #expect(table.count == reference.count)
        }
        #expect(sawGrowth)
        for index in 0..<20_000 {
            let id = "w\(index)"
            #expect(table.find(id, in: records) == reference[id], "\(id)")
        }
        // Enough insertions finish any growth.
        for extra in 0..<5_000 where table.isGrowing {
            var record = WorkerRecord.free
            record.id = "x\(extra)"
            records.append(record)
            table.insert(record.id, handle: records.count - 1, records: records)
        }
        #expect(!table.isGrowing)
    }
}
