/// Matching: the search through widening radii, the policy's choice, offers and assignment.
extension Dispatcher {
    /// Candidates recorded in the job's history per decision.
    static let candidatesRecorded = 5

    /// Finds the job a worker: offers it (or, in auto mode, assigns it) to the policy's choice
    /// among the nearest untried candidates of the smallest radius that has any; `unfilled`
    /// after `max_offers` offers or when even the widest radius has none.
    mutating func search(_ id: Int64, registry: inout WorkerRegistry, now: Double, into outcome: inout DispatchOutcome) {
        guard var job = jobs[id], job.state == .searching else { return }
        if job.offersMade >= rules.maxOffers {
            return unfilled(&job, reason: "max_offers (\(rules.maxOffers)) offers made", now: now, into: &outcome)
        }
        let tried = Set(job.tried)
        for radiusKm in rules.radiiKm {
            var candidates = untried(near: job, within: radiusKm * 1000, excluding: tried, registry: &registry, now: now)
            guard let nearest = candidates.first else { continue }
            // A policy that reaches past this radius takes in the candidates out there too, so
            // that a job near the edge of a ring is not given to the nearest by default.
            let reach = min(rules.policy.reach(from: nearest), (rules.radiiKm.last ?? radiusKm) * 1000)
            if reach > radiusKm * 1000 {
                candidates = untried(near: job, within: reach, excluding: tried, registry: &registry, now: now)
            }
            let decision = rules.policy.rank(Array(candidates.prefix(rules.candidatesPerSearch)))
            let chosen = decision.ranked[0]
            var detail = EventDetail()
            detail.add("policy", .text(rules.policy.name))
            detail.add("radius_km", .number(radiusKm))
            detail.add("reason", .text(decision.reason + Self.floorNote(registry.belowRatingFloor(
                near: job.point, skill: job.skillSet, radiusMetres: chosen.metres, limit: Self.candidatesRecorded, now: now))))
            detail.add("candidates", .candidates(zip(decision.ranked, decision.scores).prefix(Self.candidatesRecorded).map {
                RankedCandidate(worker: $0.worker, metres: $0.metres, score: $1, jobsToday: $0.jobsToday, work: $0.work)
            }))
            job.tried.append(chosen.worker)
            if rules.accept == .auto {
                assign(&job, to: chosen.worker, detail: detail, registry: &registry, now: now, into: &outcome)
            } else {
                offer(&job, to: chosen, detail: detail, registry: &registry, now: now, into: &outcome)
            }
            return
        }
        let widest = rules.radiiKm.last ?? 0
        let floored = registry.belowRatingFloor(near: job.point, skill: job.skillSet, radiusMetres: widest * 1000,
                                                limit: Self.candidatesRecorded, now: now)
        unfilled(&job, reason: "no available worker within \(Int(widest)) km" + Self.floorNote(floored), now: now, into: &outcome)
    }

    /// What a decision adds when the rating floor left out workers who would have been nearer.
    static func floorNote(_ workers: [String]) -> String {
        workers.isEmpty ? "" : "; below the rating floor (dispatch.min_rating), left out: " + workers.joined(separator: ", ")
    }

    /// The nearest workers who could take `job` within `metres`, nearest first, without those
    /// already tried or whose own reach is shorter.
    private mutating func untried(near job: Job, within metres: Double, excluding tried: Set<String>, registry: inout WorkerRegistry,
                         now: Double) -> [Candidate] {
        let hits = registry.nearest(to: job.point, skill: job.skillSet, radiusMetres: metres,
                                    limit: tried.count + rules.candidatesPerSearch, now: now)
        return hits.compactMap { hit -> Candidate? in
            guard !tried.contains(hit.id) else { return nil }
            if let reach = hit.reachKm, hit.metres > reach * 1000 { return nil }
            let day = day(of: hit.id, now: now)
            return Candidate(worker: hit.id, metres: hit.metres, jobsToday: day.jobsToday, pastWork: day.pastWork,
                             idleSince: day.idleSince)
        }
    }

    private mutating func offer(_ job: inout Job, to chosen: Candidate, detail: EventDetail, registry: inout WorkerRegistry,
                                now: Double, into outcome: inout DispatchOutcome) {
        job.offersMade += 1
        job.offerDeadline = now + rules.offerTimeoutSeconds
        offers[chosen.worker] = job.id
        registry.setEngagement(chosen.worker, .offered, now: now)
        deadlines.push(OfferDeadline(at: now + rules.offerTimeoutSeconds, job: job.id, offer: job.offersMade))
        counters.offersSent += 1
        transition(&job, to: .offered, worker: chosen.worker, detail: detail, now: now, into: &outcome)
        outcome.notices.append(.offer(worker: chosen.worker, job: job, metres: chosen.metres,
                                      expiresInSeconds: rules.offerTimeoutSeconds))
    }

    mutating func assign(_ job: inout Job, to worker: String, detail: EventDetail, registry: inout WorkerRegistry,
                         now: Double, into outcome: inout DispatchOutcome) {
        job.offerDeadline = nil
        active[worker] = job.id
        registry.setEngagement(worker, .busy, now: now)
        counters.noteAssigned(after: now - max(job.createdAt, (job.scheduledAt ?? 0) - rules.leadSeconds))
        transition(&job, to: .assigned, worker: worker, detail: detail, now: now, into: &outcome)
    }

    private mutating func unfilled(_ job: inout Job, reason: String, now: Double, into outcome: inout DispatchOutcome) {
        job.offerDeadline = nil
        counters.unfilledBySkill[job.skill, default: 0] += 1
        counters.unfilledByDistrict[job.district, default: 0] += 1
        transition(&job, to: .unfilled, worker: nil, detail: EventDetail().adding("reason", .text(reason)), now: now,
                   into: &outcome)
    }

    /// Puts an offered job back to searching (declined, expired, withdrawn) and searches on.
    mutating func cascade(_ id: Int64, detail: EventDetail, registry: inout WorkerRegistry, now: Double,
                          into outcome: inout DispatchOutcome) {
        guard var job = jobs[id] else { return }
        job.offerDeadline = nil
        transition(&job, to: .searching, worker: nil, detail: detail, now: now, into: &outcome)
        search(id, registry: &registry, now: now, into: &outcome)
    }
}
