import SevaCore
import SevaWire

/// Who hears which events: a worker's phones (and the gateway that speaks for it), each job's
/// watchers, the job-feed subscribers, and which token each session stands on (so revoking
/// it silences and ends them). Owned by the engine, used only on its loop.
struct EventHub {
    /// One `SUBSCRIBE jobs`: its filters, whose jobs it may hear of, and the last seq it has
    /// had (replay included), so a live event it already saw in the replay is not sent twice.
    /// While its replay is being read, live events are held (`held`), to follow the replay.
    struct Subscription {
        var filter: JobSubscription
        var scope: JobScope
        var seenUpTo: Int64
        var held: [(seq: Int64, line: [UInt8])]?
    }

    /// What one connection signed up for, so it can be forgotten when it closes.
    private struct Interest {
        /// Each worker once (the hub's map says whether the connection already listens), in
        /// pages: a gateway's list of a million workers grows without moving.
        var workers = PagedArray<String>()
        var jobs: Set<Int64> = []
        var token: TokenIdentity?
    }

    /// Every open connection, for `EVT shutdown`.
    private var connected: Set<EventSink> = []
    /// The connections that hear each worker's offers: grown a few entries at a time, since a
    /// national service has a phone per worker (a Dictionary's rehash held the loop 16 ms at
    /// 98 304 workers).
    private var workers = IncrementalDictionary<String, OfferListeners>(retire: LazyFree.drop)
    /// Each job's watchers, with whether each may see the worker's exact position.
    private var watchers: [Int64: [EventSink: Bool]] = [:]
    private(set) var subscriptions: [EventSink: Subscription] = [:]
    private var interests: [EventSink: Interest] = [:]
    private var sessions: [TokenIdentity: Set<EventSink>] = [:]
    /// Closed connections whose workers' entries are still being taken out of `workers`, a
    /// slice at a time (`unlistenSome`): a gateway of a million workers closing would
    /// otherwise hold the loop a second. They hear nothing meanwhile.
    private var forgotten: Set<EventSink> = []
    private var unlistening: [(sink: EventSink, workers: PagedArray<String>, next: Int)] = []

    /// Worker lists longer than this are taken out in slices when their connection closes.
    static let unlistenSlice = 1_024

    mutating func listen(worker: String, on sink: EventSink) {
        if var listening = workers[worker] {
            guard listening.insert(sink) else { return }
            workers[worker] = listening
        } else {
            workers[worker] = OfferListeners(sink)
        }
        interests[sink, default: Interest()].workers.append(worker)
    }

    /// `exact`: the watcher may see the worker's coordinates in `EVT track` (not a booker).
    mutating func watch(_ job: Int64, on sink: EventSink, exact: Bool) {
        watchers[job, default: [:]][sink] = exact
        interests[sink, default: Interest()].jobs.insert(job)
    }

    mutating func unwatch(_ job: Int64, on sink: EventSink) {
        watchers[job]?[sink] = nil
        if watchers[job]?.isEmpty == true { watchers[job] = nil }
        interests[sink]?.jobs.remove(job)
    }

    /// `replaying`: live events are held until `replayed` brings the replay that goes first.
    mutating func subscribe(_ sink: EventSink, _ filter: JobSubscription, scope: JobScope, seenUpTo: Int64,
                            replaying: Bool = false) {
        subscriptions[sink] = Subscription(filter: filter, scope: scope, seenUpTo: seenUpTo, held: replaying ? [] : nil)
    }

    /// The replay was read: it goes out, then the live events held meanwhile that came after
    /// it, and from now on live events go out as they come.
    mutating func replayed(_ sink: EventSink, _ replay: [(seq: Int64, line: [UInt8])]) {
        guard var subscription = subscriptions[sink], let held = subscription.held else { return }
        let last = replay.last?.seq ?? subscription.seenUpTo
        var lines = replay.map(\.line)
        for event in held where event.seq > last { lines.append(event.line) }
        subscription.seenUpTo = max(last, held.last?.seq ?? 0)
        subscription.held = nil
        subscriptions[sink] = subscription
        sink.send(lines)
    }

    mutating func unsubscribe(_ sink: EventSink) { subscriptions[sink] = nil }

    mutating func connect(_ sink: EventSink) { connected.insert(sink) }

    /// The connection authenticated with `token`: revoking it will end this session. A
    /// connection that authenticates again with another token starts afresh: what it watched,
    /// subscribed to and listened for under the old one is dropped with it.
    mutating func signIn(_ sink: EventSink, token: TokenIdentity) {
        if let previous = interests[sink]?.token, previous != token {
            forget(sink, closing: false)
            connect(sink)
        }
        sessions[token, default: []].insert(sink)
        interests[sink, default: Interest()].token = token
    }

    /// Whether any open connection stands on `token`.
    func hasSessions(_ token: TokenIdentity) -> Bool { sessions[token]?.isEmpty == false }

    /// The sessions standing on these tokens hear nothing more from now on; returns their
    /// connections, for the engine to close.
    mutating func endSessions(_ tokens: [TokenIdentity]) -> [EventSink] {
        var ended: [EventSink] = []
        for token in tokens {
            for sink in sessions.removeValue(forKey: token) ?? [] {
                forget(sink)
                ended.append(sink)
            }
        }
        return ended
    }

    /// Tells every connection the daemon is stopping.
    func broadcastShutdown() {
        let line = Array("EVT shutdown {}\n".utf8)
        for sink in connected { sink.send([line]) }
    }

    /// The connection closed (or its session ended): it hears nothing more. Returns true when
    /// its workers are left to `unlistenSome` (a closed connection's long list); a connection
    /// that stays open (signing in afresh) is taken out of every list at once.
    @discardableResult
    mutating func forget(_ sink: EventSink, closing: Bool = true) -> Bool {
        connected.remove(sink)
        subscriptions[sink] = nil
        guard let interest = interests.removeValue(forKey: sink) else { return false }
        let deferred = closing && interest.workers.count > Self.unlistenSlice
        if deferred {
            forgotten.insert(sink)
            unlistening.append((sink, interest.workers, 0))
        } else {
            unlisten(sink, interest.workers, interest.workers.indices)
        }
        for job in interest.jobs {
            watchers[job]?[sink] = nil
            if watchers[job]?.isEmpty == true { watchers[job] = nil }
        }
        if let token = interest.token {
            sessions[token]?.remove(sink)
            if sessions[token]?.isEmpty == true { sessions[token] = nil }
        }
        return deferred
    }

    /// Takes up to `unlistenSlice` of the forgotten connections' workers out of the map;
    /// true while some are left.
    mutating func unlistenSome() -> Bool {
        guard var (sink, list, next) = unlistening.first else { return false }
        let end = min(list.count, next + Self.unlistenSlice)
        unlisten(sink, list, next..<end)
        next = end
        if next < list.count {
            unlistening[0].next = next
        } else {
            unlistening.removeFirst()
            forgotten.remove(sink)
            LazyFree.drop(list)
        }
        return !unlistening.isEmpty
    }

    /// Takes `sink` out of the listeners of `list[range]`.
    private mutating func unlisten(_ sink: EventSink, _ list: PagedArray<String>, _ range: Range<Int>) {
        for index in range {
            let worker = list[index]
            workers[worker] = workers[worker]?.removing(sink)
        }
    }

    /// The open connections that hear `worker`'s offers.
    private func listeners(of worker: String, _ body: (EventSink) -> Void) {
        guard let listening = workers[worker] else { return }
        if forgotten.isEmpty { return listening.forEach(body) }
        listening.forEach { if !forgotten.contains($0) { body($0) } }
    }

    var watchedJobs: Int { watchers.count }

    /// Sends a committed step's notices: each connection gets its lines in one write.
    mutating func deliver(_ notices: [DispatchNotice]) {
        var lines: [EventSink: [[UInt8]]] = [:]
        for notice in notices {
            switch notice {
            case .offer(let worker, let job, let metres, let expires):
                let line = JobJSON.offer(job, worker: worker, metres: metres, expiresIn: expires)
                listeners(of: worker) { lines[$0, default: []].append(line) }
            case .offerWithdrawn(let worker, let job, let reason):
                let line = JobJSON.offerWithdrawn(job: job, worker: worker, reason: reason)
                listeners(of: worker) { lines[$0, default: []].append(line) }
            case .jobChanged(let event, let skill, let district, let client, let worker):
                let line = JobJSON.jobChanged(event)
                var told: Set<EventSink> = []
                if let watching = watchers[event.job] { told.formUnion(watching.keys) }
                if let worker { listeners(of: worker) { told.insert($0) } }
                for (sink, subscription) in subscriptions where subscription.seenUpTo < event.seq {
                    guard subscription.scope.includes(client: client) else { continue }
                    if let want = subscription.filter.skill, want != skill { continue }
                    if let want = subscription.filter.district, want != district { continue }
                    if subscription.held != nil {
                        subscriptions[sink]?.held?.append((event.seq, line))
                        continue
                    }
                    told.insert(sink)
                    subscriptions[sink]?.seenUpTo = event.seq
                }
                for sink in told { lines[sink, default: []].append(line) }
            case .track(let job, let worker, let point, let metres, let eta):
                guard let sinks = watchers[job] else { continue }
                var exactLine: [UInt8]?
                var distanceLine: [UInt8]?
                for (sink, exact) in sinks {
                    let line: [UInt8]
                    if exact {
                        line = exactLine ?? JobJSON.track(job: job, worker: worker, point: point, metres: metres, eta: eta)
                        exactLine = line
                    } else {
                        line = distanceLine ?? JobJSON.track(job: job, worker: worker, point: nil, metres: metres, eta: eta)
                        distanceLine = line
                    }
                    lines[sink, default: []].append(line)
                }
            }
        }
        for (sink, batch) in lines { sink.send(batch) }
    }
}
