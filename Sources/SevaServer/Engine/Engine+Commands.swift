import Foundation
import SevaCore
import SevaStore
import SevaWire

/// The engine's front door: a connection's batch run in order within its time slice, and each
/// command routed to the part that owns its state — workers (Engine+Workers), tokens
/// (Engine+Tokens), jobs (Engine+Jobs) — or answered here (STATS, RELOAD, PING).
extension Engine {
    /// Runs one read's allowed commands in order, then sends their replies back.
    func run(_ work: [EngineWork], principal: Principal, batch: EngineBatch) {
        guard !rebuild.isRunning else { return rebuild.hold((work, principal, batch)) }
        if case .standby = role { return answerUnavailable(work, batch: batch, reason: role.description) }
        if let staleState { return answerUnavailable(work, batch: batch, reason: staleState) }
        loopLoad.recordWait(nanoseconds: LoopLoad.now &- batch.handedOverAt)
        let started = LoopLoad.now
        let cpu = LoopLoad.threadCPU
        let slowest = timed(.batch) { runBatch(work, principal: principal, batch: batch) }
        let held = LoopLoad.now &- started
        if held > EngineTuning.longHoldNanoseconds { noteLongHold(held, cpu: LoopLoad.threadCPU &- cpu, of: work, slowest: slowest) }
    }

    /// The answer of a sevad that cannot serve: its statistics (which say why) for STATS, and
    /// `ERR UNAVAILABLE` with the reason for everything else — a standby's names where the active
    /// sevad is, so that a client moves to it.
    private func answerUnavailable(_ work: [EngineWork], batch: EngineBatch, reason: String) {
        for item in work {
            if case .stats = item.command {
                batch.ticket(item.number)(.json(StatisticsText.json(statistics())))
            } else {
                batch.ticket(item.number)(.error(WireError(.unavailable, reason)))
            }
        }
        batch.close()
    }

    /// The store's writer took the leadership (this standby becomes the active: it loads what is
    /// committed, then serves) or found it taken by another (this active was fenced off).
    func roleChanged(to newRole: StoreRole) {
        loop.preconditionInEventLoop()
        switch (role, newRole) {
        case (.standby, .active):
            role = .active
            logger.notice("took the leadership: loading what is committed, then serving")
            rebuildFromStore { [self] in
                buildRefFilter()
                logger.notice("active: \(registry.count) workers, \(dispatcher.openCounts.values.reduce(0, +)) open jobs")
            }
        case (.active, .standby):
            role = newRole
            logger.critical("fenced: \(newRole); this sevad acknowledges nothing more")
            fenced(newRole.description)
        default:
            role = newRole
        }
    }

    /// Logs a batch that held the loop past the tail goal, with the verbs it ran and its slowest
    /// command (at most once a second): what a stall in production was doing — one command
    /// taking the time, or all of them a little each (a host that took the core away).
    private func noteLongHold(_ held: UInt64, cpu: UInt64, of work: [EngineWork], slowest: SlowestCommand) {
        guard LoopLoad.now &- lastLongHoldNote > 1_000_000_000 else { return }
        lastLongHoldNote = LoopLoad.now
        var verbs: [String: Int] = [:]
        for item in work { verbs[item.command.verb, default: 0] += 1 }
        let summary = verbs.sorted { $0.value > $1.value }.prefix(4).map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        let slowestText = slowest.index < work.count ? "; slowest: command \(slowest.index + 1), \(work[slowest.index].command.verb), \(Double(slowest.nanoseconds / 10_000) / 100) ms" : ""
        logger.warning("the engine loop was held \(Double(held / 10_000) / 100) ms (\(Double(cpu / 10_000) / 100) ms of CPU) by a batch of \(work.count) commands: \(summary)\(slowestText)")
    }

    /// Runs the batch's commands in order; returns the one that took longest.
    private func runBatch(_ work: [EngineWork], principal: Principal, batch: EngineBatch) -> SlowestCommand {
        batchTime = clock()
        defer { batchTime = nil }
        var slowest = SlowestCommand()
        // A batch already on its way when its token was revoked or expired is refused whole.
        if let ended = sessionEnded(principal) {
            for (number, _, _) in work { batch.ticket(number)(.error(WireError(.noAuth, "\(ended); closing"), closes: true)) }
            batch.close()
            return slowest
        }
        let started = LoopLoad.now
        var commandStarted = started
        for (index, item) in work.enumerated() {
            // A batch whose replies fill the connection's output buffer, or that has held the
            // loop for its time slice, hands the rest back: it runs again on a later turn, after
            // the other connections' work.
            if batch.isFull || commandStarted &- started > EngineTuning.batchSliceNanoseconds {
                batch.giveBack(work[index...])
                break
            }
            run(item.command, decision: item.decision, principal: principal, reply: batch.ticket(item.number))
            let commandEnded = LoopLoad.now
            slowest.note(index: index, nanoseconds: commandEnded &- commandStarted)
            commandStarted = commandEnded
        }
        batch.close()
        return slowest
    }

    /// Runs one allowed command; `reply` is called exactly once, on `loop`.
    func run(_ command: Command, decision: Permissions.Decision, principal: Principal, reply: ReplyTicket) {
        loop.preconditionInEventLoop()
        switch command {
        case .workerAdd, .workerSet, .workerGet, .workerDelete, .workerList, .location, .availability, .near:
            runWorkerCommand(command, decision: decision, principal: principal, reply: reply)
        case .tokenIssue, .tokenRotate, .tokenRevoke, .tokenList:
            runTokenCommand(command, reply: reply)
        case .jobNew, .jobGet, .jobCancel, .jobRate, .jobList, .jobStep, .watch, .unwatch, .feed, .subscribe, .unsubscribe:
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
}
