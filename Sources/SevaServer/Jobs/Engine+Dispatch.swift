import Foundation
import SevaCore
import SevaStore
import SevaWire

/// The dispatcher inside the engine: its rules from `[dispatch]`, its jobs to and from the
/// store, and the periodic tick.
extension Engine {
    /// The dispatcher's rules from `[dispatch]`, with the day's offset of `dispatch.timezone` at `now`.
    static func dispatchRules(_ configuration: Configuration.Dispatch, now: Double) -> DispatchRules {
        var rules = DispatchRules()
        switch configuration.policy {
        case .nearest: rules.policy = NearestPolicy()
        case .nearestFair: rules.policy = NearestFairPolicy(bandRatio: configuration.fairBandRatio, bandMetres: configuration.fairBandMetres)
        case .fairShare: rules.policy = FairSharePolicy(metresPerJob: configuration.fairShareMetresPerJob)
        }
        rules.workHalfLifeDays = configuration.fairShareHalfLifeDays
        rules.accept = configuration.accept == .auto ? .auto : .offer
        rules.offerTimeoutSeconds = configuration.offerTimeoutSeconds
        rules.maxOffers = configuration.maxOffers
        rules.candidatesPerSearch = configuration.candidates
        rules.radiiKm = configuration.radiiKm
        rules.arriveRadiusMetres = configuration.arriveRadiusMetres
        rules.speedKmh = configuration.speedKmh
        rules.timeoutsToAway = configuration.timeoutsToAway
        rules.leadSeconds = configuration.leadSeconds
        rules.dayOffsetSeconds = configuration.dayOffsetSeconds(at: now)
        return rules
    }

    /// The registry's rules (who is dispatchable) from `[dispatch]`; the rest keep their defaults.
    static func registryRules(_ configuration: Configuration.Dispatch) -> RegistryRules {
        var rules = RegistryRules()
        rules.staleAfterSeconds = configuration.staleAfterSeconds
        rules.maxAccuracyMetres = configuration.maxAccuracyMetres
        rules.maxSpeedKmh = configuration.maxSpeedKmh
        rules.minRating = configuration.minRating
        rules.minRatings = configuration.minRatings
        return rules
    }

    /// The start of the local day, Unix seconds: `jobs_today` counts from it.
    static func dayStart(now: Double, offsetSeconds: Double) -> Double {
        let local = now + offsetSeconds
        return (local / 86_400).rounded(.down) * 86_400 - offsetSeconds
    }

    var dayStart: Double { Self.dayStart(now: now, offsetSeconds: dispatcher.rules.dayOffsetSeconds) }

    /// Open jobs back into the dispatcher with their histories, and today's completions. A
    /// job's skill gets its matching bits from the catalogue in force (a skill dropped from
    /// the catalogue keeps its name but matches nobody).
    func restoreJobs(_ state: RecoveredState, now: Double) {
        for var job in state.openJobs {
            job.skillSet = catalogue.skill(job.skill) ?? SkillSet()
            dispatcher.restore(job, registry: &registry, now: now)
        }
        for (worker, completed) in state.completedRecently {
            dispatcher.restoreWork(worker, completed: completed, now: now)
        }
    }

    /// Everything due: stale workers lose their offers, offers run out, scheduled jobs begin.
    func tick() {
        guard !rebuild.isRunning, staleState == nil else { return }
        timed(.tick) { runTick() }
    }

    private func runTick() {
        var outcome = DispatchOutcome()
        let moment = now
        for worker in registry.expireStale(now: moment, examining: min(registry.handleCount / EngineTuning.sweepShare + 1, EngineTuning.sweepMostPerTick),
                                                      expiring: EngineTuning.expiriesMostPerTick) {
            dispatcher.workerUnavailable(worker, reason: "offline", registry: &registry, now: moment, into: &outcome)
        }
        if let due = dispatcher.nextDue, due <= moment {
            dispatcher.tick(registry: &registry, now: moment, into: &outcome)
        }
        if !outcome.isEmpty { commit(outcome, success: nil, reply: nil) }
        endExpiredSessions()
    }
}
