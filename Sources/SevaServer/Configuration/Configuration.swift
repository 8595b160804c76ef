import Foundation
import Logging
import SevaCore
import SevaStore

/// Everything sevad can be told, with the defaults of DESIGN.md §7. `ConfigurationKeys`
/// holds the one table that names, parses, bounds and documents each key.
public struct Configuration: Sendable, Equatable {
    /// `[server]`
    public struct Server: Sendable, Equatable {
        /// Listen addresses, `host:port`; empty = Unix socket only. Loopback by default.
        public var tcp = ["127.0.0.1:7878"]
        /// Under the runtime directory unless absolute.
        public var unixSocket = "sevad.sock"
        /// Unix-socket peers in this group (or uid 0) are admin.
        public var adminGroup = "sevad"
        /// Event-loop threads serving connections; 0 = one per core (the engine has its own).
        public var ioThreads = 0
        public var maxConnections = 10_000
        public var maxLineBytes = 4_096
        /// Unsent bytes above which sevad stops reading from a connection (until half drain).
        public var outputBufferBytes = 1_048_576
        /// A connection whose client reads nothing for this long, with output waiting, is closed.
        public var outputStallSeconds = 60.0
        /// A connection with more unsent bytes than this (events piling up) is closed.
        public var outputHardBytes = 67_108_864
        public var idleTimeoutSeconds = 300.0
        /// Per connection of the worker role; gateways are exempt.
        public var maxPingsPerSecond = 20
        public var authFailures = 3
        /// Requests a connection may have unanswered before sevad stops reading from it.
        public var maxInFlight = 1_024
        /// Per remote address on TCP/TLS (phones behind a carrier's NAT share one).
        public var maxConnectionsPerAddress = 1_000
        /// New TCP/TLS connections per second, over all addresses.
        public var maxNewConnectionsPerSecond = 2_000
        /// After a failed AUTH an address waits this long, doubling per failure, at most the max.
        public var authBackoffSeconds = 1.0
        public var authBackoffMaxSeconds = 60.0
        /// After TOKEN ROTATE the old token keeps working this long.
        public var tokenRotateGraceSeconds = 86_400.0
        /// Protected mode's override: plain-text TCP on a non-loopback address.
        public var allowPlaintextPublic = false
        /// TLS listen addresses, with the PEM certificate (chain) and key they serve and, for
        /// mutual TLS, the CA whose client certificates are required ("" = none).
        public var tls: [String] = []
        public var tlsCert = ""
        public var tlsKey = ""
        public var tlsClientCA = ""

        /// The TLS files, when a certificate and key are configured.
        var tlsFiles: TLSCredentials.Files? {
            guard !tlsCert.isEmpty, !tlsKey.isEmpty else { return nil }
            return TLSCredentials.Files(certificate: tlsCert, key: tlsKey, clientCA: tlsClientCA.isEmpty ? nil : tlsClientCA)
        }
    }

    /// `[dispatch]`
    public struct Dispatch: Sendable, Equatable {
        public enum Policy: String, Sendable, CaseIterable { case fairShare = "fair-share", nearestFair = "nearest-fair", nearest }
        public enum Accept: String, Sendable, CaseIterable { case offer, auto }
        public var policy = Policy.fairShare
        public var accept = Accept.offer
        public var offerTimeoutSeconds = 30.0
        public var maxOffers = 5
        public var radiiKm: [Double] = [2, 5, 10, 25]
        public var staleAfterSeconds = 120.0
        public var maxAccuracyMetres = 200.0
        public var maxSpeedKmh = 150.0
        public var arriveRadiusMetres = 100.0
        public var speedKmh = 20.0
        public var timeoutsToAway = 3
        public var leadSeconds = 1_800.0
        public var minRating = 0.0
        public var minRatings = 5
        /// nearest-fair's band: candidates within `max(ratio × nearest, nearest + metres)`.
        public var fairBandRatio = 1.25
        public var fairBandMetres = 500.0
        /// fair-share's weight: each job of a worker's work counts as this many metres farther.
        public var fairShareMetresPerJob = 3_000.0
        /// fair-share's memory: a past day's jobs count half after this many days (0: today only).
        public var fairShareHalfLifeDays = 7.0
        /// The nearest candidates within the policy's reach that a match weighs.
        public var candidates = 20
        /// The IANA zone whose calendar day is "today" for `jobs_today` and fairness — never
        /// the host's zone (a UTC server would start India's day at 05:30).
        public var timezone = "Asia/Kolkata"

        /// Seconds to add to Unix time `at` for the local time in `timezone` (its offset then,
        /// so a zone with summer time is right on both sides of the change).
        public func dayOffsetSeconds(at time: Double) -> Double {
            Double(TimeZone(identifier: timezone)?.secondsFromGMT(for: Date(timeIntervalSince1970: time)) ?? 0)
        }
    }

    /// `[gazetteer]`
    public struct GazetteerSettings: Sendable, Equatable {
        /// The state a district name found in two states means when the booking does not say.
        public var homeState = "Uttar Pradesh"
    }

    /// `[privacy]`
    public struct Privacy: Sendable, Equatable {
        /// A booker's NEAR measures from workers' positions snapped to a grid of this many
        /// metres (at least 500), and rounds distances to 100 m.
        public var bookerGridMetres = 500.0
    }

    public var server = Server()
    public var privacy = Privacy()
    /// `[store]`, with `path` as written (relative to the state directory unless absolute).
    public var store = StoreConfiguration(path: "sevad.db")
    public var dispatch = Dispatch()
    /// `[skills] catalogue`
    public var skills = SkillCatalogue.standard.names
    /// `[rates]`: fixed visit rate per skill, rupees; shown, never used to match.
    public var rates: [String: Int] = ["electrician": 200, "plumber": 200]
    /// `[districts]`: centre points for bookings without GPS, over or beside the gazetteer's.
    public var districts: [String: GeoPoint] = [:]
    public var gazetteer = GazetteerSettings()
    /// `[log] level`
    public var logLevel = Logger.Level.info
    /// `[http]`: the HTTP face (DESIGN.md §10).
    public struct HTTP: Sendable, Equatable {
        /// Listen addresses, `host:port`; empty = off. Loopback unless TLS or the plain-text override.
        public var listen: [String] = []
        /// Serve them with TLS, with the line protocol's certificate and key.
        public var tls = false
        /// A longer request body is answered 413.
        public var maxBodyBytes = 1_048_576
        /// A comment line this often keeps a quiet event stream open through proxies.
        public var keepAliveSeconds = 15.0
    }

    public var http = HTTP()
    /// `[metrics] listen`; empty = off.
    public var metricsListen = ""
    /// `[debug] allow_stall`
    public var allowStall = false

    public init() {}

    /// The store's settings with its path resolved under the state directory.
    public func storeConfiguration(paths: RuntimePaths) -> StoreConfiguration {
        var resolved = store
        resolved.path = paths.state(store.path)
        return resolved
    }
}
