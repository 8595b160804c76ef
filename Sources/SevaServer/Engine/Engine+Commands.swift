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
        loopLoad.recordWait(nanoseconds: LoopLoad.now &- batch.handedOverAt)
        timed(.batch) { runBatch(work, principal: principal, batch: batch) }
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
