/// A registered worker's standing data: who they are and what they do (the engine's copy of
/// the `workers` row).
public struct WorkerProfile: Sendable, Equatable {
    public var id: String
    public var name = ""
    public var phone = ""
    public var skills: SkillSet
    public var district = ""
    /// The home PIN code, when registered.
    public var pincode: PinCode?
    public var verified = false
    /// How far the worker will travel, when they said.
    public var radiusKm: Double?
    public var ratingSum = 0
    public var ratingCount = 0

    public init(id: String, skills: SkillSet) {
        self.id = id
        self.skills = skills
    }

    /// The mean rating, or nil before the first.
    public var rating: Double? { ratingCount == 0 ? nil : Double(ratingSum) / Double(ratingCount) }
}

/// A worker's own choice of whether to receive offers (`AVAIL on|off|break`).
public enum Availability: String, Sendable, CaseIterable {
    case on, off, `break`
}

/// What dispatch has the worker doing (set by the dispatch engine).
public enum Engagement: Sendable, Equatable {
    case free
    /// Holds one offer.
    case offered
    /// On a job.
    case busy
}

/// The worker states of DESIGN.md §3, as reported in JSON and STATS.
public enum WorkerStatus: String, Sendable, CaseIterable {
    /// No ping within `dispatch.stale_after_s`, or signed off (`AVAIL off`).
    case offline
    case available
    case offered
    case busy
    case `break`
}

/// The limits a position fix and a worker's eligibility are judged by (`[dispatch]` keys).
public struct RegistryRules: Sendable, Equatable {
    /// `dispatch.stale_after_s`
    public var staleAfterSeconds = 120.0
    /// `dispatch.max_accuracy_m`: worse fixes keep a worker visible but not dispatchable.
    public var maxAccuracyMetres = 200.0
    /// `dispatch.max_speed_kmh`: a fix implying more is suspect and not used.
    public var maxSpeedKmh = 150.0
    /// How far in the future a fix's timestamp may be (DESIGN.md: 5 minutes).
    public var maxFutureSeconds = 300.0
    /// `dispatch.min_rating` (0 = off) and `dispatch.min_ratings`.
    public var minRating = 0.0
    public var minRatings = 5

    public init() {}
}
