import NIOCore
import NIOHTTP1
import NIOPosix
import SevaWire

/// The optional Prometheus endpoint (`metrics.listen`, or a socket systemd passes in named
/// `metrics`): `GET /metrics` answers the STATS counters and gauges in the text exposition
/// format, read on the engine's loop like STATS itself.
enum MetricsEndpoint {
    static func bootstrap(_ group: MultiThreadedEventLoopGroup, engine: Engine) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(MetricsHandler(engine: engine))
                    }
                }
            }
    }
}

/// Answers one HTTP request per connection (then closes it): `/metrics`, or 404.
final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let engine: Engine
    private var path = ""

    init(engine: Engine) { self.engine = engine }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): path = head.method == .GET ? head.uri : ""
        case .body: break
        case .end:
            guard path == "/metrics" else { return respond(context, status: .notFound, body: "only GET /metrics is served\n") }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let engine = self.engine
            engine.loop.submit { StatisticsText.prometheus(engine.statistics()) }.hop(to: context.eventLoop).whenComplete { result in
                let (handler, context) = bound.value
                switch result {
                case .success(let text): handler.respond(context, status: .ok, body: text)
                case .failure: handler.respond(context, status: .internalServerError, body: "engine unavailable\n")
                }
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, status: HTTPResponseStatus, body: String) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }
}

@available(*, unavailable)
extension MetricsHandler: Sendable {}
