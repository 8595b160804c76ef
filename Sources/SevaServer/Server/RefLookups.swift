import SevaCore

/// JOB NEW's idempotency for a ref the dispatcher does not hold in memory (it holds the refs
/// of open and recently closed jobs): the store is asked, off the engine loop, in batches — one
/// read for every ref that came in while the last read was out, the way commits are grouped.
/// Bookings with the same ref wait on one lookup, so two of them never make two jobs.
struct RefLookups {
    /// What a waiting booking does with the answer: the job booked with the ref before, or nil.
    typealias Waiter = (StoredRefMatch?) -> Void

    private var waiting: [ClientRef: [Waiter]] = [:]
    private var queued: [ClientRef] = []
    /// A read is out; refs that come meanwhile go in the next one.
    private(set) var reading = false

    /// Adds a booking waiting on `key`; true when `key` is new and must be looked up.
    mutating func wait(for key: ClientRef, _ waiter: @escaping Waiter) {
        if waiting[key] == nil { queued.append(key) }
        waiting[key, default: []].append(waiter)
    }

    /// The refs to read now, or [] when a read is out or nothing waits.
    mutating func takeBatch() -> [ClientRef] {
        guard !reading, !queued.isEmpty else { return [] }
        reading = true
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
    let state: String
    let rateInr: Int?
}
