import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SevaWire

/// The HTTP face (`http.listen`, or a socket systemd passes in named `http`; DESIGN.md §10):
/// HTTP/1.1 with keep-alive and pipelining, requests answered in order, each on its connection's
/// own loop and handed to the engine like a line-protocol batch: tracker ingest at `/v1/track` (and
/// OsmAnd's query form at `/`), the REST API (`RESTRoutes`), the event stream (`EventStream`) and
/// the operations page at `/` (`OperationsPage`).
enum HTTPFace {
    /// What one HTTP connection is held to.
    struct Settings {
        let maxBodyBytes: Int
        /// A stream of events further behind than this is closed (`server.output_hard_bytes`).
        let outputHardBytes: Int
        let keepAliveSeconds: Double
        /// Unanswered requests past which reading pauses (`server.max_inflight`).
        let maxInFlight: Int
        /// A worker's tracker requests a second on one connection (`server.max_pings_per_s`).
        let maxPingsPerSecond: Int

        init(_ configuration: Configuration) {
            maxBodyBytes = configuration.http.maxBodyBytes
            outputHardBytes = configuration.server.outputHardBytes
            keepAliveSeconds = configuration.http.keepAliveSeconds
            maxInFlight = configuration.server.maxInFlight
            maxPingsPerSecond = configuration.server.maxPingsPerSecond
        }
    }

    /// The line protocol's connection limits hold here too — `server.max_connections` (shared),
    /// the per-address limits — and a connection that neither reads nor writes for
    /// `server.idle_timeout_s` is closed (an event stream writes its keep-alive comments).
    static func bootstrap(_ group: MultiThreadedEventLoopGroup, engine: Engine, settings: Settings, limits: Listeners.Limits,
                          tls: TLSCredentials?) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: EngineTuning.listenBacklog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                if let refusal = Listeners.admit(channel, address: channel.remoteAddress?.ipAddress, limits: limits) {
                    return Listeners.refuse(channel, refused(refusal))
                }
                return channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context)) }
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(allTimeout: limits.idleTimeout))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: false)
                    try channel.pipeline.syncOperations.addHandler(HTTPFaceHandler(engine: engine, settings: settings))
                }
            }
    }

    /// `{"error": {"code": "…", "message": "…"}}` and a newline.
    static func errorBody(_ error: WireError) -> [UInt8] {
        var json = JSONWriter()
        json.beginObject()
        json.key("error")
        json.beginObject()
        json.key("code"); json.string(error.code.rawValue)
        json.key("message"); json.string(error.message)
        json.endObject()
        json.endObject()
        return json.bytes + [0x0A]
    }

    /// A whole `503` saying why, written before any request is read.
    static func refused(_ reason: String) -> [UInt8] {
        let body = errorBody(WireError(.limit, reason))
        return Array(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
                      + "Retry-After: 5\r\nConnection: close\r\n\r\n").utf8) + body
    }
}

/// One request on an HTTP connection: its number in the connection's order, and whether the
/// connection stays open after its response.
struct HTTPExchange {
    let number: Int
    let keepAlive: Bool
}

/// One HTTP connection: reads each request whole (up to `http.max_body_bytes`) and routes it at
/// once, so pipelined requests are on the engine together as a line-protocol read's lines are;
/// their responses go out in request order (`HTTPResponseOrder`). Reading pauses while more
/// than `server.max_inflight` are unanswered.
final class HTTPFaceHandler: ChannelInboundHandler, EventClient {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let engine: Engine
    let settings: HTTPFace.Settings
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    private var order = HTTPResponseOrder()
    private var readingPaused = false
    /// The engine's handle on this connection: its token's session, its event stream.
    private(set) var sink: EventSink?
    /// The event stream this connection has become, if it has.
    var events: EventStream?
    /// The token this connection is a session of, and whose it is.
    private var session: (token: String, principal: Principal)?
    /// A worker's tracker requests, as a line-protocol connection's LOCs are.
    private var pings: PingBudget
    /// The work of requests read in this read, handed to the engine together when it ends.
    private var readBatch: HTTPReadBatch?
    private var reading = false
    /// Responses are being written for a read or an engine batch: one flush at its end.
    private var coalescing = false
    private var needsFlush = false

    init(engine: Engine, settings: HTTPFace.Settings) {
        self.engine = engine
        self.settings = settings
        pings = PingBudget(perSecond: settings.maxPingsPerSecond, now: PingBudget.monotonicSeconds)
    }

    /// Spends one of a worker's tracker requests; false when over `server.max_pings_per_s`.
    func spendPing() -> Bool { pings.spend(now: PingBudget.monotonicSeconds) }

    func handlerAdded(context: ChannelHandlerContext) { sink = EventSink(handler: self, context: context) }

    func channelInactive(context: ChannelHandlerContext) {
        events?.close()
        events = nil
        if let sink {
            let engine = self.engine
            engine.loop.execute { engine.forget(sink) }
        }
        // The sink refers back to this handler: let both go.
        sink = nil
        context.fireChannelInactive()
    }

    /// Nothing read or written for `server.idle_timeout_s`: closed.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is IdleStateHandler.IdleStateEvent else { return context.fireUserInboundEventTriggered(event) }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        reading = true
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
            route(head, HTTPExchange(number: order.admit(), keepAlive: head.isKeepAlive), context: context)
            updateReading(context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        handRead(context)
        flushIfNeeded(context)
        context.fireChannelReadComplete()
    }

    /// Runs `body`, which writes responses, with one flush at the end for all of them.
    func writingTogether(_ context: ChannelHandlerContext, _ body: () -> Void) {
        let outer = coalescing
        coalescing = true
        body()
        coalescing = outer
        if !outer && !reading { flushIfNeeded(context) }
    }

    private func flushIfNeeded(_ context: ChannelHandlerContext) {
        guard needsFlush else { return }
        needsFlush = false
        context.flush()
    }

    /// A request's engine work: with the others of this read, or — outside a read (its token
    /// was just judged) — at once. Work of another principal starts a batch of its own.
    func enqueue(_ request: HTTPEngineRequest, work: [EngineWork], epilogue: HTTPEngineRequest.Epilogue?, as principal: Principal,
                 context: ChannelHandlerContext) {
        if let batch = readBatch, batch.principal != principal { handRead(context) }
        let batch = readBatch ?? HTTPReadBatch(principal: principal, handler: self)
        batch.add(request, work: work, epilogue: epilogue)
        readBatch = batch
        if !reading { handRead(context) }
    }

    private func handRead(_ context: ChannelHandlerContext) {
        guard let batch = readBatch else { return }
        readBatch = nil
        batch.hand(context: context)
    }

    private func route(_ head: HTTPRequestHead, _ exchange: HTTPExchange, context: ChannelHandlerContext) {
        guard !bodyTooLarge else {
            return respond(exchange, context, error: WireError(.limit, "the body is longer than http.max_body_bytes "
                                                               + "(\(settings.maxBodyBytes))"), status: .payloadTooLarge)
        }
        let (path, query) = FormDecoder.target(head.uri)
        // `/` takes OsmAnd's query form too: Traccar Client's default URL has no path.
        let osmAndAtRoot = path == "/" && (head.method != .GET || query.contains { $0.name == "lat" || $0.name == "id" })
        if path == "/" && !osmAndAtRoot {
            respond(exchange, context, status: .ok, contentType: "text/html; charset=utf-8", body: OperationsPage.html,
                    headers: [("Cache-Control", "no-store"), ("Content-Security-Policy", OperationsPage.policy)])
        } else if path == "/v1/events" && head.method == .GET {
            EventStream.start(head: head, query: query, exchange, on: self, context: context)
        } else if path == "/v1/track" || osmAndAtRoot {
            TrackerIngest.start(head: head, query: query, body: body, exchange, on: self, context: context)
        } else if RESTRoutes.serves(path) {
            RESTRoutes.start(head: head, path: path, query: query, body: body, exchange, on: self, context: context)
        } else {
            respond(exchange, context, error: WireError(.notFound, "nothing is served at \(path); tracker apps send to /v1/track, "
                                                        + "the REST API is under /v1/ (docs/openapi.yaml)"), status: .notFound)
        }
    }

    /// Reading stops while more than `server.max_inflight` requests are unanswered, until half are.
    private func updateReading(_ context: ChannelHandlerContext) {
        let limit = settings.maxInFlight
        let pause = order.unanswered > limit || (readingPaused && order.unanswered > limit / 2)
        guard pause != readingPaused else { return }
        readingPaused = pause
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: !pause)
        if !pause { context.read() }
    }

    // MARK: - Responses

    /// A response with a body and a length, written in its request's turn.
    func respond(_ exchange: HTTPExchange, _ context: ChannelHandlerContext, status: HTTPResponseStatus,
                 contentType: String = "application/json", body bytes: [UInt8], headers extra: [(String, String)] = []) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(bytes.count)")
        for (name, value) in extra { headers.add(name: name, value: value) }
        if !exchange.keepAlive { headers.add(name: "Connection", value: "close") }
        order.answer(exchange.number, HTTPResponseOrder.Response(head: HTTPResponseHead(version: .http1_1, status: status, headers: headers),
                                                                 body: bytes, closes: !exchange.keepAlive, streams: false))
        writeDue(context)
    }

    /// `{"error": {"code": "…", "message": "…"}}` with `status`.
    func respond(_ exchange: HTTPExchange, _ context: ChannelHandlerContext, error: WireError, status: HTTPResponseStatus,
                 headers: [(String, String)] = []) {
        respond(exchange, context, status: status, body: HTTPFace.errorBody(error), headers: headers)
    }

    /// The head of a response whose body follows in pieces (an event stream), with its first
    /// piece; nothing after it on this connection is answered.
    func startStream(_ exchange: HTTPExchange, _ context: ChannelHandlerContext, head: HTTPResponseHead, first bytes: [UInt8]) {
        order.answer(exchange.number, HTTPResponseOrder.Response(head: head, body: bytes, closes: false, streams: true))
        writeDue(context)
    }

    /// One more piece of the stream's body, flushed once the stream's turn has come.
    func writeStream(_ context: ChannelHandlerContext, _ bytes: [UInt8]) {
        guard order.isStreaming else { return order.appendToStream(bytes) }
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        needsFlush = true
        if !coalescing && !reading { flushIfNeeded(context) }
    }

    /// Writes every response whose turn has come; closes after one that says so.
    private func writeDue(_ context: ChannelHandlerContext) {
        var wrote = false
        while let response = order.nextDue() {
            wrote = true
            context.write(wrapOutboundOut(.head(response.head)), promise: nil)
            if !response.body.isEmpty {
                var buffer = context.channel.allocator.buffer(capacity: response.body.count)
                buffer.writeBytes(response.body)
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
            if response.streams { break }
            if response.closes {
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
                return
            }
            context.write(wrapOutboundOut(.end(nil)), promise: nil)
        }
        if wrote {
            needsFlush = true
            if !coalescing && !reading { flushIfNeeded(context) }
            updateReading(context)
        }
    }

    /// The command `line` stands for, read by the line protocol's decoder; nil once its
    /// refusal is answered.
    func command(_ line: String, _ exchange: HTTPExchange, context: ChannelHandlerContext) -> Command? {
        do {
            return try CommandDecoder.decode(try RequestLine(bytes: Array(line.utf8)[...]))
        } catch {
            respond(exchange, context, error: error, status: HTTPResponseStatus(error.code))
            return nil
        }
    }

    /// The request's token (see `HTTPCredentials`); nil once a 401 saying how to send one is answered.
    func token(_ credentials: HTTPCredentials, _ exchange: HTTPExchange, context: ChannelHandlerContext, hint: String) -> String? {
        guard let token = credentials.token else {
            respond(exchange, context, error: WireError(.noAuth, "send \(hint): Authorization: Bearer <token>, Basic auth with "
                                                        + "the token as the password, or token= in the URL"),
                    status: .unauthorized, headers: HTTPEngineRequest.challenge)
            return nil
        }
        return token
    }

    // MARK: - The token's session, the event stream

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
