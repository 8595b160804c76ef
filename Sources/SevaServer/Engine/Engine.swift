import Foundation
import Logging
import NIOCore
import SevaCore
import SevaStore
import SevaWire

/// The one owner of live state, confined to one event loop (`loop`): every command runs
/// there, so every command sees a consistent state and no lock guards it. State changes that
/// must survive go through the store first; the in-memory change and the reply follow the
/// commit. The loop never waits on I/O: reads go to the store's read queue (`read`), writes to
/// its writer (`commit`), and both answer back on this loop.
///
/// The state is held by parts, each owning its own, and the engine routes a decoded command to
/// the part for its verb (`Engine+Commands`); the folder says which file to open:
/// - workers and positions: `registry` (SevaCore's `WorkerRegistry`) — `Workers/`;
/// - jobs, offers and their timers: `dispatcher` (SevaCore's `Dispatcher`), `refLookups` for
///   JOB NEW's idempotency, `JobWrites` for what a step stores — `Jobs/`;
/// - tokens and the sessions on them: `tokens` (`TokenDesk`) — `Tokens/`;
/// - subscriptions, watches and pushed events: `events` (`EventHub`) — `Events/`;
/// - figures: `statistics()` over every part (`Statistic`) — `Statistics/`;
/// - how long work holds this loop: `loopLoad` — here.
///
/// `@unchecked Sendable`: all mutable state is touched only on `loop` (each entry point
/// asserts it).
final class Engine: @unchecked Sendable {
    let loop: any EventLoop
    /// The configuration in force (RELOAD replaces its live parts); on `loop` only.
    var configuration: Configuration
    /// `[server]` as it is now, read by new connections on any loop.
    let serverSettings: LiveServerSettings
    var serverLimits: Configuration.Server { serverSettings.current }
    /// Reads the configuration again from where it came (file and flags), for RELOAD.
    let reloadSource: @Sendable () -> Result<Configuration, ConfigurationLoader.Failure>
    var logger: Logger
    let catalogue: SkillCatalogue
    let store: Store
    /// Where the store's completions come back: this loop, their wait in its queue noted.
    private lazy var completions = EventLoopCompletions(loop) { [unowned self] in loopLoad.recordWait(nanoseconds: $0) }
    /// JOB NEW's refs being looked up in the store, and the bookings waiting on each.
    var refLookups = RefLookups()
    /// A rebuild from the store is on its way (after a failed commit): what must wait for it —
    /// connections' batches, and whoever asked for it — waits here, in order.
    var rebuild = RebuildWait()
    /// Set when a rebuild could not read the store (it is down or failing over): the live state
    /// may hold what was never committed, so every command but STATS is refused with this
    /// reason, and the rebuild is tried again every `store.probe_interval_s` until it reads.
    var staleState: String?
    /// How long each piece of work holds this loop.
    var loopLoad = LoopLoad()
    /// This sevad's part in an active/standby pair: a standby answers every command but STATS
    /// with `ERR UNAVAILABLE standby; the active is …` until its store takes the leadership.
    var role = StoreRole.active
    /// What to do when the store finds another sevad took the leadership (the daemon stops, so
    /// that its supervisor starts it again as a standby).
    var fenced: @Sendable (String) -> Void = { _ in }
    /// When a long batch was last logged (`noteLongHold`).
    var lastLongHoldNote: UInt64 = 0
    /// A slice of `EventHub.unlistenSome` is waiting on the loop.
    private var unlistenScheduled = false
    /// Positions the periodic snapshot has committed, for STATS: a restart is as warm as this.
    var positionsWritten = 0
    /// A periodic snapshot is under way (a chunk is with the store).
    private var snapshotRunning = false
    let clock: @Sendable () -> Double
    let startedAt: Double
    var registry: WorkerRegistry
    var dispatcher: Dispatcher
    /// PIN codes and districts to points, with `[districts]` over the gazetteer.
    var places: PlaceFinder
    var events = EventHub()
    /// Tokens and when their sessions end.
    var tokens = TokenDesk()
    var random = SystemRandomNumberGenerator()
    /// The listeners' connection counts, for STATS.
    let connections: ConnectionTally
    /// The TLS listeners' certificate, re-read on reload.
    let tls: TLSCredentials?
    /// The TCP and TLS listeners' per-address limits, for STATS and the sweep.
    let addresses: AddressGuard?

    init(loop: any EventLoop, configuration: Configuration, store: Store, state: RecoveredState,
         connections: ConnectionTally, serverSettings: LiveServerSettings, tls: TLSCredentials? = nil,
         addresses: AddressGuard? = nil,
         reloadSource: @escaping @Sendable () -> Result<Configuration, ConfigurationLoader.Failure>,
         logger: Logger,
         clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) throws {
        guard let catalogue = SkillCatalogue(configuration.skills) else { throw WireError(.internal, "bad skill catalogue") }
        self.loop = loop
        self.configuration = configuration
        self.serverSettings = serverSettings
        self.reloadSource = reloadSource
        self.logger = logger
        self.catalogue = catalogue
        self.store = store
        role = store.role
        self.connections = connections
        self.tls = tls
        self.addresses = addresses
        self.clock = clock
        startedAt = clock()
        registry = WorkerRegistry(catalogue: catalogue, rules: Self.registryRules(configuration.dispatch))
        dispatcher = Dispatcher(rules: Self.dispatchRules(configuration.dispatch, now: clock()))
        places = PlaceFinder(districts: configuration.districts, homeState: configuration.gazetteer.homeState)
        load(state)
    }

    /// Replaces all live state with what the store holds.
    func load(_ state: RecoveredState) {
        let now = clock()
        registry = WorkerRegistry(catalogue: catalogue, rules: registry.rules, workers: state.workers,
                                  positions: state.positions, now: now)
        dispatcher = Dispatcher(rules: dispatcher.rules, lastJobID: state.lastJobID, lastSeq: state.lastSeq)
        tokens = TokenDesk(TokenBook(state.tokens))
        restoreJobs(state, now: now)
    }

    /// The time now; while a batch runs, the time it started, so one batch sees one instant.
    var now: Double { batchTime ?? clock() }
    var batchTime: Double?

    /// AUTH: the principal a token stands for (its last use noted and written behind), or why
    /// not. A valid token's session is signed in on `sink`, so that revoking the token or its
    /// expiry ends it, and a worker token's connection hears its worker's offers.
    func authenticate(_ token: String, on sink: EventSink?) -> TokenBook.Verdict {
        loop.preconditionInEventLoop()
        if case .standby = role { return .unavailable(role.description) }
        let at = now
        let (verdict, touched) = tokens.authenticate(token, now: at)
        guard case .valid(let principal) = verdict, let identity = principal.token else { return verdict }
        if touched {
            commit(DispatchOutcome(), also: { try $0.updateToken(hash: identity.hash, lastUsedAt: at) },
                   success: nil, reply: nil)
        }
        if let sink {
            events.signIn(sink, token: identity)
            if let worker = principal.worker { events.listen(worker: worker, on: sink) }
            tokens.signedIn(identity)
        }
        return verdict
    }

    /// Why a token session may no longer act (revoked, expired), or nil while it may.
    func sessionEnded(_ principal: Principal) -> String? { tokens.sessionEnded(principal, now: now) }

    /// The connection closed: it hears nothing more (a gateway's long list of workers is
    /// taken out of the offer map a slice per turn of the loop).
    func forget(_ sink: EventSink) {
        if events.forget(sink) { keepUnlistening() }
    }

    /// Takes the next slice of forgotten listeners out, after whatever else the loop has
    /// waiting, until none is left.
    private func keepUnlistening() {
        guard !unlistenScheduled else { return }
        unlistenScheduled = true
        loop.execute { [self] in
            unlistenScheduled = false
            if timed(.unlisten, { events.unlistenSome() }) { keepUnlistening() }
        }
    }

    /// Ends at once every session standing on these tokens: no event reaches them from now on,
    /// and each connection gets `ERR NOAUTH <reason>` and is closed.
    func endSessions(_ tokens: [TokenIdentity], reason: String) {
        let ended = events.endSessions(tokens)
        guard !ended.isEmpty else { return }
        keepUnlistening()
        logger.notice("\(reason): ended \(ended.count) session\(ended.count == 1 ? "" : "s")")
        for sink in ended { sink.end(reason) }
    }

    /// Ends the sessions whose tokens have expired by now (the tick calls it).
    func endExpiredSessions() {
        let expired = tokens.expiredSessions(now: now) { events.hasSessions($0) }
        if !expired.isEmpty { endSessions(expired, reason: "token expired") }
    }

    /// A state change that must survive: the caller has already made it in memory (so the
    /// next command, on any connection, sees it); `record` writes it through the store and the
    /// reply goes out only after the commit. If the commit fails the reply is `ERR UNAVAILABLE`
    /// and the live state is rebuilt from what is committed (DESIGN.md §4).
    func persist(_ record: @escaping @Sendable (StoreTransaction) throws -> Void, success: Reply,
                 reply: ReplyTicket) {
        commit(DispatchOutcome(), also: record, success: success, reply: reply)
    }

    /// The same for a dispatch step: its changes (and `also`, when given) go into one commit;
    /// after it, the step's notices go out and then the reply. Nothing is told of a change
    /// that was not committed.
    func commit(_ outcome: DispatchOutcome, also extra: (@Sendable (StoreTransaction) throws -> Void)? = nil,
                success: Reply?, reply: ReplyTicket?) {
        let writes = JobWrites(outcome.changes, at: now)
        let notices = outcome.notices
        guard !writes.isEmpty || extra != nil else {
            events.deliver(notices)
            if let success { reply?(success) }
            return
        }
        let failure: (StoreError) -> Void = { [self] error in
            let message: WireError
            switch error {
            case .queueFull(let limit): message = WireError(.limit, "store queue full (\(limit)); nothing was changed")
            case .unavailable(let reason): message = WireError(.unavailable, "store cannot commit: \(reason); nothing was changed")
            default: message = WireError(.unavailable, "\(error); nothing was changed")
            }
            // The refusal goes out once the live state is the store's again, so the client's
            // next command cannot see what was refused.
            rebuildFromStore { reply?(.error(message)) }
        }
        nonisolated(unsafe) let fail = failure
        let changes = outcome.changes
        nonisolated(unsafe) let done: () -> Void = { [self] in
            logTransitions(changes)
            events.deliver(notices)
            if let success { reply?(success) }
        }
        do {
            try store.submit(on: completions, { transaction in
                try extra?(transaction)
                try writes.apply(to: transaction)
            }) { [self] result in
                timed(.commit) {
                    switch result {
                    case .success: done()
                    case .failure(let error): fail(error)
                    }
                }
            }
        } catch {
            fail(error)
        }
    }

    /// Reads the store off the loop — on the store's read queue — and runs `then` back on the
    /// loop with the result: the engine never waits on the disk.
    func read<Value: Sendable>(_ body: @escaping @Sendable (StoreReader) throws(StoreError) -> Value,
                               then: @escaping (Result<Value, StoreError>) -> Void) {
        nonisolated(unsafe) let then = then
        store.read(on: completions, body) { [self] result in timed(.read) { then(result) } }
    }

    /// Runs `body`, noting how long it held the loop.
    func timed<Value>(_ work: LoopLoad.Work, _ body: () -> Value) -> Value {
        let start = LoopLoad.now
        let cpu = LoopLoad.threadCPU
        defer { loopLoad.record(work, startedAt: start, endedAt: LoopLoad.now, cpuNanoseconds: LoopLoad.threadCPU &- cpu) }
        return body()
    }

    /// Starts the engine's periodic work on its loop: the dispatch tick with its slice of the
    /// staleness sweep (`EngineTuning.tick`), and the position snapshot every
    /// `store.position_snapshot_s`, in chunks.
    func startTimers() {
        buildRefFilter()
        loop.scheduleRepeatedTask(initialDelay: EngineTuning.tick, delay: EngineTuning.tick) { [self] _ in tick() }
        let snapshot = TimeAmount.milliseconds(Int64(configuration.store.positionSnapshotSeconds * 1000))
        loop.scheduleRepeatedTask(initialDelay: snapshot, delay: snapshot) { [self] _ in snapshotPositionsInChunks() }
    }

    /// The periodic snapshot: one chunk of the moved positions, the next once that one has
    /// committed. The store's queue so never holds more than one chunk of it, and a booking
    /// waits behind at most one chunk's transaction, not every moved position at once.
    private func snapshotPositionsInChunks() {
        guard !snapshotRunning else { return }
        snapshotRunning = timed(.snapshot) { snapshotPositions(limit: EngineTuning.snapshotChunk, paced: true) }
    }

    /// A paced chunk has committed (or failed): the round's next one, while it has some. Moves
    /// since the round began wait for the next round, or a busy hour would write forever.
    private func snapshotChunkDone(committed: Bool) {
        snapshotRunning = false
        if committed && registry.isPositionRoundOpen { snapshotPositionsInChunks() }
    }

    /// Writes up to `limit` of the positions that changed since they were last written (and,
    /// when history is kept, samples them into `location_history`); true when a write was
    /// queued. Nothing waits for it but, when `paced`, the next chunk; a failure degrades the
    /// store. At shutdown (`final`) it takes up to `store.stop_snapshot_max` of every moved position.
    @discardableResult
    func snapshotPositions(limit: Int, paced: Bool = false, final: Bool = false) -> Bool {
        loop.preconditionInEventLoop()
        let positions = registry.takeMovedPositions(limit: limit, final: final)
        guard !positions.isEmpty else { return false }
        do {
            try store.submit(on: completions, { transaction in
                try transaction.savePositions(positions)
                try transaction.appendLocationHistory(positions)
            }, completion: { [self] result in
                let committed = (try? result.get()) != nil
                if committed { positionsWritten += positions.count }
                if paced { snapshotChunkDone(committed: committed) }
            })
            return true
        } catch {
            return false
        }
    }

    /// Throws away live state and reloads what is committed — read off the loop, applied on it.
    /// Until then no batch runs and the dispatch tick waits; `then` runs once it is done.
    func rebuildFromStore(then: @escaping () -> Void) {
        loop.preconditionInEventLoop()
        guard rebuild.start(then) else { return }
        let dayStart = self.dayStart, memoryDays = dispatcher.rules.workMemoryDays
        read({ reader throws(StoreError) in try reader.loadRecoveredState(dayStart: dayStart, memoryDays: memoryDays) }) { [self] result in
            switch result {
            case .success(let state):
                load(state)
                // Once this closure (which holds the rows read) has returned, off the loop.
                loop.execute { DispatchQueue.global().async { FreedMemory.returnToSystem() } }
                if staleState != nil { logger.notice("the live state is the store's again: serving") }
                staleState = nil
            case .failure(let error):
                if staleState == nil {
                    logger.error("cannot reload the live state from the store (\(error)); refusing commands until it can")
                }
                staleState = "the live state is being reloaded from the store (\(error))"
                let retry = TimeAmount.milliseconds(Int64(configuration.store.probeIntervalSeconds * 1000))
                loop.scheduleTask(in: retry) { [self] in
                    if staleState != nil { rebuildFromStore {} }
                }
            }
            let (batches, waiters) = rebuild.finish()
            for held in batches { run(held.work, principal: held.principal, batch: held.batch) }
            for waiter in waiters { waiter() }
        }
    }
}
