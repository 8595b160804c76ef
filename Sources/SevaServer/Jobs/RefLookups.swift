import SevaCore

/// JOB NEW's idempotency for a ref the dispatcher does not hold in memory (it holds the refs
/// of open and recently closed jobs).
///
/// A filter of every ref ever booked, built from the store in the background after start
/// and kept up to date, says when a ref is surely new — the common case — so the booking
/// goes ahead at once. Otherwise (the filter still building, or a "maybe") the store is asked,
/// off the engine loop, in batches — one read for every ref that came in while the last read
/// was out, the way commits are grouped. Bookings with the same ref wait on one lookup, so two
/// of them never make two jobs.
struct RefLookups {
    /// What a waiting booking does with the answer: the job booked with the ref before, or nil.
    typealias Waiter = (StoredRefMatch?) -> Void

    private var waiting: [ClientRef: [Waiter]] = [:]
    private var queued: [ClientRef] = []
    /// A read is out; refs that come meanwhile go in the next one.
    private(set) var reading = false
    private var filter: RefFilter?
    /// Refs booked while the filter was being built, to add when it arrives.
    private var bookedMeanwhile: [ClientRef] = []
    /// Refs looked up in the store, and refs the filter knew to be new.
    private(set) var lookedUp = 0
    private(set) var knownNew = 0

    var filterReady: Bool { filter != nil }

    /// True when `key` was surely never booked: no need to ask the store.
    mutating func isSurelyNew(_ key: ClientRef) -> Bool {
        guard let filter, !filter.mayContain(key) else { return false }
        knownNew += 1
        return true
    }

    /// A job was booked with `key`.
    mutating func booked(_ key: ClientRef) {
        if filter != nil { filter?.insert(key) } else { bookedMeanwhile.append(key) }
    }

    /// The filter built from the store; `held` are the refs the dispatcher holds now (among
    /// them any whose commit was still on its way when the store was read).
    mutating func filterBuilt(_ built: RefFilter, held: some Sequence<ClientRef>) {
        var built = built
        for key in bookedMeanwhile { built.insert(key) }
        for key in held { built.insert(key) }
        bookedMeanwhile = []
        filter = built
    }

    /// Adds a booking waiting on `key`.
    mutating func wait(for key: ClientRef, _ waiter: @escaping Waiter) {
        if waiting[key] == nil { queued.append(key) }
        waiting[key, default: []].append(waiter)
    }

    /// The refs to read now, or [] when a read is out or nothing waits.
    mutating func takeBatch() -> [ClientRef] {
        guard !reading, !queued.isEmpty else { return [] }
        reading = true
        lookedUp += queued.count
        defer { queued = [] }
        return queued
    }

    /// The read came back: each ref's waiters, in arrival order, with what was found.
    mutating func finish(_ keys: [ClientRef]) -> [(ClientRef, [Waiter])] {
        reading = false
        return keys.map { key in (key, waiting.removeValue(forKey: key) ?? []) }
    }
}

/// A job found by its ref: enough to answer JOB NEW again.
struct StoredRefMatch: Sendable {
    let id: Int64
    let state: JobState
    let rateInr: Int?
}
