import SevaCore

/// Resident memory per worker of the live registry with its spatial index, at a national
/// scale: workers with the profile a real register gives them (id, name, phone, district, one
/// or two skills), each with a position fix and a choice of availability — and the time a
/// restart takes to build the same registry in one pass.
enum RegistryMemory {
    struct Result {
        let workers: Int
        let bytesPerWorker: Double
        let seconds: Double
        /// The longest one worker's registration took (profile, first fix, availability): the
        /// hold it puts on the engine loop, which must not grow with the workers before it.
        let longestRegistrationMs: Double
        /// Each structure's bytes per worker (`WorkerRegistry.memoryAccount`).
        let account: [(name: String, bytesPerWorker: Double)]
        /// A restart's build of the same registry in one pass from the rows a store load
        /// gives, in the store's id order (`WorkerRegistry(workers:positions:)`), seconds.
        let bulkLoadSeconds: Double
    }

    static let now = 1_800_000_000.0

    /// The same `workers` workers every time: profile, first fix and availability.
    static func forEachWorker(_ workers: Int, _ body: (WorkerProfile, GeoPoint, Availability) -> Void) {
        let workforce = UPWorkforce()
        var random = SeededGenerator(seed: 11)
        for index in 0..<workers {
            var profile = WorkerProfile(id: "UP-\(100_000_000 + index)", skills: SkillSet(rawValue: workforce.tags(using: &random) | 1))
            profile.name = index % 2 == 0 ? "Ramesh Kumar" : "Sunita Devi"
            profile.phone = "+91\(9_000_000_000 + index)"
            profile.district = workforce.districts[index % workforce.districts.count].name
            profile.verified = true
            body(profile, workforce.position(using: &random), index % 5 == 0 ? .off : .on)
        }
    }

    static func measure(workers: Int) -> Result {
        let catalogue = SkillCatalogue(UPWorkforce.skills.map(\.name))!
        let before = residentBytes(trimmed: true)
        let started = Clock.now()
        var registry = WorkerRegistry(catalogue: catalogue)
        var longest: UInt64 = 0
        forEachWorker(workers) { profile, point, availability in
            let registering = Clock.now()
            registry.upsert(profile, now: now)
            _ = registry.recordFix(profile.id, at: point, accuracyMetres: 10, now: now)
            registry.setAvailability(profile.id, availability, now: now)
            longest = max(longest, Clock.now() - registering)
        }
        let seconds = Double(Clock.now() - started) / 1e9
        let after = residentBytes(trimmed: true)
        let account = registry.memoryAccount().map { ($0.name, Double($0.bytes) / Double(workers)) }
        registry = WorkerRegistry(catalogue: catalogue)

        var rows: [RegisteredWorker] = []
        var positions: [WorkerPosition] = []
        forEachWorker(workers) { profile, point, availability in
            rows.append(RegisteredWorker(profile, availability: availability, updatedAt: now))
            positions.append(WorkerPosition(worker: profile.id, point: point, accuracyMetres: 10, at: now))
        }
        let loading = Clock.now()
        let loaded = WorkerRegistry(catalogue: catalogue, workers: rows, positions: positions, now: now)
        let bulkLoadSeconds = Double(Clock.now() - loading) / 1e9
        precondition(loaded.count == workers, "the bulk load lost workers")
        return Result(workers: workers, bytesPerWorker: Double(after - before) / Double(workers), seconds: seconds,
                      longestRegistrationMs: Double(longest) / 1e6, account: account, bulkLoadSeconds: bulkLoadSeconds)
    }
}
