import Foundation
import SevaCore

/// The one table of configuration keys, section by section, in the order the shipped file
/// lists them. A key's default is `Configuration()`'s value; its doc is shown everywhere.
enum ConfigurationKeys {
    /// The sections, each with what it is for, in file order. `rates` and `districts` take one
    /// key per skill or district; the others, the keys of the table below.
    static let sections: [(name: String, doc: String)] = [
        ("server", "listeners, limits and the edge; paths under the runtime directory unless absolute"),
        ("store", "the SQLite store; paths under the state directory unless absolute"),
        ("dispatch", "how a job finds its worker"),
        ("privacy", "what a booker may learn of workers"),
        ("gazetteer", "India's PIN codes and districts (India Post's directory, built in)"),
        ("skills", "what workers can be booked for"),
        ("rates", "fixed visit rate per skill, rupees: shown, never used to match"),
        ("districts", "centre points (latitude, longitude) for bookings without GPS, over or beside the gazetteer's"),
        ("log", "what is logged"),
        ("http", "the HTTP face: tracker apps (Traccar Client, OsmAnd, OwnTracks, GPSLogger) on /v1/track"),
        ("metrics", "Prometheus text on GET /metrics"),
        ("debug", "switches for tests; never on in production"),
    ]

    /// Sections whose keys are fixed by the table.
    static let fixedSections = sections.map(\.name).filter { $0 != "rates" && $0 != "districts" }

    static let all: [ConfigurationKey] = [
        strings("server.tcp", \.server.tcp, "listen addresses; [] = none (Unix socket only); loopback unless allow_plaintext_public", .restart),
        text("server.unix_socket", \.server.unixSocket, "the admin socket, mode 0660", .restart),
        text("server.admin_group", \.server.adminGroup, "Unix-socket peers in this group (or root, or sevad's own user) are admin", .restart),
        integer("server.io_threads", 0...1_024, \.server.ioThreads,
                "event-loop threads that serve connections (framing, parsing, replies, sockets); 0 = one per core. "
                    + "The engine has a thread of its own besides", .restart),
        integer("server.max_connections", 1...1_000_000, \.server.maxConnections,
                "open connections at most; more are refused"),
        integer("server.max_line_bytes", 64...1_048_576, \.server.maxLineBytes,
                "longer request lines get ERR TOOLONG and are closed"),
        integer("server.output_buffer_bytes", 4_096...1_073_741_824, \.server.outputBufferBytes,
                "unsent bytes above which sevad stops reading from a connection until half have drained: "
                    + "a slow reader gets every reply, later"),
        number("server.output_stall_s", 0.1...86_400, \.server.outputStallSeconds,
               "a client that reads nothing for this long while output waits is disconnected"),
        integer("server.output_hard_bytes", 65_536...68_719_476_736, \.server.outputHardBytes,
                "a connection whose unsent events pass this (a subscriber far behind) is disconnected; "
                    + "it can resume from its last seq; at least twice output_buffer_bytes"),
        number("server.idle_timeout_s", 1...86_400, \.server.idleTimeoutSeconds,
               "a connection that sends nothing for this long is closed"),
        integer("server.max_pings_per_s", 1...10_000, \.server.maxPingsPerSecond,
                "per worker-role connection; gateways are exempt"),
        integer("server.auth_failures", 1...100, \.server.authFailures, "failed AUTHs before the connection is closed"),
        integer("server.max_inflight", 1...1_000_000, \.server.maxInFlight,
                "unanswered requests a connection may have before sevad stops reading from it until replies drain"),
        integer("server.max_conns_per_ip", 1...1_000_000, \.server.maxConnectionsPerAddress,
                "TCP/TLS connections open per remote address; generous, because phones behind a carrier's NAT share one"),
        integer("server.max_new_conns_per_s", 1...1_000_000, \.server.maxNewConnectionsPerSecond,
                "new TCP/TLS connections per second, all addresses"),
        number("server.auth_backoff_s", 0...3_600, \.server.authBackoffSeconds,
               "the answer to each failed AUTH from an address after its first waits this long, doubling per failure; "
                    + "a correct token is never delayed"),
        number("server.auth_backoff_max_s", 0...86_400, \.server.authBackoffMaxSeconds, "the longest such wait"),
        number("server.token_rotate_grace_s", 0...31_536_000, \.server.tokenRotateGraceSeconds,
               "after TOKEN ROTATE the old token keeps working this long"),
        flag("server.allow_plaintext_public", \.server.allowPlaintextPublic, "protected mode: plain-text TCP on a non-loopback address (or an adopted socket) refuses to start unless true", .restart),
        strings("server.tls", \.server.tls, "TLS listen addresses, e.g. [\"0.0.0.0:7879\"] (TLS 1.2 or later); a socket systemd passes named tls is served with TLS too", .restart),
        text("server.tls_cert", \.server.tlsCert, "PEM certificate (chain) for the TLS listeners", .reread),
        text("server.tls_key", \.server.tlsKey, "its PEM private key; a pair that cannot be used keeps the one in force", .reread),
        text("server.tls_client_ca", \.server.tlsClientCA, "PEM CA: when set, TLS clients must present a certificate it signed", .reread),

        choice("store.backend", \.store.backend, "sqlite: the file at store.path (the default); postgresql: the cluster at store.url, for an active/standby pair (docs/high-availability.md)", .restart),
        text("store.path", \.store.path, "the SQLite database file", .restart),
        text("store.node_name", \.store.nodeName, "this sevad's name in an active/standby pair (a standby answers 'the active is <name>'); \"\" = the host's name", .restart),
        text("store.url", \.store.url, "the PostgreSQL database, a libpq URL; several hosts with target_session_attrs=read-write find the primary after a failover; keep the password in a passfile, not here", .restart),
        choice("store.synchronous", \.store.synchronous, "full: a commit survives power loss (PostgreSQL: synchronous_commit = on); normal: it survives a crash of sevad (off)", .restart),
        integer("store.commit_batch_max", 1...65_536, \.store.commitBatchMax, "operations per group commit", .restart),
        integer("store.queue_max", 1...10_000_000, \.store.queueMax, "pending operations before a write is refused at once (never held)", .restart),
        integer("store.location_history_days", 0...3_650, \.store.locationHistoryDays, "sampled position history kept; 0 = keep none", .restart),
        integer("store.cache_size_kib", 64...16_777_216, \.store.cacheSizeKiB, "SQLite page cache per connection", .restart),
        integer("store.busy_timeout_ms", 0...600_000, \.store.busyTimeoutMs, "how long a connection waits for another's lock", .restart),
        integer("store.wal_autocheckpoint", 0...10_000_000, \.store.walAutocheckpointPages, "WAL pages after which a commit checkpoints itself (a background thread normally checkpoints every 0.1 s, off the commit path)", .restart),
        number("store.probe_interval_s", 0.01...3_600, \.store.probeIntervalSeconds, "a degraded store tries a real write this often", .restart),
        number("store.maintenance_interval_s", 1...604_800, \.store.maintenanceIntervalSeconds, "PRAGMA optimize and the location-history purge", .restart),
        number("store.position_snapshot_s", 0.1...86_400, \.store.positionSnapshotSeconds, "how often changed positions are written, so a restart is warm", .restart),
        integer("store.stop_snapshot_max", 0...100_000_000, \.store.stopSnapshotMax, "moved positions a clean stop writes besides the periodic snapshot (the rest are at most position_snapshot_s older in the store); bounds the stop, ≈ 0.3 s per 100 000", .restart),

        timeZone("dispatch.timezone", \.dispatch.timezone,
                 "the IANA zone whose calendar day is today for jobs_today and fairness (never the host's: "
                    + "a UTC server would start the day at 05:30 IST)"),
        choice("dispatch.policy", \.dispatch.policy,
               "fair-share weighs distance against work already given; nearest-fair prefers fewest jobs today within a band; "
                   + "nearest takes the closest"),
        number("dispatch.fair_band_ratio", 1...10, \.dispatch.fairBandRatio,
               "nearest-fair's band: candidates within max(ratio × nearest, nearest + fair_band_m)"),
        number("dispatch.fair_band_m", 0...100_000, \.dispatch.fairBandMetres, "the band's reach in metres past the nearest"),
        number("dispatch.fair_share_m_per_job", 0...100_000, \.dispatch.fairShareMetresPerJob,
               "fair-share's weight: each job already given counts as this many metres farther (0 = pure nearest)"),
        number("dispatch.fair_share_half_life_days", 0...30, \.dispatch.fairShareHalfLifeDays,
               "fair-share's memory: a past day's jobs count half as much after this many days (0 = today only)"),
        integer("dispatch.candidates", 1...1_000, \.dispatch.candidates,
                "a match weighs the nearest this many untried candidates within the policy's reach"),
        choice("dispatch.accept", \.dispatch.accept, "offer: the worker accepts or declines; auto: assigned at once"),
        number("dispatch.offer_timeout_s", 0.001...3_600, \.dispatch.offerTimeoutSeconds,
               "an offer not answered in this long goes to the next worker"),
        integer("dispatch.max_offers", 1...100, \.dispatch.maxOffers, "offers per job before it is unfilled"),
        radii("dispatch.radii_km", \.dispatch.radiiKm, "the search widens through these radii"),
        number("dispatch.stale_after_s", 1...86_400, \.dispatch.staleAfterSeconds, "no ping for this long = offline"),
        number("dispatch.max_accuracy_m", 1...100_000, \.dispatch.maxAccuracyMetres,
               "worse fixes keep a worker visible but not dispatchable"),
        number("dispatch.max_speed_kmh", 1...100_000, \.dispatch.maxSpeedKmh, "implied speeds above this mark a fix as suspect"),
        number("dispatch.arrive_radius_m", 1...10_000, \.dispatch.arriveRadiusMetres, "ARRIVED is accepted within this distance"),
        number("dispatch.speed_kmh", 1...100_000, \.dispatch.speedKmh, "for the naive ETA in EVT track"),
        integer("dispatch.timeouts_to_away", 1...100, \.dispatch.timeoutsToAway,
                "offers let time out in a row before a worker is set away"),
        number("dispatch.lead_s", 0...604_800, \.dispatch.leadSeconds, "scheduled jobs start searching this long before at"),
        number("dispatch.min_rating", 0...5, \.dispatch.minRating, "workers rated below this are not offered jobs; 0 = off"),
        integer("dispatch.min_ratings", 0...1_000_000, \.dispatch.minRatings, "ratings a worker needs before min_rating applies"),

        number("privacy.booker_grid_m", 500...100_000, \.privacy.bookerGridMetres, "a booker's NEAR measures from positions snapped to a grid this fine (at least 500 m) and rounds distances "
                    + "to 100 m; not live: answers on two grids, before and after, would place a worker finer than either", .restart),

        state("gazetteer.home_state", \.gazetteer.homeState,
              "a district name found in two states (Hamirpur, Pratapgarh, …) without state= means this state's"),

        catalogue("skills.catalogue", \.skills,
                  "the skills, in a fixed order (the index keeps one bit per skill, so a change needs a restart)"),
        choice("log.level", \.logLevel, "trace, debug, info, notice, warning, error or critical"),
        strings("http.listen", \.http.listen, "host:port addresses of the HTTP face; [] = off; "
                    + "loopback unless http.tls or server.allow_plaintext_public", .restart),
        flag("http.tls", \.http.tls, "serve http.listen over TLS with server.tls_cert and server.tls_key", .restart),
        integer("http.max_body_bytes", 1_024...67_108_864, \.http.maxBodyBytes, "a longer request body is answered 413"),
        number("http.keepalive_s", 0.1...3_600, \.http.keepAliveSeconds,
               "GET /v1/events writes a comment line this often, so proxies keep a quiet stream open", .restart),
        text("metrics.listen", \.metricsListen, "host:port for GET /metrics, e.g. \"127.0.0.1:9478\"; empty = off", .restart),
        flag("debug.allow_stall", \.allowStall, "serve DEBUG STALL (the watchdog test)"),
    ]

    static let byName: [String: ConfigurationKey] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })
}
