import Foundation
import NIOCore
import NIOPosix
import SevaSystemd
import SevaWire

/// The daemon's listeners: one bootstrap shape for every socket (TCP or Unix, bound here or
/// passed in by systemd), with the `[server]` limits and, on Unix sockets, SO_PEERCRED admin.
enum Listeners {
    /// The per-connection limits of `[server]`, shared by every listener.
    struct Limits: Sendable {
        let connections: ConnectionTally
        let settings: LiveServerSettings

        init(_ server: Configuration.Server) {
            connections = ConnectionTally(limit: server.maxConnections)
            settings = LiveServerSettings(server)
        }

        var idleTimeout: TimeAmount { .milliseconds(Int64(settings.current.idleTimeoutSeconds * 1000)) }
        var outputBytes: Int { settings.current.outputBufferBytes }
    }

    static func bootstrap(_ group: MultiThreadedEventLoopGroup, engine: Engine, limits: Limits,
                                  unixAdminGroup: String?) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                let output = limits.outputBytes
                _ = channel.setOption(.writeBufferWaterMark, value: .init(low: output / 2, high: output))
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

    /// Binds the configured addresses, or — when systemd passed sockets in — adopts every
    /// one of them instead (TCP and Unix told apart by what they are bound to).
    static func open(_ configuration: Configuration, paths: RuntimePaths, group: MultiThreadedEventLoopGroup,
                     engine: Engine, limits: Limits, inherited: [ListenSocket],
                     log: (String) -> Void) throws -> [any Channel] {
        var channels: [any Channel] = []
        if !inherited.isEmpty {
            for socket in inherited {
                if socket.name == "metrics" {
                    channels.append(try MetricsEndpoint.bootstrap(group, engine: engine).withBoundSocket(socket.descriptor).wait())
                    log("adopted socket metrics (fd \(socket.descriptor)): Prometheus text on GET /metrics")
                    continue
                }
                let adminGroup: String?
                switch socket.kind {
                case .tcp(let host, let port):
                    adminGroup = nil
                    log("adopted socket \(socket.name) (fd \(socket.descriptor)): tcp \(host.contains(":") ? "[\(host)]" : host):\(port)")
                case .unix(let path):
                    adminGroup = configuration.server.adminGroup
                    log("adopted socket \(socket.name) (fd \(socket.descriptor)): unix \(path)")
                case .other:
                    log("warning: socket \(socket.name) (fd \(socket.descriptor)) is not a stream socket; not served")
                    continue
                }
                channels.append(try bootstrap(group, engine: engine, limits: limits, unixAdminGroup: adminGroup)
                    .withBoundSocket(socket.descriptor).wait())
            }
            return channels
        }
        for text in configuration.server.tcp {
            guard let address = ListenAddress(text) else { continue }
            let channel = try bootstrap(group, engine: engine, limits: limits, unixAdminGroup: nil)
                .bind(host: address.host, port: address.port).wait()
            log("listening on tcp \(describe(channel.localAddress, fallback: text))")
            channels.append(channel)
        }
        if let address = ListenAddress(configuration.metricsListen) {
            let channel = try MetricsEndpoint.bootstrap(group, engine: engine).bind(host: address.host, port: address.port).wait()
            log("metrics on http \(describe(channel.localAddress, fallback: configuration.metricsListen))/metrics")
            channels.append(channel)
        }
        if !configuration.server.unixSocket.isEmpty {
            let path = paths.runtime(configuration.server.unixSocket)
            let channel = try bootstrap(group, engine: engine, limits: limits, unixAdminGroup: configuration.server.adminGroup)
                .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
            chmod(path, 0o660)
            log("listening on unix \(path)")
            channels.append(channel)
        }
        return channels
    }

    static func describe(_ address: SocketAddress?, fallback: String) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return fallback }
        return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
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

