import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SevaWire

/// The HTTP face (`http.listen`, or a socket systemd passes in named `http`; DESIGN.md §10):
/// HTTP/1.1 with keep-alive, requests answered in order, each on its connection's own loop and
/// handed to the engine like a line-protocol batch: tracker ingest at `/v1/track` (and
/// OsmAnd's query form at `/`), the REST API (`RESTRoutes`), the event stream (`EventStream`) and
/// the operations page at `/` (`OperationsPage`).
enum HTTPFace {
    /// What one HTTP connection is held to.
    struct Settings {
        let maxBodyBytes: Int
        /// A stream of events further behind than this is closed (`server.output_hard_bytes`).
        let outputHardBytes: Int
        let keepAliveSeconds: Double

        init(_ configuration: Configuration) {
            maxBodyBytes = configuration.http.maxBodyBytes
            outputHardBytes = configuration.server.outputHardBytes
            keepAliveSeconds = configuration.http.keepAliveSeconds
        }
    }

    static func bootstrap(_ group: MultiThreadedEventLoopGroup, engine: Engine, settings: Settings,
                          tls: TLSCredentials?) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(HTTPFaceHandler(engine: engine, settings: settings))
                }
            }
    }
}

/// One HTTP connection: reads a request whole (up to `http.max_body_bytes`), routes it, and
/// writes its response; NIO's pipelining helper holds the next request until then.
final class HTTPFaceHandler: ChannelInboundHandler, EngineClient {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let engine: Engine
    let settings: HTTPFace.Settings
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    /// The engine's handle on this connection; no events are signed up for on it.
    private(set) var sink: EventSink?
    /// The request waiting for the engine's replies, if one is.
    var pending: HTTPEngineRequest?
    /// The event stream this connection has become, if it has.
    var events: EventStream?
    /// The token this connection is a session of, and whose it is.
    private var session: (token: String, principal: Principal)?

    init(engine: Engine, settings: HTTPFace.Settings) {
        self.engine = engine
        self.settings = settings
    }

    func handlerAdded(context: ChannelHandlerContext) { sink = EventSink(handler: self, context: context) }

    func channelInactive(context: ChannelHandlerContext) {
        events?.close()
        events = nil
        if let sink {
            let engine = self.engine
            engine.loop.execute { engine.events.forget(sink) }
        }
        // The sink refers back to this handler: let both go.
        sink = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            bodyTooLarge = false
        case .body(let buffer):
            guard !bodyTooLarge else { return }
            if body.count + buffer.readableBytes > settings.maxBodyBytes {
                bodyTooLarge = true
                body = []
            } else {
                body += buffer.readableBytesView
            }
        case .end:
            guard let head else { return }
            self.head = nil
            route(head, context: context)
        }
    }

    private func route(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard !bodyTooLarge else {
            return respond(context, error: WireError(.limit, "the body is longer than http.max_body_bytes (\(settings.maxBodyBytes))"),
                           status: .payloadTooLarge)
        }
        let (path, query) = FormDecoder.target(head.uri)
        // `/` takes OsmAnd's query form too: Traccar Client's default URL has no path.
        let osmAndAtRoot = path == "/" && (head.method != .GET || query.contains { $0.name == "lat" || $0.name == "id" })
        if path == "/" && !osmAndAtRoot {
            respond(context, status: .ok, contentType: "text/html; charset=utf-8", body: OperationsPage.html,
                    headers: [("Cache-Control", "no-store"), ("Content-Security-Policy", OperationsPage.policy)])
        } else if path == "/v1/events" && head.method == .GET {
            EventStream.start(head: head, query: query, on: self, context: context)
        } else if path == "/v1/track" || osmAndAtRoot {
            TrackerIngest.start(head: head, query: query, body: body, on: self, context: context)
        } else if RESTRoutes.serves(path) {
            RESTRoutes.start(head: head, path: path, query: query, body: body, on: self, context: context)
        } else {
            respond(context, error: WireError(.notFound, "nothing is served at \(path); tracker apps send to /v1/track, "
                                              + "the REST API is under /v1/ (docs/openapi.yaml)"), status: .notFound)
        }
    }

    // MARK: - Responses

    /// Writes a response with a body and a length; closes after it when the client asked to.
    func respond(_ context: ChannelHandlerContext, status: HTTPResponseStatus, contentType: String = "application/json",
                 body bytes: [UInt8], headers extra: [(String, String)] = []) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(bytes.count)")
        for (name, value) in extra { headers.add(name: name, value: value) }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// The head of a response whose body follows in pieces (an event stream).
    func writeHead(_ context: ChannelHandlerContext, _ head: HTTPResponseHead) {
        context.write(wrapOutboundOut(.head(head)), promise: nil)
    }

    /// One piece of such a body, flushed.
    func writeBody(_ context: ChannelHandlerContext, _ bytes: [UInt8]) {
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    }

    /// The command `line` stands for, read by the line protocol's decoder; nil once its
    /// refusal is answered.
    func command(_ line: String, context: ChannelHandlerContext) -> Command? {
        do {
            return try CommandDecoder.decode(try RequestLine(bytes: Array(line.utf8)[...]))
        } catch {
            respond(context, error: error, status: HTTPResponseStatus(error.code))
            return nil
        }
    }

    /// The request's token (see `HTTPCredentials`); nil once a 401 saying how to send one is answered.
    func token(_ credentials: HTTPCredentials, context: ChannelHandlerContext, hint: String) -> String? {
        guard let token = credentials.token else {
            respond(context, error: WireError(.noAuth, "send \(hint): Authorization: Bearer <token>, Basic auth with the token "
                                              + "as the password, or token= in the URL"),
                    status: .unauthorized, headers: HTTPEngineRequest.challenge)
            return nil
        }
        return token
    }

    /// `{"error": {"code": "…", "message": "…"}}` with `status`.
    func respond(_ context: ChannelHandlerContext, error: WireError, status: HTTPResponseStatus,
                 headers: [(String, String)] = []) {
        var json = JSONWriter()
        json.beginObject()
        json.key("error")
        json.beginObject()
        json.key("code"); json.string(error.code.rawValue)
        json.key("message"); json.string(error.message)
        json.endObject()
        json.endObject()
        respond(context, status: status, body: json.bytes + [0x0A], headers: headers)
    }

    // MARK: - EngineClient

    func batchFinished(_ replies: [(Int, Reply)], gaveBack: [EngineWork], context: ChannelHandlerContext) {
        pending?.answered(replies, gaveBack: gaveBack, on: self, context: context)
    }

    func respond(_ replies: [(Int, Reply)], context: ChannelHandlerContext) {
        pending?.answered(replies, gaveBack: [], on: self, context: context)
    }

    /// Whose `token` is, when this connection is already a session of it.
    func session(for token: String) -> Principal? { session?.token == token ? session?.principal : nil }

    /// The engine judged `token` valid and made this connection a session of it.
    func signedIn(token: String, as principal: Principal) { session = (token, principal) }

    /// Events go to the stream this connection has become; no other request signs up for any.
    func push(_ lines: [[UInt8]], context: ChannelHandlerContext) {
        events?.pushed(lines, on: self, context: context)
    }

    /// The token was revoked or has expired: the next request judges its token afresh, and an
    /// event stream ends (a request already on the engine finishes with what it answered).
    func endSession(_ reason: String, context: ChannelHandlerContext) {
        session = nil
        guard let events else { return }
        events.close()
        self.events = nil
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension HTTPFaceHandler: Sendable {}

extension HTTPResponseStatus {
    /// The status that says what a line-protocol error code says.
    init(_ code: ErrorCode) {
        switch code {
        case .proto, .badArgument, .unknown, .tooLong: self = .badRequest
        case .noAuth: self = .unauthorized
        case .denied: self = .forbidden
        case .notFound: self = .notFound
        case .conflict: self = .conflict
        case .limit: self = .tooManyRequests
        case .unavailable: self = .serviceUnavailable
        case .internal: self = .internalServerError
        }
    }
}
