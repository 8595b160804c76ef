import SevaCore

/// Resident memory per worker of the live registry with its spatial index, at a national
/// scale: workers with the profile a real register gives them (id, name, phone, district, one
/// or two skills), each with a position fix and a choice of availability.
enum RegistryMemory {
    struct Result {
        let workers: Int
        let bytesPerWorker: Double
        let seconds: Double
        /// The longest one worker's registration took (profile, first fix, availability): the
        /// hold it puts on the engine loop, which must not grow with the workers before it.
        let longestRegistrationMs: Double
    }

    static func measure(workers: Int) -> Result {
        let catalogue = SkillCatalogue(UPWorkforce.skills.map(\.name))!
        let workforce = UPWorkforce()
        var random = SeededGenerator(seed: 11)
        let before = residentBytes(trimmed: true)
        let started = Clock.now()
        var registry = WorkerRegistry(catalogue: catalogue)
        let now = 1_800_000_000.0
        var longest: UInt64 = 0
        for index in 0..<workers {
            let district = workforce.districts[index % workforce.districts.count].name
            var profile = WorkerProfile(id: "UP-\(100_000_000 + index)", skills: SkillSet(rawValue: workforce.tags(using: &random) | 1))
            profile.name = index % 2 == 0 ? "Ramesh Kumar" : "Sunita Devi"
            profile.phone = "+91\(9_000_000_000 + index)"
            profile.district = district
            profile.verified = true
            let registering = Clock.now()
            registry.upsert(profile, now: now)
            _ = registry.recordFix(profile.id, at: workforce.position(using: &random), accuracyMetres: 10, now: now)
            registry.setAvailability(profile.id, index % 5 == 0 ? .off : .on, now: now)
            let took = Clock.now() - registering
            longest = max(longest, took)
        }
        let seconds = Double(Clock.now() - started) / 1e9
        let after = residentBytes(trimmed: true)
        withExtendedLifetime(registry) {}
        return Result(workers: workers, bytesPerWorker: Double(after - before) / Double(workers), seconds: seconds,
                      longestRegistrationMs: Double(longest) / 1e6)
    }
}
