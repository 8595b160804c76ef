import Foundation
import Logging
import NIOCore
import NIOPosix
import SevaCore
import SevaStore
import SevaSystemd
import SevaWire

/// The running daemon and its life under systemd: opens and loads the store (asking for more
/// start-up time while it loads) — or, as the standby of an active/standby pair on PostgreSQL,
/// serves its refusals until its store takes the leadership, then loads and serves — builds the engine on an event loop of its own (connections
/// are served by `server.io_threads` others), binds its listeners or
/// adopts those systemd passed in, then says READY; keeps STATUS current and the watchdog fed
/// from the engine's loop; reloads on SIGHUP; and on SIGTERM/SIGINT says STOPPING, stops
/// accepting, tells clients, commits what is queued and closes the store.
public final class Daemon: Sendable {
    /// The connections' event loops (`server.io_threads`).
    let group: MultiThreadedEventLoopGroup
    /// The engine's own thread: no connection's reads or writes wait in its queue.
    let engineThread: MultiThreadedEventLoopGroup
    let store: Store
    let engine: Engine
    let channels: [any Channel]
    let logger: Logger
    let notifier = SystemdNotifier()

    /// Starts everything; returns once the listeners are up and READY=1 is sent.
    /// `reload` reads the configuration again (file and flags) for SIGHUP and RELOAD; by
    /// default the configuration given is all there is.
    public init(configuration: Configuration, paths: RuntimePaths,
                reload: (@Sendable () -> Result<Configuration, ConfigurationLoader.Failure>)? = nil,
                logger: Logger) throws {
        self.logger = logger
        let log: @Sendable (String) -> Void = { logger.info("\($0)") }
        if let warning = DescriptorLimit.raise(forConnections: configuration.server.maxConnections) { logger.warning("\(warning)") }
        // The TLS certificate first: a daemon that cannot serve it should not touch the store.
        let limits = try Listeners.Limits(configuration.server, logger: logger)
        try FileManager.default.createDirectory(atPath: paths.stateDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: paths.runtimeDirectory, withIntermediateDirectories: true)
        let notifier = self.notifier
        guard let skills = SkillCatalogue(configuration.skills) else { throw WireError(.internal, "bad skill catalogue") }
        let roles = RoleRelay()
        store = try Store(configuration.storeConfiguration(paths: paths), skills: skills, onHealthChange: { health in
            logger.notice("store \(health)")
            notifier.status("store \(health)")
        }, onRoleChange: { roles.deliver($0) })
        let loading = StartupExtension(notifier)
        let startedAt = Date().timeIntervalSince1970
        let phases = PhaseTimer()
        let rules = Engine.dispatchRules(configuration.dispatch, now: startedAt)
        // A standby loads nothing now: what it would load is the active's to change until it
        // takes over, and then it loads afresh.
        var state = store.role == .active
            ? try store.loadCommittedState(dayStart: Engine.dayStart(now: startedAt, offsetSeconds: rules.dayOffsetSeconds),
                                           memoryDays: rules.workMemoryDays)
            : RecoveredState()
        phases.mark("store read")
        loading.finish()
        let ioThreads = configuration.server.ioThreads
        group = MultiThreadedEventLoopGroup(numberOfThreads: ioThreads > 0 ? ioThreads : System.coreCount)
        engineThread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let fixed = configuration
        let engine = try Engine(loop: engineThread.next(), configuration: configuration, store: store, state: state,
                                connections: limits.connections, serverSettings: limits.settings, tls: limits.tls,
                                addresses: limits.addresses,
                                reloadSource: reload ?? { .success(fixed) }, logger: logger)
        phases.mark("live state built")
        self.engine = engine
        engine.fenced = { reason in
            // It can commit nothing more; its supervisor starts it again, as a standby.
            notifier.stopping(status: "fenced: \(reason)")
            logger.critical("stopping: \(reason); systemd starts sevad again as a standby")
            exit(Daemon.fencedExitStatus)
        }
        roles.attach { role in engine.loop.execute { engine.roleChanged(to: role) } }
        engine.loop.execute {
            // From here on a store read on this thread is a bug (caught in debug builds and tests).
            StoreThreadGuard.forbidCallingThread()
            engine.startTimers()
        }
        let loaded = "loaded \(state.workers.count) workers, \(state.tokens.count) tokens, \(state.openJobs.count) open jobs"
        state = RecoveredState()
        FreedMemory.returnToSystem()
        phases.mark("rows freed")
        if case .standby = store.role {
            log("\(store.role): serving refusals until this sevad takes the leadership")
        } else {
            log("\(loaded) (\(phases.summary))")
        }
        channels = try Listeners.open(configuration, paths: paths, group: group, engine: engine, limits: limits,
                                      inherited: ListenSocket.inherited(), log: log)
        if let interval = notifier.watchdogInterval() {
            engine.loop.execute { engine.feedWatchdog(every: interval / 2, notifier: notifier) }
            log("watchdog: pinging every \(interval / 2) s from the engine loop")
        }
        engine.loop.execute { engine.reportStatus(every: EngineTuning.statusSeconds, notifier: notifier) }
        notifier.ready(status: try engine.loop.submit { engine.statusLine() }.wait())
    }

    /// The exit status of an active fenced off by another sevad's taking the leadership:
    /// EX_TEMPFAIL, a failure, so that `Restart=on-failure` starts it again (as a standby).
    public static let fencedExitStatus: Int32 = 75

    /// The signals sevad acts on. `blockSignals()` must run first thing in `main`, before any
    /// thread starts, so every thread inherits the mask: a signal sent at any moment after
    /// that — even while the store loads, before anyone waits for it — stays pending until
    /// `runUntilSignalled` takes it. (A handler installed later would leave a window in which
    /// SIGTERM is lost, and a stop that waits for ever.)
    static let handledSignals: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    /// Blocks `handledSignals` on the calling thread (and the threads it starts).
    public static func blockSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for number in handledSignals { sigaddset(&set, number) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Takes the blocked signals one at a time: SIGHUP reloads (on the engine's loop),
    /// SIGTERM or SIGINT shut down cleanly and return.
    public func runUntilSignalled() {
        var set = sigset_t()
        sigemptyset(&set)
        for number in Self.handledSignals { sigaddset(&set, number) }
        let engine = self.engine
        let notifier = self.notifier
        while true {
            var received: Int32 = 0
            guard sigwait(&set, &received) == 0 else { continue }
            if received == SIGHUP {
                engine.loop.execute {
                    notifier.reloading()
                    engine.reload { _ in notifier.ready(status: engine.statusLine()) }
                }
                continue
            }
            break
        }
        shutDown()
    }

    /// STOPPING=1; no new connections; `EVT shutdown` to every client; the positions
    /// snapshotted and every queued commit made; the store checkpointed and closed.
    func shutDown() {
        notifier.stopping(status: "stopping: committing what is queued")
        logger.info("stopping: closing listeners, telling clients, committing what is queued")
        let phases = PhaseTimer()
        for channel in channels { try? channel.close().wait() }
        phases.mark("listeners closed")
        let engine = self.engine
        try? engine.loop.submit {
            engine.events.broadcastShutdown()
            engine.snapshotPositions(limit: engine.configuration.store.stopSnapshotMax, final: true)
        }.wait()
        phases.mark("clients told, positions queued")
        store.close()
        phases.mark("store committed and closed")
        try? group.syncShutdownGracefully()
        try? engineThread.syncShutdownGracefully()
        logger.info("stopped (\(phases.summary))")
    }
}

/// While the store loads, asks systemd for more start-up time every few seconds, so a
/// national register loading for a minute is not killed by `TimeoutStartSec`.
/// `@unchecked Sendable`: the timer is set up and cancelled from one thread.
final class StartupExtension: @unchecked Sendable {
    private let timer: (any DispatchSourceTimer)?

    init(_ notifier: SystemdNotifier) {
        guard notifier.isSupervised else {
            timer = nil
            return
        }
        notifier.extendTimeout(seconds: 15, status: "loading the store")
        let timer = DispatchSource.makeTimerSource(queue: .global())
        timer.schedule(deadline: .now() + 5, repeating: 5)
        timer.setEventHandler { notifier.extendTimeout(seconds: 15, status: "loading the store") }
        timer.resume()
        self.timer = timer
    }

    func finish() { timer?.cancel() }
}

/// Hands the store's role changes (told on its writer thread, possibly before the engine
/// exists) to the engine once it does, in order, none lost.
final class RoleRelay: @unchecked Sendable {
    private let lock = NSLock()
    private var early: [StoreRole] = []
    private var handler: (@Sendable (StoreRole) -> Void)?

    func deliver(_ role: StoreRole) {
        lock.lock()
        guard let handler else {
            early.append(role)
            return lock.unlock()
        }
        lock.unlock()
        handler(role)
    }

    func attach(_ handler: @escaping @Sendable (StoreRole) -> Void) {
        lock.lock()
        self.handler = handler
        let waiting = early
        early = []
        lock.unlock()
        for role in waiting { handler(role) }
    }
}
