import Logging
import NIOCore
import SevaCore
import SevaSystemd
import SevaWire

/// What systemd hears from the engine's own loop: the watchdog's keep-alive (so a stalled
/// engine stops it and is restarted), the STATUS line, and one journal line per job
/// transition with its fields (`JOB_ID`, `WORKER_ID`, `SKILL`, `DISTRICT`, `STATE`).
extension Engine {
    /// Pings the watchdog every `seconds` from this loop: a stuck engine stops the pings.
    func feedWatchdog(every seconds: Double, notifier: SystemdNotifier) {
        let interval = TimeAmount.milliseconds(Int64(seconds * 1000))
        notifier.watchdog()
        loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in notifier.watchdog() }
    }

    /// Sends STATUS every `seconds`, e.g. `312 workers online, 17 jobs open, 2.1k pings/s`.
    func reportStatus(every seconds: Double, notifier: SystemdNotifier) {
        let interval = TimeAmount.milliseconds(Int64(seconds * 1000))
        let last = NIOLoopBoundBox((fixes: StatusLine.acceptedFixes(statistics()), at: now), eventLoop: loop)
        loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
            let figures = statistics()
            let fixes = StatusLine.acceptedFixes(figures)
            let moment = now
            let rate = Double(fixes - last.value.fixes) / max(0.001, moment - last.value.at)
            last.value = (fixes, moment)
            notifier.status(StatusLine.render(figures, pingsPerSecond: rate))
            // A zone with summer time changes its offset twice a year.
            dispatcher.rules.dayOffsetSeconds = configuration.dispatch.dayOffsetSeconds(at: moment)
            addresses?.sweep(now: moment, settings: serverLimits)
        }
    }

    /// The one-line state of the daemon for STATUS.
    func statusLine(pingsPerSecond: Double? = nil) -> String {
        StatusLine.render(statistics(), pingsPerSecond: pingsPerSecond)
    }

    /// One info line per committed job transition, with the fields that let
    /// `journalctl -u sevad JOB_ID=42` tell the job's story (the match decision included).
    func logTransitions(_ changes: [DispatchChange]) {
        for change in changes {
            switch change {
            case .created(let job, let event), .transition(let job, let event):
                var metadata: Logger.Metadata = [
                    "job_id": "\(job.id)", "skill": "\(job.skill)", "state": "\(event.state.rawValue)",
                ]
                if !job.district.isEmpty { metadata["district"] = "\(job.district)" }
                if let worker = event.worker { metadata["worker_id"] = "\(worker)" }
                logger.info("job \(job.id) \(event.state.rawValue)\(event.worker.map { " (\($0))" } ?? ""): \(event.detail.jsonText)",
                            metadata: metadata)
            case .availability(let worker, let availability):
                logger.notice("worker \(worker) set to \(availability.rawValue) after \(dispatcher.rules.timeoutsToAway) expired offers in a row",
                              metadata: ["worker_id": "\(worker)"])
            case .rated(let event, let worker, let stars):
                logger.info("job \(event.job) rated \(stars) stars (\(worker))",
                            metadata: ["job_id": "\(event.job)", "worker_id": "\(worker)", "state": "rated"])
            }
        }
    }
}
