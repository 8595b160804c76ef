import SevaClient
import SevaCore
import SevaWire

/// The workers' side: shifts, pings, breaks, answering offers, riding to jobs and doing them.
extension Simulation {
    /// Real seconds for `minutes` of simulated time.
    func realSeconds(minutes: Double) -> Double { minutes * 60 / scenario.timeScale }

    func device(_ index: Int, _ verb: String, _ rest: String, kind: RequestKind, then handler: SimLink.ReplyHandler? = nil) {
        guard !halted else { return }
        deviceLink[index].send("\(verb) \(devicePrefix[index])\(rest)", kind: kind, now: reactor.now, then: handler)
    }

    func startShift(_ index: Int) {
        let joins = agents[index].plan.joinsAt
        reactor.at(origin + joins) { [unowned self] in
            agents[index].become(.idle, at: reactor.now)
            ping(index)
            device(index, "AVAIL", "on", kind: .avail)
            reactor.after(agents[index].random.uniform(0.2...3)) { [unowned self] in pingLoop(index) }
            scheduleBreak(index)
        }
    }

    private func pingLoop(_ index: Int) {
        ping(index)
        wander(index)
        reactor.after(agents[index].random.uniform(2.5...3.5)) { [unowned self] in pingLoop(index) }
    }

    func ping(_ index: Int) {
        let fix = agents[index].fix(at: reactor.now)
        let ts = JSONWriter.decimal(Reactor.unixTime(), places: 3)
        device(index, "LOC", "\(JSONWriter.decimal(fix.point.latitude)) \(JSONWriter.decimal(fix.point.longitude)) acc=\(fix.accuracy) ts=\(ts)",
               kind: .loc)
        pingsSent += 1
    }

    /// An idle worker now and then walks somewhere near home (to the market, for tea).
    private func wander(_ index: Int) {
        let now = reactor.now
        guard agents[index].activity == .idle, now >= agents[index].route.arrives, agents[index].random.chance(0.15) else { return }
        let here = agents[index].route.position(at: now)
        let spot = GeoMath.destination(from: agents[index].plan.home, metres: agents[index].random.uniform(0...400),
                                       bearingDegrees: agents[index].random.uniform(0...360))
        agents[index].route = .ride(from: here, to: spot, metresPerSecond: Scenario.walkKmh / 3.6 * scenario.timeScale,
                                    departing: now, northFirst: agents[index].random.chance(0.5))
    }

    private func scheduleBreak(_ index: Int) {
        let gap = agents[index].random.exponential(mean: realSeconds(minutes: 150))
        reactor.after(gap) { [unowned self] in
            if agents[index].activity == .idle { takeBreak(index) } else { agents[index].breakWanted = true }
            scheduleBreak(index)
        }
    }

    private func takeBreak(_ index: Int) {
        agents[index].breakWanted = false
        agents[index].become(.onBreak, at: reactor.now)
        device(index, "AVAIL", "break", kind: .avail)
        reactor.after(realSeconds(minutes: agents[index].random.uniform(10...25))) { [unowned self] in
            guard agents[index].activity == .onBreak else { return }
            agents[index].become(.idle, at: reactor.now)
            device(index, "AVAIL", "on", kind: .avail)
        }
    }

    /// `EVT offer` / `EVT offer_withdrawn` on a phone's or a gateway's connection.
    func deviceEvent(_ topic: Substring, _ json: String, worker: Int?) {
        guard let job = JSONField.value(json, "job").flatMap({ Int64($0) }),
              let index = worker ?? JSONField.value(json, "worker").flatMap({ agentIndex[$0] }) else { return }
        switch topic {
        case "offer":
            ledger[job].offers += 1
            guard agents[index].activity == .idle, !agents[index].plan.unreliable,
                  let lat = JSONField.value(json, "lat").flatMap(Double.init),
                  let lon = JSONField.value(json, "lon").flatMap(Double.init),
                  let point = try? GeoPoint(latitude: lat, longitude: lon) else { return }
            let metres = JSONField.value(json, "dist_m").flatMap(Double.init) ?? 0
            agents[index].become(.considering(job), at: reactor.now)
            agents[index].offerMetres = metres
            let declines = agents[index].random.chance(agents[index].plan.declineShare + (metres > 4_000 ? 0.25 : 0))
            let delay = agents[index].random.uniform(Scenario.answerSeconds)
            reactor.after(delay) { [unowned self] in answer(index, job: job, at: point, accepting: !declines) }
        case "offer_withdrawn":
            if agents[index].activity == .considering(job) { agents[index].become(.idle, at: reactor.now) }
        default:
            break
        }
    }

    private func answer(_ index: Int, job: Int64, at point: GeoPoint, accepting: Bool) {
        guard agents[index].activity == .considering(job) else { return }
        guard accepting else {
            device(index, "DECLINE", "\(job) reason=\"too far\"", kind: .answer) { [unowned self] _ in
                if agents[index].activity == .considering(job) { agents[index].become(.idle, at: reactor.now) }
            }
            return
        }
        device(index, "ACCEPT", "\(job)", kind: .answer) { [unowned self] reply in
            guard agents[index].activity == .considering(job) else { return }
            guard reply.hasPrefix("OK") else {
                agents[index].become(.idle, at: reactor.now)
                return
            }
            let now = reactor.now
            let here = agents[index].route.position(at: now)
            agents[index].jobsAssigned += 1
            ledger[job].pickupMetres = agents[index].offerMetres
            ledger[job].workerPosition = here
            agents[index].become(.riding(job), at: now)
            agents[index].route = .ride(from: here, to: point, metresPerSecond: Scenario.rideKmh / 3.6 * scenario.timeScale,
                                        departing: now, northFirst: agents[index].random.chance(0.5))
            reactor.at(agents[index].route.arrives) { [unowned self] in arrive(index, job: job) }
        }
    }

    /// At the door: a fix there (the daemon's geofence marks the job arrived), then START.
    private func arrive(_ index: Int, job: Int64) {
        guard agents[index].activity == .riding(job) else { return }
        agents[index].become(.onSite(job), at: reactor.now)
        ping(index)
        reactor.after(agents[index].random.uniform(0.5...1.5)) { [unowned self] in start(index, job: job, retry: true) }
    }

    private func start(_ index: Int, job: Int64, retry: Bool) {
        guard agents[index].activity == .onSite(job) else { return }
        device(index, "START", "\(job)", kind: .step) { [unowned self] reply in
            guard agents[index].activity == .onSite(job) else { return }
            if reply.hasPrefix("OK") {
                agents[index].become(.working(job), at: reactor.now)
                reactor.after(realSeconds(minutes: agents[index].random.uniform(Scenario.visitMinutes))) { [unowned self] in
                    finish(index, job: job)
                }
            } else if retry && reply.hasPrefix("ERR CONFLICT") {
                // The geofence missed (a poor or suspect fix): say so by hand, then start.
                device(index, "ARRIVED", "\(job)", kind: .step)
                start(index, job: job, retry: false)
            } else {
                agents[index].become(.idle, at: reactor.now)
            }
        }
    }

    private func finish(_ index: Int, job: Int64) {
        guard agents[index].activity == .working(job) else { return }
        device(index, "DONE", "\(job)", kind: .step) { [unowned self] reply in
            guard agents[index].activity == .working(job) else { return }
            if reply.hasPrefix("OK") { agents[index].jobsCompleted += 1 }
            agents[index].become(.idle, at: reactor.now)
            if agents[index].breakWanted { takeBreak(index) }
        }
    }

    /// `EVT job` on the subscription: the ledger follows; a worker whose job was cancelled
    /// goes back to waiting.
    func jobEvent(_ topic: Substring, _ json: String) {
        guard topic == "job", let job = JSONField.value(json, "job").flatMap({ Int64($0) }),
              let state = JSONField.value(json, "state") else { return }
        let worker = JSONField.value(json, "worker")
        if let seq = JSONField.value(json, "seq").flatMap({ Int64($0) }) { lastSeq = max(lastSeq, seq) }
        ledger.observe(job: job, state: state, worker: worker == "null" ? nil : worker, at: reactor.now)
        if state == "cancelled", let id = ledger[job].worker, let index = agentIndex[id], agents[index].activity.job == job {
            agents[index].become(.idle, at: reactor.now)
            agents[index].route = .still(at: agents[index].route.position(at: reactor.now), since: reactor.now)
        }
    }
}
