import Foundation
import SevaCore
import SevaStore
import SevaWire

/// The worker verbs — WORKER ADD/SET/GET/DEL/LIST, LOC, AVAIL, NEAR — on the registry the
/// engine holds, with the dispatcher told when a worker moves or stops being available.
extension Engine {
    func runWorkerCommand(_ command: Command, decision: Permissions.Decision, principal: Principal, reply: ReplyTicket) {
        switch command {
        case .workerAdd(let id, let fields): addWorker(id, fields, reply: reply)
        case .workerSet(let id, let fields): setWorker(id, fields, reply: reply)
        case .workerGet(let id): reply(workerReply(id, principal: principal))
        case .workerDelete(let id):
            guard registry.profile(id) != nil else { return reply(.error(WireError(.notFound, "no worker \(id)"))) }
            if let job = dispatcher.activeJob(of: id) {
                return reply(.error(WireError(.conflict, "worker \(id) is on job \(job); cancel or finish it first")))
            }
            var outcome = DispatchOutcome()
            dispatcher.workerUnavailable(id, reason: "removed", registry: &registry, now: now, into: &outcome)
            registry.remove(id)
            endSessions(tokens.revoke(worker: id), reason: "token revoked")
            commit(outcome, also: { _ = try $0.deleteWorker(id) }, success: .ok, reply: reply)
        case .workerList(let filter): reply(listWorkers(filter))
        case .location(_, let fix):
            guard let worker = decision.worker,
                  let outcome = registry.recordFix(worker, at: fix.point, accuracyMetres: fix.accuracyMetres,
                                                   timestamp: fix.timestamp, now: now) else {
                return reply(.error(WireError(.notFound, "no worker \(decision.worker ?? "")")))
            }
            if outcome == .future, let ts = fix.timestamp {
                return reply(.error(.badArgument("ts", "ts is \(Int((ts - now).rounded())) s ahead of the server's clock "
                    + "(at most \(Int(registry.rules.maxFutureSeconds)) s allowed); set the phone's clock from the network")))
            }
            guard outcome == .accepted, dispatcher.activeJob(of: worker) != nil else { return reply(.ok) }
            var moved = DispatchOutcome()
            dispatcher.workerMoved(worker, to: fix.point, registry: &registry, now: now, into: &moved)
            commit(moved, success: .ok, reply: reply)
        case .availability(_, let availability):
            guard let id = decision.worker, let profile = registry.profile(id) else {
                return reply(.error(WireError(.notFound, "no worker \(decision.worker ?? "")")))
            }
            let record = RegisteredWorker(profile, availability: availability, updatedAt: now)
            registry.setAvailability(id, availability, now: now)
            listen(for: id, reply: reply)
            var outcome = DispatchOutcome()
            if availability != .on {
                dispatcher.workerUnavailable(id, reason: availability == .off ? "signed off" : "on a break",
                                             registry: &registry, now: now, into: &outcome)
            }
            commit(outcome, also: { try $0.upsertWorker(record) }, success: .ok, reply: reply)
        case .near(let query): reply(near(query, principal: principal))
        default: reply(.error(WireError(.internal, "not a worker verb")))
        }
    }
    private func addWorker(_ id: String, _ fields: WorkerFields, reply: ReplyTicket) {
        guard registry.profile(id) == nil else { return reply(.error(WireError(.conflict, "worker \(id) exists; use WORKER SET"))) }
        guard case .success(let skills) = catalogue.skills(fields.skills ?? []) else {
            return reply(.error(.badArgument("skills", unknownSkill(fields.skills ?? []))))
        }
        var profile = WorkerProfile(id: id, skills: skills)
        if let error = apply(fields, to: &profile) { return reply(.error(error)) }
        let record = RegisteredWorker(profile, availability: .off, updatedAt: now)
        registry.upsert(profile, now: now)
        persist({ try $0.upsertWorker(record) }, success: .ok, reply: reply)
    }

    private func setWorker(_ id: String, _ fields: WorkerFields, reply: ReplyTicket) {
        guard var profile = registry.profile(id), let snapshot = registry.snapshot(id, now: now) else {
            return reply(.error(WireError(.notFound, "no worker \(id)")))
        }
        if let names = fields.skills {
            guard case .success(let skills) = catalogue.skills(names) else {
                return reply(.error(.badArgument("skills", unknownSkill(names))))
            }
            profile.skills = skills
        }
        if let error = apply(fields, to: &profile) { return reply(.error(error)) }
        let record = RegisteredWorker(profile, availability: snapshot.availability, updatedAt: now)
        registry.upsert(profile, now: now)
        persist({ try $0.upsertWorker(record) }, success: .ok, reply: reply)
    }

    private func unknownSkill(_ names: [String]) -> String {
        let unknown = names.first { catalogue.skill($0) == nil } ?? ""
        return "unknown skill '\(unknown)'; the catalogue has \(catalogue.names.joined(separator: ", "))"
    }

    /// Changes what `fields` give; a home PIN code India Post does not have changes nothing.
    /// The district comes from the PIN code when the fields do not name one.
    private func apply(_ fields: WorkerFields, to profile: inout WorkerProfile) -> WireError? {
        if let pincode = fields.pincode {
            switch places.pincode(pincode) {
            case .success(let place):
                profile.pincode = pincode
                if fields.district == nil { profile.district = place.district.name }
            case .failure(let error): return error
            }
        }
        if let name = fields.name { profile.name = name }
        if let phone = fields.phone { profile.phone = phone }
        if let district = fields.district { profile.district = district }
        if let verified = fields.verified { profile.verified = verified }
        if let radius = fields.radiusKm { profile.radiusKm = radius }
        return nil
    }

    private func listWorkers(_ filter: WorkerFilter) -> Reply {
        let skill = filter.skill.flatMap { catalogue.skill($0) }
        if filter.skill != nil && skill == nil { return .error(.badArgument("skill", unknownSkill([filter.skill!]))) }
        let district = filter.district.map(PlaceName.key)
        let status = filter.status
        let rows = registry.page(after: filter.after, limit: filter.limit ?? EngineTuning.defaultPageLimit, now: now) { snapshot in
            if let skill, !snapshot.profile.skills.isSuperset(of: skill) { return false }
            if let district, !PlaceName.matches(snapshot.profile.district, key: district) { return false }
            if let status, snapshot.status.rawValue != status { return false }
            return true
        }
        var json = JSONWriter()
        json.beginArray()
        for snapshot in rows {
            WorkerJSON.write(snapshot, jobsToday: dispatcher.jobsToday(snapshot.profile.id, now: now), catalogue: catalogue, into: &json)
        }
        json.endArray()
        return .json(json)
    }

    /// WORKER GET. A booker may look up only the worker on one of its client's open jobs,
    /// and sees who they are and how to call them, never where they are; another worker is
    /// `NOTFOUND` to it, whether or not it exists.
    private func workerReply(_ id: String, principal: Principal) -> Reply {
        if case .client(let client) = principal.jobScope {
            guard let jobID = dispatcher.activeJob(of: id), let job = dispatcher.job(jobID), job.client == client,
                  let snapshot = registry.snapshot(id, now: now) else {
                return .error(WireError(.notFound, "no worker \(id) on an open job of yours"))
            }
            var json = JSONWriter()
            WorkerJSON.writeContact(snapshot, catalogue: catalogue, into: &json)
            return .json(json)
        }
        guard let snapshot = registry.snapshot(id, now: now) else { return .error(WireError(.notFound, "no worker \(id)")) }
        var json = JSONWriter()
        WorkerJSON.write(snapshot, jobsToday: dispatcher.jobsToday(id, now: now), catalogue: catalogue, into: &json)
        return .json(json)
    }

    /// NEAR. A booker's answer is measured from positions snapped to the privacy grid
    /// (`privacy.booker_grid_m`), so no set of probes places a worker better than its cell.
    private func near(_ query: NearQuery, principal: Principal) -> Reply {
        var skill: SkillSet?
        if let name = query.skill {
            guard let set = catalogue.skill(name) else { return .error(.badArgument("skill", unknownSkill([name]))) }
            skill = set
        }
        let centre: GeoPoint
        switch query.origin {
        case .point(let point): centre = point
        case .pincode(let pincode):
            switch places.pincode(pincode) {
            case .success(let place): centre = place.centre
            case .failure(let error): return .error(error)
            }
        }
        let radiusKm = query.radiusKm ?? configuration.dispatch.radiiKm.last ?? 25
        // The rows go back as they are; the connection's loop writes their JSON.
        guard principal.seesExactPositions else {
            let grid = PrivacyGrid(cellMetres: configuration.privacy.bookerGridMetres)
            return Reply(.coarseNearRows(registry.nearest(to: centre, on: grid, skill: skill, radiusMetres: radiusKm * 1000,
                                                          limit: query.limit ?? EngineTuning.defaultNearLimit,
                                                          includeAll: query.includeAll, now: now)))
        }
        return Reply(.nearRows(registry.nearest(to: centre, skill: skill, radiusMetres: radiusKm * 1000,
                                                limit: query.limit ?? EngineTuning.defaultNearLimit, includeAll: query.includeAll,
                                                now: now)))
    }
}
