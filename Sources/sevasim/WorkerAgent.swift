import SevaCore

/// Movement at constant speed along a polyline, from `departs` to `arrives` (real seconds).
struct Route {
    let points: [GeoPoint]
    let departs: Double
    let arrives: Double

    static func still(at point: GeoPoint, since time: Double) -> Route {
        Route(points: [point], departs: time, arrives: time)
    }

    /// From `start` to `end` along the roads of a grid town: first one axis, then the other,
    /// at `metresPerSecond` real.
    static func ride(from start: GeoPoint, to end: GeoPoint, metresPerSecond: Double, departing time: Double,
                     northFirst: Bool) -> Route {
        let corner = northFirst ? try! GeoPoint(latitude: end.latitude, longitude: start.longitude)
                                : try! GeoPoint(latitude: start.latitude, longitude: end.longitude)
        let length = GeoMath.distanceMetres(start, corner) + GeoMath.distanceMetres(corner, end)
        return Route(points: [start, corner, end], departs: time, arrives: time + length / metresPerSecond)
    }

    var destination: GeoPoint { points[points.count - 1] }

    func position(at time: Double) -> GeoPoint {
        guard points.count > 1, arrives > departs else { return destination }
        let fraction = min(1, max(0, (time - departs) / (arrives - departs)))
        let lengths = zip(points, points.dropFirst()).map { GeoMath.distanceMetres($0, $1) }
        var remaining = fraction * lengths.reduce(0, +)
        for (index, length) in lengths.enumerated() {
            if remaining <= length, length > 0 {
                let t = remaining / length
                let a = points[index], b = points[index + 1]
                return try! GeoPoint(latitude: a.latitude + (b.latitude - a.latitude) * t,
                                     longitude: a.longitude + (b.longitude - a.longitude) * t)
            }
            remaining -= length
        }
        return destination
    }
}

/// One simulated worker: what they are doing, where they are going, and their tally. The
/// behaviour draws come from the worker's own generator, so one worker's luck does not
/// depend on another's.
struct WorkerAgent {
    enum Activity: Equatable {
        case offDuty, idle, onBreak
        case considering(Int64), riding(Int64), onSite(Int64), working(Int64)

        var job: Int64? {
            switch self {
            case .considering(let job), .riding(let job), .onSite(let job), .working(let job): job
            default: nil
            }
        }
    }

    let plan: PlannedWorker
    var random: SeededGenerator
    private(set) var activity: Activity = .offDuty
    var route: Route
    var jobsAssigned = 0
    var jobsCompleted = 0
    var breakWanted = false
    /// The offer being considered: its distance, as EVT offer gave it.
    var offerMetres = 0.0
    private(set) var onDutySeconds = 0.0
    private(set) var idleSeconds = 0.0
    private var accountedUntil = 0.0

    init(plan: PlannedWorker, seed: UInt64) {
        self.plan = plan
        random = SeededGenerator(seed: seed ^ (UInt64(plan.index + 1) &* 0xD1B5_4A32_D192_ED03))
        route = .still(at: plan.home, since: 0)
    }

    /// Changes what the worker is doing, keeping the on-duty and idle clocks.
    mutating func become(_ next: Activity, at time: Double) {
        account(until: time)
        activity = next
    }

    mutating func account(until time: Double) {
        let elapsed = max(0, time - accountedUntil)
        accountedUntil = time
        if activity != .offDuty { onDutySeconds += elapsed }
        if activity == .idle { idleSeconds += elapsed }
    }

    /// A GPS fix as the phone reports it: noise of a few metres, now and then a poor fix
    /// (accuracy beyond the dispatch limit) or a glitch far away (which sevad flags as suspect).
    mutating func fix(at time: Double) -> (point: GeoPoint, accuracy: Int) {
        let truth = route.position(at: time)
        if random.chance(0.002) {
            return (GeoMath.destination(from: truth, metres: 40_000, bearingDegrees: random.uniform(0...360)), 15)
        }
        let accuracy = random.chance(0.01) ? Int(random.uniform(250...600)) : Int(random.uniform(4...25))
        let noise = abs(random.gaussian()) * Double(min(accuracy, 25)) * 0.4
        return (GeoMath.destination(from: truth, metres: noise, bearingDegrees: random.uniform(0...360)), accuracy)
    }
}
