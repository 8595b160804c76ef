import SevaCore
import SevaWire

/// A simulated worker as registered: who they are, where they live, how they behave.
struct PlannedWorker {
    let index: Int
    let id: String
    let skills: [String]
    let verified: Bool
    let home: GeoPoint
    /// Never answers an offer.
    let unreliable: Bool
    /// Chance of declining an offer that is close; far offers are declined more often.
    let declineShare: Double
    /// Real seconds into the run when the shift starts (0 for most).
    let joinsAt: Double
}

/// A booking as it will be made: when, for what, from where.
struct PlannedBooking {
    let index: Int
    /// Real seconds into the run.
    let at: Double
    let skill: String
    let household: GeoPoint
    /// From the helpline: the daemon gets `district=` and no position.
    let viaHelpline: Bool
    /// Booked ahead: real seconds after the booking that the visit is wanted.
    let scheduledAhead: Double?
    /// The customer cancels this many real seconds after booking, if not yet assigned.
    let cancelsAfter: Double?
    let ref: String
}

/// The seeded plan of a run: every worker and every booking, drawn before the run starts, so
/// that the same seed gives the same workforce and the same demand whatever the daemon does.
struct SimulationPlan {
    let workers: [PlannedWorker]
    let bookings: [PlannedBooking]
    /// FNV-1a over the plan's canonical text: equal digests, equal plans.
    let digest: String

    init(scenario: Scenario, seed: UInt64, leadSeconds: Double) {
        var random = SeededGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let skillWeights = Scenario.skills.map(\.share)
        var workers: [PlannedWorker] = []
        var supply = [Double](repeating: 0, count: Scenario.skills.count)
        for index in 0..<scenario.workers {
            var skills = [random.pick(weights: skillWeights)]
            if random.chance(0.2) {
                let second = random.pick(weights: skillWeights)
                if second != skills[0] { skills.append(second) }
            }
            let verified = random.chance(scenario.verifiedShare)
            let unreliable = random.chance(scenario.unreliableShare)
            if verified && !unreliable { for skill in skills { supply[skill] += 1 / Double(skills.count) } }
            workers.append(PlannedWorker(
                index: index, id: "sim\(index + 1)", skills: skills.map { Scenario.skills[$0].name }, verified: verified,
                home: scenario.district.place(using: &random), unreliable: unreliable,
                declineShare: random.uniform(0.02...0.12),
                joinsAt: random.chance(0.1) ? random.uniform(0...(scenario.durationSeconds / 2)) : 0))
        }
        self.workers = workers

        // Poisson arrivals by thinning, at the rate that keeps `utilisation` of the supply busy
        // at the run's busiest hour. A cycle's length depends on how far the nearest free worker
        // is when only the other `1 - utilisation` are free: estimated on the plan itself.
        let pickupKm = Self.expectedPickupKm(workers, district: scenario.district, freeShare: max(0.05, 1 - scenario.utilisation), seed: seed)
        let rate = scenario.utilisation * supply.reduce(0, +) / scenario.meanCycleSeconds(pickupKm: pickupKm)
        let hours = stride(from: 0.0, through: scenario.durationSeconds, by: 1).map {
            Scenario.demand(atHour: scenario.startHour + $0 * scenario.timeScale / 3_600)
        }
        let peak = hours.max() ?? 1
        let peakRate = rate
        var bookings: [PlannedBooking] = []
        var clock = 0.0
        while true {
            clock += random.exponential(mean: 1 / peakRate)
            guard clock < scenario.durationSeconds else { break }
            let curve = Scenario.demand(atHour: scenario.startHour + clock * scenario.timeScale / 3_600)
            guard random.chance(curve / peak) else { continue }
            let index = bookings.count
            bookings.append(PlannedBooking(
                index: index, at: clock, skill: Scenario.skills[random.pick(weights: supply)].name,
                household: scenario.district.place(using: &random), viaHelpline: random.chance(scenario.helplineShare),
                scheduledAhead: random.chance(scenario.scheduledShare) ? leadSeconds + random.uniform(3...20) : nil,
                cancelsAfter: random.chance(scenario.cancelShare) ? random.uniform(2...15) : nil,
                ref: "sim-\(seed)-\(index + 1)"))
        }
        self.bookings = bookings

        var hash = FNV1a()
        for worker in workers {
            hash.add("\(worker.id) \(worker.skills) \(worker.verified) \(JSONWriter.decimal(worker.home.latitude)) \(JSONWriter.decimal(worker.home.longitude))\n")
        }
        for booking in bookings {
            hash.add("\(Int(booking.at * 1_000)) \(booking.skill) \(JSONWriter.decimal(booking.household.latitude)) \(JSONWriter.decimal(booking.household.longitude)) \(booking.viaHelpline)\n")
        }
        digest = hash.hex
    }
}

extension SimulationPlan {
    /// The mean distance from a household to the nearest worker with the skill when only
    /// `freeShare` of the dispatchable workers are free, over a sample of households.
    static func expectedPickupKm(_ workers: [PlannedWorker], district: District, freeShare: Double, seed: UInt64) -> Double {
        var random = SeededGenerator(seed: seed ^ 0x5EED_0F_F1CE)
        var total = 0.0
        var samples = 0
        for _ in 0..<200 {
            let household = district.place(using: &random)
            let skill = Scenario.skills[random.pick(weights: Scenario.skills.map(\.share))].name
            var nearest = Double.infinity
            for worker in workers where worker.verified && !worker.unreliable && worker.skills.contains(skill) {
                guard random.chance(freeShare) else { continue }
                nearest = min(nearest, GeoMath.distanceMetres(household, worker.home))
            }
            guard nearest.isFinite else { continue }
            total += nearest
            samples += 1
        }
        return samples == 0 ? district.radiusKm : total / Double(samples) / 1_000
    }
}

/// 64-bit FNV-1a, for the plan digest.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    mutating func add(_ text: String) {
        for byte in text.utf8 { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
    }
    var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
