#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The `[dispatch]` parameters the dispatcher works by (live-reloadable).
public struct DispatchRules: Sendable, Equatable {
    public enum AcceptMode: String, Sendable { case offer, auto }

    public var policy: any DispatchPolicy = FairSharePolicy()
    public var accept = AcceptMode.offer
    /// `dispatch.offer_timeout_s`
    public var offerTimeoutSeconds = 30.0
    /// `dispatch.max_offers`
    public var maxOffers = 5
    /// `dispatch.candidates`: the nearest untried candidates within the policy's reach that a
    /// match weighs.
    public var candidatesPerSearch = 20
    /// `dispatch.radii_km`: the search widens through these.
    public var radiiKm: [Double] = [2, 5, 10, 25]
    /// `dispatch.arrive_radius_m`: the assigned worker this close is `arrived`.
    public var arriveRadiusMetres = 100.0
    /// `dispatch.speed_kmh`: for the naive ETA in `EVT track`.
    public var speedKmh = 20.0
    /// `dispatch.timeouts_to_away`: offers let expire in a row before a worker is set to break.
    public var timeoutsToAway = 3
    /// `dispatch.lead_s`: a scheduled job starts searching this long before its time.
    public var leadSeconds = 1_800.0
    /// Seconds to add to Unix time for the local day that `jobs_today` counts (IST: 19 800).
    public var dayOffsetSeconds = 19_800.0
    /// `dispatch.fair_share_half_life_days`: a past day's jobs count half as much as work
    /// after this many days (0: only today's jobs count).
    public var workHalfLifeDays = 7.0

    /// What a past day's work is worth a day later.
    var dailyWorkRetention: Double { workHalfLifeDays > 0 ? exp2(-1 / workHalfLifeDays) : 0 }

    /// The days back whose jobs still count for more than 1/64 of a job today (at most 60).
    public var workMemoryDays: Int { workHalfLifeDays > 0 ? min(60, Int((6 * workHalfLifeDays).rounded(.up))) : 0 }

    public init() {}

    public static func == (lhs: DispatchRules, rhs: DispatchRules) -> Bool {
        String(describing: lhs.policy) == String(describing: rhs.policy) && lhs.accept == rhs.accept && lhs.offerTimeoutSeconds == rhs.offerTimeoutSeconds
            && lhs.maxOffers == rhs.maxOffers && lhs.candidatesPerSearch == rhs.candidatesPerSearch && lhs.radiiKm == rhs.radiiKm && lhs.arriveRadiusMetres == rhs.arriveRadiusMetres
            && lhs.speedKmh == rhs.speedKmh && lhs.timeoutsToAway == rhs.timeoutsToAway && lhs.leadSeconds == rhs.leadSeconds
            && lhs.dayOffsetSeconds == rhs.dayOffsetSeconds && lhs.workHalfLifeDays == rhs.workHalfLifeDays
    }
}
