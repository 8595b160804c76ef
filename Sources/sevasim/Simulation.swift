import SevaClient
import SevaCore
import SevaWire

/// One simulation run against one sevad: registers the plan's workers, then for the scenario's
/// duration moves and pings them, answers their offers, makes the plan's bookings and follows
/// every job through `SUBSCRIBE jobs`; what it saw becomes a `RunResult`.
final class Simulation {
    let scenario: Scenario
    let plan: SimulationPlan
    let seed: UInt64
    let reactor = Reactor()
    let latencies = LatencyBook()
    var agents: [WorkerAgent]
    var ledger = JobLedger()
    /// Bookings, cancellations, registration and STATS.
    let desk: SimLink
    /// `SUBSCRIBE jobs`: every job's state changes.
    let watcher: SimLink
    /// The connection each worker's phone (or gateway) uses, and the id prefix its device
    /// commands carry (empty on a phone's own connection).
    var deviceLink: [SimLink] = []
    var devicePrefix: [String] = []
    let agentIndex: [String: Int]
    /// Reactor time at which the run (booking time 0) begins.
    var origin = 0.0
    var pingsSent = 0
    var bookingsSent = 0
    var bookingErrors: [String] = []
    var jobOfBooking: [Int: Int64] = [:]
    /// The highest event seq `SUBSCRIBE jobs` delivered.
    var lastSeq: Int64 = 0
    /// Set when the run is over: workers and customers stop acting.
    var halted = false

    private let endpoint: SevadEndpoint
    private let phones: Bool
    private let gateways: Int

    init(endpoint: SevadEndpoint, scenario: Scenario, seed: UInt64, plan: SimulationPlan, phones: Bool, gateways: Int) throws {
        self.endpoint = endpoint
        self.scenario = scenario
        self.seed = seed
        self.plan = plan
        self.phones = phones
        self.gateways = max(1, gateways)
        agents = plan.workers.map { WorkerAgent(plan: $0, seed: seed) }
        agentIndex = Dictionary(uniqueKeysWithValues: plan.workers.map { ($0.id, $0.index) })
        desk = try endpoint.link(latencies: latencies)
        watcher = try endpoint.link(latencies: latencies)
        reactor.add(desk)
        reactor.add(watcher)
    }

    /// Sends `requests` on `link` and waits for every reply; returns them in order.
    @discardableResult
    func exchange(_ requests: [String], on link: SimLink, kind: RequestKind = .other) throws -> [String] {
        var replies: [String] = []
        replies.reserveCapacity(requests.count)
        for request in requests { link.send(request, kind: kind, now: reactor.now) { replies.append($0) } }
        try reactor.run(until: reactor.now + 120) { replies.count == requests.count }
        guard replies.count == requests.count else { throw SimulationError("sevad did not answer within 120 s") }
        return replies
    }

    /// Registers the workforce, connects the phones or gateways and subscribes to jobs.
    func prepare(progress: Progress) throws {
        let stats = try exchange(["STATS"], on: desk)[0]
        guard stats.hasPrefix("OK") else {
            throw SimulationError("sevad refused STATS (\(stats)): the simulator needs an admin connection — run it as root, as the daemon's own user or as a member of server.admin_group")
        }
        progress.note("registering \(plan.workers.count) workers")
        let adds = plan.workers.map { worker in
            "WORKER ADD \(worker.id) skills=\(worker.skills.joined(separator: ",")) name=\"Sim Worker \(worker.index + 1)\" phone=+91\(9_000_000_000 + worker.index) district=\(LineArgument.quoted(scenario.district.name)) verified=\(worker.verified ? "yes" : "no")"
        }
        for (reply, worker) in zip(try exchange(adds, on: desk), plan.workers) where !reply.hasPrefix("OK") {
            guard reply.hasPrefix("ERR CONFLICT") else { throw SimulationError("WORKER ADD \(worker.id): \(reply)") }
            let set = try exchange(["WORKER SET \(worker.id) skills=\(worker.skills.joined(separator: ",")) verified=\(worker.verified ? "yes" : "no")"], on: desk)[0]
            guard set.hasPrefix("OK") else { throw SimulationError("WORKER SET \(worker.id): \(set)") }
        }
        if phones {
            let issued = try exchange(plan.workers.map { "TOKEN ISSUE worker worker=\($0.id) label=sevasim" }, on: desk)
            for (index, reply) in issued.enumerated() {
                guard let token = JSONField.value(reply, "token") else { throw SimulationError("TOKEN ISSUE: \(reply)") }
                let link = try endpoint.link(latencies: latencies)
                reactor.add(link)
                link.onEvent = { [unowned self] topic, json in self.deviceEvent(topic, json, worker: index) }
                link.send("AUTH \(token)", kind: .other, now: reactor.now)
                deviceLink.append(link)
                devicePrefix.append("")
            }
        } else {
            let links = try (0..<gateways).map { _ in try endpoint.link(latencies: latencies) }
            for link in links {
                reactor.add(link)
                link.onEvent = { [unowned self] topic, json in self.deviceEvent(topic, json, worker: nil) }
            }
            for worker in plan.workers {
                deviceLink.append(links[worker.index % links.count])
                devicePrefix.append(worker.id + " ")
            }
        }
        watcher.onEvent = { [unowned self] topic, json in self.jobEvent(topic, json) }
        let subscribed = try exchange(["SUBSCRIBE jobs"], on: watcher)[0]
        guard subscribed.hasPrefix("OK") else { throw SimulationError("SUBSCRIBE jobs: \(subscribed)") }
        try reactor.run(until: reactor.now + 30) { deviceLink.allSatisfy { $0.unanswered == 0 } }
        latencies.reset()
    }

    /// The run itself: `scenario.durationSeconds` of bookings, then up to `drainSeconds` for
    /// open jobs to settle.
    func run(policy: String, drainSeconds: Double, optimumWindows: [Double], progress: Progress) throws -> RunResult {
        origin = reactor.now
        for index in agents.indices { startShift(index) }
        for booking in plan.bookings { reactor.at(origin + booking.at) { [unowned self] in self.book(booking) } }
        let end = origin + scenario.durationSeconds
        var nextReport = origin
        func report() {
            guard reactor.now >= nextReport else { return }
            progress.update(self, elapsed: reactor.now - origin)
            nextReport += 1
        }
        try reactor.run(until: end) {
            report()
            return false
        }
        // Let what was booked settle: every booking answered, no job searching or on offer.
        try reactor.run(until: reactor.now + drainSeconds) {
            report()
            return bookingsSent == jobOfBooking.count + bookingErrors.count
                && !ledger.jobs.contains { $0.isOpen && $0.state != "scheduled" }
        }
        let finished = reactor.now
        halted = true
        for index in agents.indices { agents[index].account(until: finished) }
        let stats = try exchange(["STATS"], on: desk)[0]
        progress.finish(self, elapsed: finished - origin)
        return RunResult(simulation: self, policy: policy, elapsed: finished - origin, daemonStats: String(stats.dropFirst(3)),
                         optimumWindows: optimumWindows)
    }
}
