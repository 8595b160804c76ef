#if canImport(Glibc)
import Glibc
#endif

/// Everything a simulation run is made of besides its seed: the district, the workforce, the
/// demand and how fast simulated time runs. Two runs with the same scenario and seed send the
/// same bookings from the same positions.
struct Scenario {
    var district: District
    var workers = 2_000
    /// Real seconds of bookings.
    var durationSeconds = 60.0
    /// Simulated seconds per real second for travel, work and breaks. People answer offers in
    /// real time, because the daemon's offer timeout is real.
    var timeScale = 60.0
    /// Share of the dispatchable workforce's time the demand is meant to keep busy at the
    /// busiest hour of the run.
    var utilisation = 0.7
    var verifiedShare = 0.97
    /// Phones that never answer an offer (the daemon's timeouts and `timeouts_to_away` handle them).
    var unreliableShare = 0.02
    /// Bookings from the phone helpline: no GPS, `district=` by name (its centre).
    var helplineShare = 0.1
    var scheduledShare = 0.05
    var cancelShare = 0.02
    /// `dispatch.offer_timeout_s` of the sevad the simulator starts (real seconds).
    var offerTimeoutSeconds = 30.0
    /// Sim-time hour the run starts at, for the daily booking curve.
    var startHour = 10.0

    /// Two-wheeler speed on a job and walking speed when idle, simulated km/h.
    static let rideKmh = 22.0
    static let walkKmh = 4.0
    /// How long a visit takes, simulated minutes.
    static let visitMinutes = 10.0...40.0
    /// Seconds (real) a person takes to answer an offer.
    static let answerSeconds = 1.0...5.0
    /// A ride along the roads is this much longer than the straight line (4/π for a grid).
    static let roadFactor = 1.27

    /// The household demand a skill sees, relative to its share of the workforce.
    static let skills: [(name: String, share: Double)] = [
        ("electrician", 0.16), ("plumber", 0.13), ("carpenter", 0.09), ("beautician", 0.10),
        ("ac_mechanic", 0.07), ("computer_mechanic", 0.04), ("cook", 0.09), ("driver", 0.10),
        ("nurse", 0.05), ("painter", 0.07), ("mason", 0.06), ("caterer", 0.04),
    ]

    /// Real seconds a job keeps a worker from the offer to DONE, on average, when pickups
    /// are `pickupKm` long.
    func meanCycleSeconds(pickupKm: Double) -> Double {
        let answer = (Self.answerSeconds.lowerBound + Self.answerSeconds.upperBound) / 2
        let ride = pickupKm * Self.roadFactor / Self.rideKmh * 3_600 / timeScale
        let visit = (Self.visitMinutes.lowerBound + Self.visitMinutes.upperBound) / 2 * 60 / timeScale
        return answer + ride + 1 + visit
    }

    /// The daily curve: relative booking rate at a simulated hour (morning and evening peaks).
    static func demand(atHour hour: Double) -> Double {
        let h = hour.truncatingRemainder(dividingBy: 24)
        func bump(_ centre: Double, _ width: Double) -> Double { let d = (h - centre) / width; return exp(-d * d) }
        return 0.15 + bump(11, 2.5) + 0.8 * bump(18, 2.0)
    }
}
