import NIOCore

/// The engine's fixed numbers, each with why it is what it is. Numbers an operator has reason
/// to change are configuration keys instead (`ConfigurationKeys`).
enum EngineTuning {
    /// The dispatch tick: offer deadlines, scheduled starts, session ends and a slice of the
    /// staleness sweep are due to within this. A tenth of a second is finer than any deadline a
    /// person sees (offers time out in seconds) and costs ten wake-ups a second.
    static let tick = TimeAmount.milliseconds(100)
    /// Each tick examines this share of the workers for staleness, so every worker is looked at
    /// once a second (`dispatch.stale_after_s` is minutes) and no tick walks the whole registry…
    static let sweepShare = 10
    /// …and at most this many: a worker's live state is a cache miss (≈ 0.1 µs), so a tick's
    /// slice stays near a millisecond at any size, and a million workers are all seen every
    /// six seconds, still far inside `stale_after_s`.
    static let sweepMostPerTick = 16_384
    /// …and stops once this many have gone stale: a worker going offline is a dispatch step
    /// (its status recounted, the index's summary bits above it updated: ≈ 5 µs measured),
    /// and after a network outage every phone expires at once — ten thousand in one tick held
    /// the loop 12 ms, 1 024 still 4.9 ms of CPU. 512 a tick is about 2.5 ms, and 100 000
    /// silent phones are all offline 20 s after `stale_after_s`.
    static let expiriesMostPerTick = 512
    /// The most moved positions in one chunk of the periodic snapshot; the next chunk goes to
    /// the store once this one has committed. Gathering a row (sorting handles, copying the
    /// id) costs about 0.2 µs on the loop; writing it and its history sample about 7 µs on the
    /// store's thread, so a chunk adds about 2 ms to the commit that bookings share with it
    /// (1 000 000 moved workers are written in about 10 s, inside `store.position_snapshot_s`).
    static let snapshotChunk = 256
    /// A batch of requests gives the rest of its lines back after holding the loop this long
    /// (checked after every request), so one pipelining client cannot delay the others' turns: a
    /// millisecond is 1 000 pings or a few hundred bookings, well under the 5 ms tail allowed.
    static let batchSliceNanoseconds: UInt64 = 1_000_000
    /// A batch that holds the loop longer than this (the engine's tail goal) is logged with the
    /// verbs it ran, at most once a second, so a stall in production names its commands.
    static let longHoldNanoseconds: UInt64 = 5_000_000
    /// The systemd STATUS line (and the time zone's offset, and the per-address sweep) every
    /// this many seconds: `systemctl status` is read by people, not polled by machines.
    static let statusSeconds = 5.0
    /// Connections the kernel queues before sevad accepts them: a burst of phones reconnecting
    /// after a network blip (a thousand at once) waits there instead of being refused.
    static let listenBacklog: Int32 = 1_024
    /// Rows a listing (WORKER LIST, JOB LIST, FEED) answers when the request sets no `limit`:
    /// one screen of a console, and a reply well under the output buffer.
    static let defaultPageLimit = 100
    /// NEAR's answer when the request sets no `limit`: what a booking screen shows.
    static let defaultNearLimit = 10
    /// The most events a SUBSCRIBE `since=` replays before it sends `ERR LIMIT`: about 20 MB
    /// of lines; a client further behind pages with FEED first.
    static let replayLimit = 100_000
}
