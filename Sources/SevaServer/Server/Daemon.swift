import Foundation
import NIOCore
import NIOPosix
import SevaCore
import SevaStore
import SevaWire

/// The running daemon: opens and loads the store, builds the engine on one event loop, binds
/// the TCP and Unix listeners, and on SIGTERM/SIGINT closes the listeners, commits what is
/// queued and closes the store.
public final class Daemon: Sendable {
    let group: MultiThreadedEventLoopGroup
    let store: Store
    let engine: Engine
    let channels: [any Channel]
    let log: @Sendable (String) -> Void

    /// Starts everything; returns once the listeners are bound.
    /// `reload` reads the configuration again (file and flags) for SIGHUP and RELOAD; by
    /// default the configuration given is all there is.
    public init(configuration: Configuration, paths: RuntimePaths,
                reload: (@Sendable () -> Result<Configuration, ConfigurationLoader.Failure>)? = nil,
                log: @escaping @Sendable (String) -> Void) throws {
        self.log = log
        if let warning = DescriptorLimit.raise(forConnections: configuration.server.maxConnections) { log(warning) }
        try FileManager.default.createDirectory(atPath: paths.stateDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: paths.runtimeDirectory, withIntermediateDirectories: true)
        store = try Store(configuration.storeConfiguration(paths: paths)) { health in log("store \(health)") }
        let dayOffset = Double(TimeZone.current.secondsFromGMT())
        let state = try store.loadCommittedState(dayStartMs: Engine.dayStartMs(now: Date().timeIntervalSince1970,
                                                                                 offsetSeconds: dayOffset))
        group = MultiThreadedEventLoopGroup(numberOfThreads: max(2, System.coreCount))
        let limits = Limits(configuration.server)
        let fixed = configuration
        let engine = try Engine(loop: group.next(), configuration: configuration, store: store, state: state,
                                connections: limits.connections, reloadSource: reload ?? { .success(fixed) }, log: log)
        self.engine = engine
        engine.loop.execute { engine.startTimers() }
        log("loaded \(state.workers.count) workers, \(state.tokens.count) tokens, \(state.openJobs.count) open jobs")
        var channels: [any Channel] = []
        for text in configuration.server.tcp {
            guard let address = ListenAddress(text) else { continue }
            let channel = try Self.bootstrap(group, engine: engine, limits: limits, unixAdminGroup: nil)
                .bind(host: address.host, port: address.port).wait()
            log("listening on tcp \(Self.describe(channel.localAddress, fallback: text))")
            channels.append(channel)
        }
        if !configuration.server.unixSocket.isEmpty {
            let path = paths.runtime(configuration.server.unixSocket)
            let channel = try Self.bootstrap(group, engine: engine, limits: limits,
                                             unixAdminGroup: configuration.server.adminGroup)
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
            chmod(path, 0o660)
            log("listening on unix \(path)")
            channels.append(channel)
        }
        self.channels = channels
    }

    /// Blocks until SIGTERM or SIGINT, then shuts down cleanly.
    public func runUntilSignalled() {
        let done = DispatchSemaphore(value: 0)
        var sources: [any DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { done.signal() }
            source.resume()
            sources.append(source)
        }
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        let engine = self.engine
        hangup.setEventHandler { engine.loop.execute { _ = engine.reload() } }
        hangup.resume()
        sources.append(hangup)
        done.wait()
        log("stopping: closing listeners, committing what is queued")
        for channel in channels { try? channel.close().wait() }
        try? engine.loop.submit { engine.snapshotPositions() }.wait()
        store.close()
        try? group.syncShutdownGracefully()
        log("stopped")
        _ = sources
    }

    private static func describe(_ address: SocketAddress?, fallback: String) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return fallback }
        return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }

    /// The per-connection limits of `[server]`, shared by every listener.
    struct Limits: Sendable {
        let connections: ConnectionTally
        let idleTimeout: TimeAmount
        let outputBytes: Int

        init(_ server: Configuration.Server) {
            connections = ConnectionTally(limit: server.maxConnections)
            idleTimeout = .milliseconds(Int64(server.idleTimeoutSeconds * 1000))
            outputBytes = server.outputBufferBytes
        }
    }

    private static func bootstrap(_ group: MultiThreadedEventLoopGroup, engine: Engine, limits: Limits,
                                  unixAdminGroup: String?) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: limits.outputBytes / 2, high: limits.outputBytes))
            .childChannelInitializer { channel in
                guard limits.connections.admit() else { return refuse(channel, limit: limits.connections.limit) }
                channel.closeFuture.whenComplete { _ in limits.connections.release() }
                let principal = unixAdminGroup.map { PeerCredentials.principal(of: channel, adminGroup: $0) }
                    ?? channel.eventLoop.makeSucceededFuture(.anonymous)
                return principal.flatMap { principal in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: limits.idleTimeout))
                        try channel.pipeline.syncOperations.addHandler(ConnectionHandler(engine: engine, principal: principal))
                    }
                }
            }
    }

    /// Tells a connection over `server.max_connections` why, and closes it.
    private static func refuse(_ channel: any Channel, limit: Int) -> EventLoopFuture<Void> {
        var bytes: [UInt8] = []
        ReplyEncoder.error(WireError(.limit, "server.max_connections (\(limit)) reached; try again later"), into: &bytes)
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(RefusingHandler(reply: bytes))
        }
    }
}

/// Answers a connection that cannot be served with one error line, then closes it.
final class RefusingHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let reply: [UInt8]

    init(reply: [UInt8]) { self.reply = reply }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: reply.count)
        buffer.writeBytes(reply)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}

@available(*, unavailable)
extension RefusingHandler: Sendable {}

/// Who is on the other end of a Unix socket (SO_PEERCRED): root or a member of
/// `server.admin_group` is admin; anyone else must AUTH like a TCP client.
enum PeerCredentials {
    /// Linux's `struct ucred`, which Swift's Glibc module does not export.
    struct Credentials: Sendable {
        var pid: Int32
        var uid: UInt32
        var gid: UInt32
    }

    /// `SO_PEERCRED` on Linux.
    static let soPeerCredentials: Int32 = 17

    static func principal(of channel: any Channel, adminGroup: String) -> EventLoopFuture<Principal> {
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(.anonymous) }
        let future: EventLoopFuture<Credentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(soPeerCredentials))
        return future.map { credentials -> Principal in
            isAdmin(uid: credentials.uid, gid: credentials.gid, group: adminGroup) ? Principal(role: .admin) : Principal.anonymous
        }.recover { _ in Principal.anonymous }
    }

    static func isAdmin(uid: uid_t, gid: gid_t, group: String) -> Bool {
        if uid == 0 { return true }
        guard let entry = getgrnam(group) else { return false }
        if entry.pointee.gr_gid == gid { return true }
        guard let user = getpwuid(uid), let name = user.pointee.pw_name else { return false }
        var member = entry.pointee.gr_mem
        while let current = member?.pointee {
            if strcmp(current, name) == 0 { return true }
            member = member?.advanced(by: 1)
        }
        return false
    }
}
