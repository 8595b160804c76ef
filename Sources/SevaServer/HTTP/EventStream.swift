import NIOCore
import NIOHTTP1
import SevaWire

/// `GET /v1/events`: the durable job feed as Server-Sent Events (DESIGN.md §10). It is the line
/// protocol's `SUBSCRIBE jobs [since=] [skill=] [district=]` on this connection, under the same
/// role table: each pushed `EVT <kind> {json}` line goes out as `id: <seq>`, `event: <kind>`,
/// `data: <json>`, so `Last-Event-ID` (or `since=`) resumes exactly after the last event seen.
/// A comment every `http.keepalive_s` keeps proxies from closing a quiet stream; a reader that
/// falls `server.output_hard_bytes` behind is closed, and resumes.
final class EventStream {
    private enum Phase {
        /// The SUBSCRIBE is on the engine: replayed events wait for its answer.
        case opening(held: [[UInt8]])
        case streaming
        case closed
    }

    private var phase = Phase.opening(held: [])
    private var keepAlive: RepeatedTask?
    private let hardLimit: Int
    private let keepAliveInterval: TimeAmount

    private init(hardLimit: Int, keepAliveInterval: TimeAmount) {
        self.hardLimit = hardLimit
        self.keepAliveInterval = keepAliveInterval
    }

    static func start(head: HTTPRequestHead, query: [(name: String, value: String)], _ exchange: HTTPExchange,
                      on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        var line = "SUBSCRIBE jobs"
        if let since = head.headers.first(name: "last-event-id") ?? query.first(where: { $0.name == "since" })?.value {
            line += " since=" + RESTRoutes.word(since)
        }
        for (name, value) in query where name == "skill" || name == "district" {
            line += " \(name)=" + RESTRoutes.word(value)
        }
        guard let command = handler.command(line, exchange, context: context),
              let token = handler.token(HTTPCredentials(headers: head.headers, query: query), exchange, context: context,
                                        hint: "a token (EventSource cannot set headers: use token=)") else { return }
        let stream = EventStream(hardLimit: handler.settings.outputHardBytes,
                                 keepAliveInterval: .milliseconds(Int64(handler.settings.keepAliveSeconds * 1_000)))
        // The plan runs once the token is judged valid, on this connection's loop.
        HTTPEngineRequest.start(token: token, exchange, on: handler, context: context, plan: { [unowned handler] _ in
            handler.events = stream
            return .success([command])
        }) { replies, handler, context in
            if let error = replies[0]?.wireError {
                handler.events = nil
                stream.phase = .closed
                return handler.respond(exchange, context, error: error, status: HTTPResponseStatus(error.code))
            }
            stream.open(exchange, on: handler, context: context)
        }
    }

    /// The SUBSCRIBE was accepted: the response's head, what was replayed meanwhile, then
    /// events as they come.
    private func open(_ exchange: HTTPExchange, on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        guard case .opening(let held) = phase else { return }
        phase = .streaming
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/event-stream; charset=utf-8")
        headers.add(name: "Cache-Control", value: "no-cache")
        headers.add(name: "X-Accel-Buffering", value: "no")
        handler.startStream(exchange, context, head: HTTPResponseHead(version: .http1_1, status: .ok, headers: headers),
                            first: Array("retry: 2000\n\n".utf8) + frames(held))
        let channel = context.channel
        let bound = NIOLoopBound((self, handler, context), eventLoop: context.eventLoop)
        keepAlive = context.eventLoop.scheduleRepeatedTask(initialDelay: keepAliveInterval, delay: keepAliveInterval) { _ in
            guard channel.isActive else { return }
            let (stream, handler, context) = bound.value
            stream.write(Array(": keep-alive\n\n".utf8), on: handler, context: context)
        }
    }

    /// Lines the engine pushed to this connection.
    func pushed(_ lines: [[UInt8]], on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        switch phase {
        case .opening(let held): phase = .opening(held: held + lines)
        case .streaming: write(frames(lines), on: handler, context: context)
        case .closed: break
        }
    }

    func close() {
        phase = .closed
        keepAlive?.cancel()
        keepAlive = nil
    }

    private func write(_ bytes: [UInt8], on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        guard !bytes.isEmpty else { return }
        handler.writeStream(context, bytes)
        guard !context.channel.isWritable else { return }
        let pending = (try? context.channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes)) ?? 0
        if pending > hardLimit {
            close()
            context.close(promise: nil)
        }
    }

    /// `EVT <kind> <json>` lines as events: `id:` the JSON's leading `seq` when it has one.
    func frames(_ lines: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for line in lines {
            guard line.starts(with: Self.evt) else { continue }
            let rest = line.dropFirst(Self.evt.count)
            let kindEnd = rest.firstIndex(of: UInt8(ascii: " ")) ?? rest.endIndex
            var json = rest[kindEnd...].dropFirst()
            while json.last == 0x0A || json.last == 0x0D { json = json.dropLast() }
            if json.starts(with: Self.seqKey) {
                let digits = json.dropFirst(Self.seqKey.count).prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
                out += Self.id + digits + [0x0A]
            }
            out += Self.event + rest[..<kindEnd] + [0x0A]
            out += Self.data + json + [0x0A, 0x0A]
        }
        return out
    }

    private static let evt = Array("EVT ".utf8)
    private static let seqKey = Array(#"{"seq":"#.utf8)
    private static let id = Array("id: ".utf8)
    private static let event = Array("event: ".utf8)
    private static let data = Array("data: ".utf8)
}
