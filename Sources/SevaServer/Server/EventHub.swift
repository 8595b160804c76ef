import SevaCore
import SevaWire

/// Who hears which events: a worker's phones (and the gateway that speaks for it), each job's
/// watchers, and the job-feed subscribers. Owned by the engine, used only on its loop.
struct EventHub {
    /// One `SUBSCRIBE jobs`: its filters, and the last seq it has had (replay included), so a
    /// live event it already saw in the replay is not sent twice.
    struct Subscription {
        var filter: JobSubscription
        var seenUpTo: Int64
    }

    /// Every open connection, for `EVT shutdown`.
    private var connected: Set<EventSink> = []
    private var workers: [String: Set<EventSink>] = [:]
    private var watchers: [Int64: Set<EventSink>] = [:]
    private(set) var subscriptions: [EventSink: Subscription] = [:]
    /// What each connection signed up for, so it can be forgotten when it closes.
    private var interests: [EventSink: (workers: Set<String>, jobs: Set<Int64>)] = [:]

    mutating func listen(worker: String, on sink: EventSink) {
        workers[worker, default: []].insert(sink)
        interests[sink, default: ([], [])].workers.insert(worker)
    }

    mutating func watch(_ job: Int64, on sink: EventSink) {
        watchers[job, default: []].insert(sink)
        interests[sink, default: ([], [])].jobs.insert(job)
    }

    mutating func unwatch(_ job: Int64, on sink: EventSink) {
        watchers[job]?.remove(sink)
        if watchers[job]?.isEmpty == true { watchers[job] = nil }
        interests[sink]?.jobs.remove(job)
    }

    mutating func subscribe(_ sink: EventSink, _ filter: JobSubscription, seenUpTo: Int64) {
        subscriptions[sink] = Subscription(filter: filter, seenUpTo: seenUpTo)
    }

    mutating func unsubscribe(_ sink: EventSink) { subscriptions[sink] = nil }

    mutating func connect(_ sink: EventSink) { connected.insert(sink) }

    /// Tells every connection the daemon is stopping.
    func broadcastShutdown() {
        let line = Array("EVT shutdown {}\n".utf8)
        for sink in connected { sink.send([line]) }
    }

    /// The connection closed: it hears nothing more.
    mutating func forget(_ sink: EventSink) {
        connected.remove(sink)
        subscriptions[sink] = nil
        guard let interest = interests.removeValue(forKey: sink) else { return }
        for worker in interest.workers {
            workers[worker]?.remove(sink)
            if workers[worker]?.isEmpty == true { workers[worker] = nil }
        }
        for job in interest.jobs {
            watchers[job]?.remove(sink)
            if watchers[job]?.isEmpty == true { watchers[job] = nil }
        }
    }

    var watchedJobs: Int { watchers.count }

    /// Sends a committed step's notices: each connection gets its lines in one write.
    mutating func deliver(_ notices: [DispatchNotice]) {
        var lines: [EventSink: [[UInt8]]] = [:]
        for notice in notices {
            switch notice {
            case .offer(let worker, let job, let metres, let expires):
                let line = JobJSON.offer(job, worker: worker, metres: metres, expiresIn: expires)
                for sink in workers[worker] ?? [] { lines[sink, default: []].append(line) }
            case .offerWithdrawn(let worker, let job, let reason):
                let line = JobJSON.offerWithdrawn(job: job, worker: worker, reason: reason)
                for sink in workers[worker] ?? [] { lines[sink, default: []].append(line) }
            case .jobChanged(let event, let skill, let district, let worker):
                let line = JobJSON.jobChanged(event)
                var told: Set<EventSink> = watchers[event.job] ?? []
                if let worker { told.formUnion(workers[worker] ?? []) }
                for (sink, subscription) in subscriptions where subscription.seenUpTo < event.seq {
                    if let want = subscription.filter.skill, want != skill { continue }
                    if let want = subscription.filter.district, want != district { continue }
                    told.insert(sink)
                    subscriptions[sink]?.seenUpTo = event.seq
                }
                for sink in told { lines[sink, default: []].append(line) }
            case .track(let job, let worker, let point, let metres, let eta):
                guard let sinks = watchers[job] else { continue }
                let line = JobJSON.track(job: job, worker: worker, point: point, metres: metres, eta: eta)
                for sink in sinks { lines[sink, default: []].append(line) }
            }
        }
        for (sink, batch) in lines { sink.send(batch) }
    }
}
