import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import SevaSystemd
import SevaWire

/// The daemon's listeners: one bootstrap shape for every socket (TCP or Unix, bound here or
/// passed in by systemd), with the `[server]` limits and, on Unix sockets, SO_PEERCRED admin.
enum Listeners {
    /// The per-connection limits of `[server]`, shared by every listener.
    struct Limits: Sendable {
        let connections: ConnectionTally
        let settings: LiveServerSettings
        /// Per-address limits of the TCP and TLS listeners.
        let addresses = AddressGuard()
        /// The certificate TLS listeners serve, when one is configured.
        let tls: TLSCredentials?
        /// Where connections say why sevad closed them.
        let logger: Logger

        init(_ server: Configuration.Server, logger: Logger) throws(TLSFailure) {
            self.logger = logger
            connections = ConnectionTally(limit: server.maxConnections)
            settings = LiveServerSettings(server)
            tls = try server.tlsFiles.map { files throws(TLSFailure) in try TLSCredentials(files) }
        }

        var idleTimeout: TimeAmount { .milliseconds(Int64(settings.current.idleTimeoutSeconds * 1000)) }
        var outputBytes: Int { settings.current.outputBufferBytes }
    }

    /// `tls`: wrap every connection in TLS with the credentials' context of the moment.
    static func bootstrap(_ group: MultiThreadedEventLoopGroup, engine: Engine, limits: Limits,
                          unixAdminGroup: String?, tls: TLSCredentials? = nil) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: EngineTuning.listenBacklog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                // The admin Unix socket is exempt from the per-address limits.
                let address = unixAdminGroup == nil ? channel.remoteAddress?.ipAddress : nil
                if let refusal = admit(channel, address: address, limits: limits) {
                    var bytes: [UInt8] = []
                    ReplyEncoder.error(WireError(.limit, refusal), into: &bytes)
                    return refuse(channel, bytes)
                }
                let principal = unixAdminGroup.map { PeerCredentials.principal(of: channel, adminGroup: $0) }
                    ?? channel.eventLoop.makeSucceededFuture(.anonymous)
                return principal.flatMap { principal in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context)) }
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: limits.idleTimeout))
                        try channel.pipeline.syncOperations.addHandler(ConnectionHandler(
                            engine: engine, principal: principal, limits: limits, address: address.map { ($0, limits.addresses) }))
                    }
                }
            }
    }

    /// Counts a new connection against `server.max_connections` and, from `address`, the
    /// per-address limits (both released when it closes), and sets its output's watermarks;
    /// says why when a limit refuses it.
    static func admit(_ channel: any Channel, address: String?, limits: Limits) -> String? {
        let output = limits.outputBytes
        _ = channel.setOption(.writeBufferWaterMark, value: .init(low: output / 2, high: output))
        guard limits.connections.admit() else {
            return "server.max_connections (\(limits.connections.limit)) reached; try again later"
        }
        channel.closeFuture.whenComplete { _ in limits.connections.release() }
        if let address {
            if let refusal = limits.addresses.admit(address, now: Date().timeIntervalSince1970, settings: limits.settings.current) {
                return refusal
            }
            channel.closeFuture.whenComplete { _ in limits.addresses.release(address, now: Date().timeIntervalSince1970) }
        }
        return nil
    }

    /// Writes `bytes` — why a connection over a limit is refused — and closes it.
    static func refuse(_ channel: any Channel, _ bytes: [UInt8]) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
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
                if socket.name == "http" {
                    channels.append(try httpBootstrap(configuration, group: group, engine: engine, limits: limits)
                        .withBoundSocket(socket.descriptor).wait())
                    log("adopted socket http (fd \(socket.descriptor)): the HTTP face\(configuration.http.tls ? " over TLS" : "")")
                    continue
                }
                let adminGroup: String?
                switch socket.kind {
                case .tcp(let host, let port) where socket.name == "tls":
                    guard let tls = limits.tls else {
                        throw ListenerRefusal("socket tls: TLS needs server.tls_cert and server.tls_key (PEM files)")
                    }
                    channels.append(try bootstrap(group, engine: engine, limits: limits, unixAdminGroup: nil, tls: tls)
                        .withBoundSocket(socket.descriptor).wait())
                    log("adopted socket tls (fd \(socket.descriptor)): tls \(host.contains(":") ? "[\(host)]" : host):\(port), \(tls.summary)")
                    continue
                case .tcp(let host, let port):
                    adminGroup = nil
                    guard ProtectedMode.isLoopback(host) || configuration.server.allowPlaintextPublic else {
                        throw ListenerRefusal("socket \(socket.name): " + ProtectedMode.refusal("\(host):\(port)"))
                    }
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
        for text in configuration.server.tls {
            guard let address = ListenAddress(text), let tls = limits.tls else { continue }
            let channel = try bootstrap(group, engine: engine, limits: limits, unixAdminGroup: nil, tls: tls)
                .bind(host: address.host, port: address.port).wait()
            log("listening on tls \(describe(channel.localAddress, fallback: text)), \(tls.summary)")
            channels.append(channel)
        }
        for text in configuration.http.listen {
            guard let address = ListenAddress(text) else { continue }
            guard configuration.http.tls || ProtectedMode.isLoopback(address.host) || configuration.server.allowPlaintextPublic else {
                throw ListenerRefusal("http.listen: " + ProtectedMode.refusal(text))
            }
            let channel = try httpBootstrap(configuration, group: group, engine: engine, limits: limits)
                .bind(host: address.host, port: address.port).wait()
            log("HTTP face on \(configuration.http.tls ? "https" : "http")://\(describe(channel.localAddress, fallback: text))/v1/track")
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

    /// The HTTP face, with TLS when `http.tls` is on.
    private static func httpBootstrap(_ configuration: Configuration, group: MultiThreadedEventLoopGroup, engine: Engine,
                                      limits: Limits) throws -> ServerBootstrap {
        guard !configuration.http.tls || limits.tls != nil else {
            throw ListenerRefusal("http.tls needs server.tls_cert and server.tls_key (PEM files)")
        }
        return HTTPFace.bootstrap(group, engine: engine, settings: HTTPFace.Settings(configuration), limits: limits,
                                  tls: configuration.http.tls ? limits.tls : nil)
    }

    static func describe(_ address: SocketAddress?, fallback: String) -> String {
        guard let address, let ip = address.ipAddress, let port = address.port else { return fallback }
        return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
    }
}

/// Why a listener was not opened.
struct ListenerRefusal: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
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

