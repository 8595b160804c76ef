/// The dispatch engine of DESIGN.md §3: jobs and their state machine, offers and their
/// deadlines, cascades, scheduled starts, fairness bookkeeping and the arrival geofence.
///
/// Pure and deterministic: it works on the caller's `WorkerRegistry` (whose engagement it
/// keeps in step) and the caller's clock (`now`, Unix seconds), and says what to persist and
/// whom to tell in a `DispatchOutcome`. One owner (the engine's event loop) uses it.
public struct Dispatcher: Sendable {
    public var rules: DispatchRules
    /// Open jobs, and the most recently closed ones (for JOB GET and idempotent refs).
    public internal(set) var jobs: [Int64: Job] = [:]
    /// The refs of the jobs held, each client's.
    public internal(set) var refs: [ClientRef: Int64] = [:]
    /// worker → the job offered to them.
    var offers: [String: Int64] = [:]
    /// worker → the job they are on.
    var active: [String: Int64] = [:]
    var deadlines = BinaryHeap<OfferDeadline>()
    var starts = BinaryHeap<ScheduledStart>()
    /// Jobs to search for at the next tick (restored mid-search).
    var pendingSearches: [Int64] = []
    var workerDays: [String: WorkerDay] = [:]
    var closed: [Int64] = []
    var lastTrack: [Int64: Double] = [:]
    public internal(set) var lastJobID: Int64
    public internal(set) var lastSeq: Int64
    public internal(set) var counters = DispatchCounters()
    /// Jobs completed today, per worker, as a histogram (for the live Gini).
    public internal(set) var spread = WorkSpread(day: 0)

    /// Closed jobs kept in memory.
    public static let closedKept = 10_000

    public init(rules: DispatchRules = DispatchRules(), lastJobID: Int64 = 0, lastSeq: Int64 = 0) {
        self.rules = rules
        self.lastJobID = lastJobID
        self.lastSeq = lastSeq
    }

    /// The job, if in memory (open or recently closed).
    public func job(_ id: Int64) -> Job? { jobs[id] }

    /// The job the client booked with this idempotency key, if in memory.
    public func job(ref: String, client: String) -> Job? { refs[ClientRef(client: client, ref: ref)].flatMap { jobs[$0] } }

    /// The job the worker holds an offer for, or is on.
    public func offeredJob(of worker: String) -> Int64? { offers[worker] }
    public func activeJob(of worker: String) -> Int64? { active[worker] }

    /// Open jobs in each state.
    public var openCounts: [JobState: Int] {
        var counts: [JobState: Int] = [:]
        for job in jobs.values where job.state.isOpen { counts[job.state, default: 0] += 1 }
        return counts
    }

    /// The Gini coefficient of jobs completed today over the active workers: those with a job
    /// today and `online` − those others (the workers online now, less as many as have jobs,
    /// who are mostly online too); nil before the day's first job.
    public func workGini(online: Int, now: Double) -> Double? {
        guard spread.day == dayNumber(now) else { return nil }
        return spread.gini(idle: online - spread.workersWithJobs)
    }

    /// Workers who completed at least one job today.
    public func workersWithJobsToday(now: Double) -> Int { spread.day == dayNumber(now) ? spread.workersWithJobs : 0 }

    /// Jobs the worker completed today.
    public func jobsToday(_ worker: String, now: Double) -> Int {
        guard let day = workerDays[worker], day.day == dayNumber(now) else { return 0 }
        return day.jobsToday
    }

    // MARK: - Restoring after a restart

    /// Takes back an open job as committed, with its history; offers resume with their
    /// remaining time (one already past its deadline cascades at the next tick).
    public mutating func restore(_ job: Job, registry: inout WorkerRegistry, now: Double) {
        jobs[job.id] = job
        if let ref = job.ref { refs[ClientRef(client: job.client, ref: ref)] = job.id }
        lastJobID = max(lastJobID, job.id)
        lastSeq = max(lastSeq, job.events.last?.seq ?? 0)
        switch job.state {
        case .scheduled:
            starts.push(ScheduledStart(at: (job.scheduledAt ?? now) - rules.leadSeconds, job: job.id))
        case .searching:
            pendingSearches.append(job.id)
        case .offered:
            guard let worker = job.worker else { return pendingSearches.append(job.id) }
            offers[worker] = job.id
            registry.setEngagement(worker, .offered, now: now)
            deadlines.push(OfferDeadline(at: job.offerDeadline ?? now, job: job.id, offer: job.offersMade))
        case .assigned, .arrived, .started:
            guard let worker = job.worker else { return }
            active[worker] = job.id
            registry.setEngagement(worker, .busy, now: now)
        case .completed, .cancelled, .unfilled:
            break
        }
    }

    /// Takes back the jobs a worker completed today (`completed[0]`) and on each day before
    /// (`completed[k]`: k days ago), which fairness remembers fading by `workHalfLifeDays`.
    public mutating func restoreWork(_ worker: String, completed: [Int], now: Double) {
        let retention = rules.dailyWorkRetention
        var past = 0.0
        var weight = 1.0
        for count in completed.dropFirst() {
            weight *= retention
            past += Double(count) * weight
        }
        let today = completed.first ?? 0
        spread.moved(from: workerDays[worker].map { $0.day == dayNumber(now) ? $0.jobsToday : 0 } ?? 0, to: today, day: dayNumber(now))
        workerDays[worker] = WorkerDay(day: dayNumber(now), jobsToday: today, pastWork: past, idleSince: now)
    }

    /// The work fairness weighs for a worker now: today's jobs and the fading earlier days'.
    public func work(of worker: String, now: Double) -> Double {
        guard let day = workerDays[worker] else { return 0 }
        let today = dayNumber(now)
        guard day.day != today else { return Double(day.jobsToday) + day.pastWork }
        return day.pastWork(after: today - day.day, retention: rules.dailyWorkRetention)
    }

    // MARK: - Internals

    func dayNumber(_ time: Double) -> Int { Int(((time + rules.dayOffsetSeconds) / 86_400).rounded(.down)) }

    mutating func nextSeq() -> Int64 {
        lastSeq += 1
        return lastSeq
    }

    /// Moves the job to `state` with an event, and records the change and the notice.
    mutating func transition(_ job: inout Job, to state: JobState, worker: String?, detail: EventDetail, now: Double,
                             into outcome: inout DispatchOutcome, created: Bool = false) {
        job.state = state
        job.worker = worker
        job.updatedAt = now
        let event = JobEvent(seq: nextSeq(), job: job.id, at: now, state: state, worker: worker, detail: detail)
        job.events.append(event)
        jobs[job.id] = job
        outcome.changes.append(created ? .created(job, event) : .transition(job, event))
        outcome.notices.append(.jobChanged(event, skill: job.skill, district: job.district, client: job.client,
                                           worker: state.hasWorker || state == .completed || state == .cancelled ? worker : nil))
        if !state.isOpen { close(job) }
    }

    /// A job that has ended stays in memory for a while, then only in the store.
    mutating func close(_ job: Job) {
        lastTrack[job.id] = nil
        closed.append(job.id)
        guard closed.count > Self.closedKept else { return }
        let evicted = closed.prefix(closed.count - Self.closedKept)
        for id in evicted {
            if let job = jobs[id], let ref = job.ref { refs[ClientRef(client: job.client, ref: ref)] = nil }
            jobs[id] = nil
        }
        closed.removeFirst(evicted.count)
    }

    mutating func day(of worker: String, now: Double) -> WorkerDay {
        let today = dayNumber(now)
        var day = workerDays[worker] ?? WorkerDay(day: today, jobsToday: 0, pastWork: 0, idleSince: 0)
        if day.day != today {
            day.pastWork = day.pastWork(after: today - day.day, retention: rules.dailyWorkRetention)
            day.day = today
            day.jobsToday = 0
        }
        return day
    }
}

/// When an offer runs out; `offer` tells a stale entry (the job moved on) from a live one.
struct OfferDeadline: Comparable, Sendable {
    let at: Double
    let job: Int64
    let offer: Int
    static func < (lhs: Self, rhs: Self) -> Bool { lhs.at < rhs.at || (lhs.at == rhs.at && lhs.job < rhs.job) }
}

/// When a scheduled job starts searching.
struct ScheduledStart: Comparable, Sendable {
    let at: Double
    let job: Int64
    static func < (lhs: Self, rhs: Self) -> Bool { lhs.at < rhs.at || (lhs.at == rhs.at && lhs.job < rhs.job) }
}

/// What fairness and the away rule remember of a worker.
struct WorkerDay: Sendable {
    var day: Int
    var jobsToday: Int
    /// The jobs of the days before `day`, each worth `retention^k` k days back.
    var pastWork: Double
    /// Since when the worker has had no job (0 = never had one: idle longest).
    var idleSince: Double
    var timeoutsInRow = 0

    /// What the work up to the end of `day` is worth `days` days later.
    func pastWork(after days: Int, retention: Double) -> Double {
        guard days > 0, retention > 0 else { return days > 0 ? 0 : pastWork }
        var factor = 1.0
        for _ in 0..<min(days, 400) { factor *= retention }
        return (pastWork + Double(jobsToday)) * factor
    }
}
