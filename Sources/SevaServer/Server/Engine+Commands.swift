import Foundation
import SevaCore
import SevaStore
import SevaWire

/// The commands of the registry and device verbs, on the engine's loop.
extension Engine {
    /// Runs one read's allowed commands in order, then sends their replies back.
    func run(_ work: [EngineWork], principal: Principal, batch: EngineBatch) {
        guard !rebuild.isRunning else { return rebuild.hold((work, principal, batch)) }
        timed { runBatch(work, principal: principal, batch: batch) }
    }

    private func runBatch(_ work: [EngineWork], principal: Principal, batch: EngineBatch) {
        batchTime = clock()
        defer { batchTime = nil }
        // A batch already on its way when its token was revoked or expired is refused whole.
        if let ended = sessionEnded(principal) {
            for (number, _, _) in work { batch.ticket(number)(.error(WireError(.noAuth, "\(ended); closing"), closes: true)) }
            return batch.close()
        }
        let started = LoopLoad.now
        for (index, item) in work.enumerated() {
            // A batch whose replies fill the connection's output buffer, or that has held the
            // loop for its time slice, hands the rest back: it runs again on a later turn, after
            // the other connections' work (checked every 32 commands, so a clock read is rare).
            if batch.isFull || (index & 31 == 31 && LoopLoad.now &- started > EngineTuning.batchSliceNanoseconds) {
                batch.giveBack(work[index...])
                break
            }
            run(item.command, decision: item.decision, principal: principal, reply: batch.ticket(item.number))
        }
        batch.close()
    }

    /// Runs one allowed command; `reply` is called exactly once, on `loop`.
    func run(_ command: Command, decision: Permissions.Decision, principal: Principal, reply: ReplyTicket) {
        loop.preconditionInEventLoop()
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
            endSessions(tokens.revoke(worker: id).map(TokenBook.identity), reason: "token revoked")
            commit(outcome, also: { _ = try $0.deleteWorker(id) }, success: .ok, reply: reply)
        case .workerList(let filter): reply(listWorkers(filter))
        case .tokenIssue(let grant):
            if let client = grant.client, client.hasPrefix(AccessToken.scheme) {
                return reply(.error(.badArgument("client", "names starting \(AccessToken.scheme) are kept for bookers "
                    + "that are a client of their own; choose another")))
            }
            issueToken(grant.role, grant.worker, client: grant.client, grant.label ?? "",
                       expiresAt: grant.ttlDays.map { now + $0 * 86_400 }, reply: reply)
        case .tokenRotate(let prefix): rotateToken(prefix, reply: reply)
        case .tokenRevoke(let prefix):
            let matching = tokens.entries.filter { $0.prefix.hasPrefix(prefix) }
            guard !matching.isEmpty else { return reply(.error(WireError(.notFound, "no token starts with \(prefix)"))) }
            let at = Int64(now * 1000)
            let revoked = tokens.revoke(prefix: prefix)
            // Before the OK: nothing reaches a revoked session once the revoke is acknowledged.
            endSessions(revoked.map(TokenBook.identity), reason: "token revoked")
            var json = JSONWriter()
            json.beginObject(); json.key("revoked"); json.integer(revoked.count); json.endObject()
            persist({ try $0.revokeTokens(prefix: prefix, atMs: at) }, success: .json(json), reply: reply)
        case .tokenList:
            var json = JSONWriter()
            json.beginArray()
            for entry in tokens.entries {
                json.beginObject()
                json.key("prefix"); json.string(entry.prefix)
                json.key("role"); json.string(entry.role.rawValue)
                if let worker = entry.worker { json.key("worker"); json.string(worker) }
                if let client = entry.client { json.key("client"); json.string(client) }
                json.key("label"); json.string(entry.label)
                json.key("created_at"); json.integer(Int(entry.createdAt))
                json.key("expires_at"); if let at = entry.expiresAt { json.integer(Int(at)) } else { json.null() }
                json.key("last_used_at"); if let at = entry.lastUsedAt { json.integer(Int(at)) } else { json.null() }
                json.key("expired"); json.bool(entry.isExpired(now: now))
                json.endObject()
            }
            json.endArray()
            reply(.json(json))
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
            let record = stored(profile, availability: availability)
            registry.setAvailability(id, availability, now: now)
            listen(for: id, reply: reply)
            var outcome = DispatchOutcome()
            if availability != .on {
                dispatcher.workerUnavailable(id, reason: availability == .off ? "signed off" : "on a break",
                                             registry: &registry, now: now, into: &outcome)
            }
            commit(outcome, also: { try $0.upsertWorker(record) }, success: .ok, reply: reply)
        case .near(let query): reply(near(query, principal: principal))
        case .jobNew, .jobGet, .jobCancel, .jobList, .jobStep, .watch, .unwatch, .feed, .subscribe, .unsubscribe:
            runJobCommand(command, decision: decision, principal: principal, reply: reply)
        case .stats: reply(.json(StatisticsText.json(statistics())))
        case .hello, .auth, .ping, .quit: reply(.ok)
        case .reload: reload { reply($0) }
        case .debugStall(let seconds):
            guard configuration.allowStall else { return reply(.error(WireError(.unknown, "unknown verb 'DEBUG'"))) }
            logger.warning("DEBUG STALL: holding the engine loop for \(seconds) s (debug.allow_stall)")
            reply(.ok)
            Thread.sleep(forTimeInterval: seconds)
        }
    }

    private func addWorker(_ id: String, _ fields: WorkerFields, reply: ReplyTicket) {
        guard registry.profile(id) == nil else { return reply(.error(WireError(.conflict, "worker \(id) exists; use WORKER SET"))) }
        guard case .success(let skills) = catalogue.skills(fields.skills ?? []) else {
            return reply(.error(.badArgument("skills", unknownSkill(fields.skills ?? []))))
        }
        var profile = WorkerProfile(id: id, skills: skills)
        apply(fields, to: &profile)
        let record = stored(profile, availability: .off)
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
        apply(fields, to: &profile)
        let record = stored(profile, availability: snapshot.availability)
        registry.upsert(profile, now: now)
        persist({ try $0.upsertWorker(record) }, success: .ok, reply: reply)
    }

    private func unknownSkill(_ names: [String]) -> String {
        let unknown = names.first { catalogue.skill($0) == nil } ?? ""
        return "unknown skill '\(unknown)'; the catalogue has \(catalogue.names.joined(separator: ", "))"
    }

    private func apply(_ fields: WorkerFields, to profile: inout WorkerProfile) {
        if let name = fields.name { profile.name = name }
        if let phone = fields.phone { profile.phone = phone }
        if let district = fields.district { profile.district = district }
        if let verified = fields.verified { profile.verified = verified }
        if let radius = fields.radiusKm { profile.radiusKm = radius }
    }

    private func issueToken(_ role: Role, _ worker: String?, client: String?, _ label: String, expiresAt: Double?,
                            reply: ReplyTicket, replacing old: TokenBook.Entry? = nil) {
        if let worker, registry.profile(worker) == nil { return reply(.error(WireError(.notFound, "no worker \(worker)"))) }
        let (token, entry) = TokenBook.mint(role: role, worker: worker, client: client, label: label, now: now,
                                            expiresAt: expiresAt, using: &random)
        var record = StoredToken(hash: entry.hash, prefix: entry.prefix, role: role.rawValue, worker: worker,
                                 createdMs: Int64(entry.createdAt * 1000))
        record.client = entry.client
        record.label = label
        record.expiresMs = expiresAt.map { Int64($0 * 1000) }
        let stored = record
        tokens.add(entry)
        var json = JSONWriter()
        json.beginObject()
        json.key("token"); json.string(token)
        json.key("prefix"); json.string(entry.prefix)
        json.key("role"); json.string(role.rawValue)
        if let client = entry.client { json.key("client"); json.string(client) }
        json.key("expires_at"); if let expiresAt { json.integer(Int(expiresAt)) } else { json.null() }
        var oldExpiry: Int64?
        if let old {
            let graceEnds = min(old.expiresAt ?? .infinity, now + serverLimits.tokenRotateGraceSeconds)
            let identity = TokenBook.identity(of: old)
            tokens.expire(identity, at: graceEnds)
            if events.hasSessions(identity) { sessionExpiries.schedule(identity, at: graceEnds) }
            oldExpiry = Int64(graceEnds * 1000)
            json.key("replaces"); json.string(old.prefix)
            json.key("replaced_expires_at"); json.integer(Int(graceEnds))
        }
        json.endObject()
        let oldHash = old?.hash
        let oldExpiresMs = oldExpiry
        persist({ transaction in
            try transaction.insertToken(stored)
            if let oldHash { try transaction.updateToken(hash: oldHash, expiresMs: oldExpiresMs) }
        }, success: .json(json), reply: reply)
    }

    /// TOKEN ROTATE: a new token like the old one (same role, worker, label and lifetime); the
    /// old one keeps working for `server.token_rotate_grace_s`, so devices can switch over.
    private func rotateToken(_ prefix: String, reply: ReplyTicket) {
        let matching = tokens.entries.filter { $0.prefix.hasPrefix(prefix) && !$0.isExpired(now: now) }
        guard let old = matching.first else { return reply(.error(WireError(.notFound, "no live token starts with \(prefix)"))) }
        guard matching.count == 1 else {
            return reply(.error(.badArgument("prefix", "\(matching.count) tokens start with \(prefix); give more of it")))
        }
        let lifetime = old.expiresAt.map { $0 - old.createdAt }
        issueToken(old.role, old.worker, client: old.client, old.label, expiresAt: lifetime.map { now + $0 }, reply: reply,
                   replacing: old)
    }

    private func listWorkers(_ filter: WorkerFilter) -> Reply {
        let skill = filter.skill.flatMap { catalogue.skill($0) }
        if filter.skill != nil && skill == nil { return .error(.badArgument("skill", unknownSkill([filter.skill!]))) }
        let district = filter.district
        let status = filter.status
        let rows = registry.page(after: filter.after, limit: filter.limit ?? EngineTuning.defaultPageLimit, now: now) { snapshot in
            if let skill, !snapshot.profile.skills.isSuperset(of: skill) { return false }
            if let district, snapshot.profile.district != district { return false }
            if let status, snapshot.status.rawValue != status { return false }
            return true
        }
        var json = JSONWriter()
        json.beginArray()
        for snapshot in rows { WorkerJSON.write(snapshot, catalogue: catalogue, into: &json) }
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
        WorkerJSON.write(snapshot, catalogue: catalogue, into: &json)
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
        let radiusKm = query.radiusKm ?? configuration.dispatch.radiiKm.last ?? 25
        var json = JSONWriter()
        if principal.seesExactPositions {
            let rows = registry.nearest(to: query.center, skill: skill, radiusMetres: radiusKm * 1000,
                                        limit: query.limit ?? EngineTuning.defaultNearLimit, includeAll: query.includeAll, now: now)
            WorkerJSON.write(rows, into: &json)
        } else {
            let grid = PrivacyGrid(cellMetres: configuration.privacy.bookerGridMetres)
            let rows = registry.nearest(to: query.center, on: grid, skill: skill, radiusMetres: radiusKm * 1000,
                                        limit: query.limit ?? EngineTuning.defaultNearLimit, includeAll: query.includeAll, now: now)
            WorkerJSON.write(rows, into: &json)
        }
        return .json(json)
    }
}
