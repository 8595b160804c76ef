import Foundation
import NIOCore
import SevaCore
import SevaWire

/// One client connection: frames its lines, parses and checks each, sends the engine's work
/// there in one hop per read (or runs it at once when this is the engine's loop), and writes
/// the replies strictly in request order — even when a later request (a PING) is answered
/// before an earlier one waiting for a commit — into one buffer per flush.
///
/// While an AUTH is being checked, later lines wait, so a pipelined `AUTH` + command is
/// judged with the new role.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let engine: Engine
    private var framer: LineFramer
    private var principal: Principal
    private var authFailures = 0
    private let maxAuthFailures: Int
    private var sequencer = ReplySequencer()
    private var waitingForAuth = false
    private var heldLines: [ArraySlice<UInt8>] = []
    private var closing = false
    /// The client closed its sending side: answer what it sent, then close.
    private var inputClosed = false
    private var pings: PingBudget
    /// `server.max_inflight`: past this many unanswered (or held) requests, reading pauses
    /// until half have been answered, so a client cannot queue unbounded work.
    private let maxInFlight: Int
    private var readingPaused = false
    /// Where the engine pushes this connection's events; made when the handler is added.
    private var sink: EventSink?
    /// The remote address and its limits (TCP and TLS; nil on the Unix socket).
    private let address: (ip: String, guard: AddressGuard)?

    init(engine: Engine, principal: Principal, address: (ip: String, guard: AddressGuard)? = nil) {
        self.engine = engine
        self.principal = principal
        self.address = address
        framer = LineFramer(maxLineBytes: engine.serverLimits.maxLineBytes)
        maxAuthFailures = engine.serverLimits.authFailures
        pings = PingBudget(perSecond: engine.serverLimits.maxPingsPerSecond)
        maxInFlight = engine.serverLimits.maxInFlight
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let sink = EventSink(context: context)
        self.sink = sink
        let engine = self.engine
        engine.loop.execute { engine.events.connect(sink) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var lines: [ArraySlice<UInt8>] = []
        for frame in framer.feed(Array(buffer.readableBytesView)) {
            switch frame {
            case .line(let line): lines.append(line)
            case .tooLong:
                process(lines, context: context)
                lines = []
                respond(sequencer.number(), .error(WireError(.tooLong, "line longer than server.max_line_bytes "
                    + "(\(framer.maxLineBytes)); closing"), closes: true), context: context)
                closing = true
            }
        }
        process(lines, context: context)
        pauseReadingIfBehind(context: context)
    }

    private var backlog: Int { sequencer.unanswered + heldLines.count }

    private func pauseReadingIfBehind(context: ChannelHandlerContext) {
        guard !readingPaused, backlog > maxInFlight else { return }
        readingPaused = true
        engine.connections.notePausedRead()
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
    }

    private func resumeReadingIfCaughtUp(context: ChannelHandlerContext) {
        guard readingPaused, !closing, backlog <= maxInFlight / 2 else { return }
        readingPaused = false
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
        context.read()
    }

    /// A client that stops reading is disconnected once its pending replies pass
    /// `server.output_buffer_bytes` (the channel's high water mark).
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if !context.channel.isWritable {
            closing = true
            context.close(promise: nil)
        }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            closing = true
            var bytes: [UInt8] = []
            ReplyEncoder.error(WireError(.limit, "idle for server.idle_timeout_s; closing"), into: &bytes)
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
            return
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            _ = framer.finish()
            inputClosed = true
            closeIfAnswered(context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func closeIfAnswered(context: ChannelHandlerContext) {
        guard inputClosed, !waitingForAuth, heldLines.isEmpty, sequencer.allAnswered else { return }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        _ = framer.finish()
        if let sink {
            let engine = self.engine
            engine.loop.execute { engine.events.forget(sink) }
        }
        context.fireChannelInactive()
    }

    /// Handles complete lines in order; the engine's share goes there in one hop.
    private func process(_ lines: [ArraySlice<UInt8>], context: ChannelHandlerContext) {
        var work: [(Int, Command, Permissions.Decision)] = []
        for (position, line) in lines.enumerated() {
            if closing { return }
            if waitingForAuth {
                heldLines += lines[position...]
                break
            }
            let number = sequencer.number()
            let command: Command
            do throws(WireError) {
                command = try CommandDecoder.decode(try RequestLine(bytes: line))
            } catch {
                respond(number, .error(error), context: context)
                continue
            }
            switch command {
            case .ping: respond(number, .ok, context: context)
            case .quit:
                closing = true
                respond(number, Reply(bytes: Reply.ok.bytes, closes: true), context: context)
            case .hello: respond(number, hello(), context: context)
            case .auth(let token):
                waitingForAuth = true
                authenticate(token, sequence: number, context: context)
            case .location where principal.role == .worker && !pings.spend():
                respond(number, .error(WireError(.limit, "more than server.max_pings_per_s "
                    + "(\(Int(pings.perSecond))) position pings a second; slow down")), context: context)
            default:
                switch Permissions.check(command, for: principal) {
                case .failure(let error): respond(number, .error(error), context: context)
                case .success(let decision): work.append((number, command, decision))
                }
            }
        }
        guard !work.isEmpty else { return }
        let batch = EngineBatch(handler: self, context: context, sink: sink ?? EventSink(context: context))
        let engine = self.engine
        let principal = self.principal
        let commands = work
        if engine.loop.inEventLoop {
            engine.run(commands, principal: principal, batch: batch)
        } else {
            engine.loop.execute { engine.run(commands, principal: principal, batch: batch) }
        }
    }

    private func authenticate(_ token: String, sequence number: Int, context: ChannelHandlerContext) {
        if let address, let wait = address.guard.authWait(address.ip, now: Date().timeIntervalSince1970) {
            // Refused unseen; it counts toward the connection's server.auth_failures all the same.
            waitingForAuth = false
            refuseAuth(number, .limit, "too many failed AUTHs from \(address.ip); try again in \(Int(wait.rounded(.up))) s",
                       context: context)
            return resumeAfterAuth(context: context)
        }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let home = context.eventLoop
        let engine = self.engine
        let sink = self.sink
        engine.loop.execute {
            let verdict = engine.authenticate(token)
            if case .valid(let found) = verdict, let worker = found.worker, let sink { engine.events.listen(worker: worker, on: sink) }
            home.execute { handler.value.authenticated(verdict, sequence: number, context: bound.value) }
        }
    }

    private func authenticated(_ verdict: TokenBook.Verdict, sequence number: Int, context: ChannelHandlerContext) {
        let found: Principal? = if case .valid(let principal) = verdict { principal } else { nil }
        waitingForAuth = false
        if let address {
            if found == nil {
                address.guard.authFailed(address.ip, now: Date().timeIntervalSince1970, settings: engine.serverSettings.current)
            } else {
                address.guard.authSucceeded(address.ip)
            }
        }
        if let found {
            principal = found
            var json = JSONWriter()
            json.beginObject()
            json.key("role"); json.string(found.role?.rawValue ?? "")
            json.key("worker"); if let worker = found.worker { json.string(worker) } else { json.null() }
            json.endObject()
            respond(number, .json(json), context: context)
        } else {
            refuseAuth(number, .denied, verdict == .expired ? "token expired" : "invalid token", context: context)
        }
        resumeAfterAuth(context: context)
    }

    /// A refused AUTH: counted toward `server.auth_failures`; the last one closes.
    private func refuseAuth(_ number: Int, _ code: ErrorCode, _ reason: String, context: ChannelHandlerContext) {
        authFailures += 1
        let last = authFailures >= maxAuthFailures
        if last { closing = true }
        respond(number, .error(WireError(code, last ? "\(reason); too many failures, closing" : reason), closes: last),
                context: context)
    }

    /// Runs the lines that waited for the AUTH, now judged with its outcome.
    private func resumeAfterAuth(context: ChannelHandlerContext) {
        let held = heldLines
        heldLines = []
        process(held, context: context)
        pauseReadingIfBehind(context: context)
    }

    private func hello() -> Reply {
        var json = JSONWriter()
        json.beginObject()
        json.key("server"); json.string("sevad")
        json.key("version"); json.string(ProtocolVersion.release)
        json.key("proto"); json.integer(ProtocolVersion.current)
        json.key("role"); if let role = principal.role { json.string(role.rawValue) } else { json.null() }
        json.endObject()
        return .json(json)
    }

    /// Records a reply and writes every reply that is now next in order.
    private func respond(_ number: Int, _ reply: Reply, context: ChannelHandlerContext) {
        respond([(number, reply)], context: context)
    }

    /// Records replies and writes every reply that is now next in order, in one buffer with
    /// one flush.
    func respond(_ replies: [(Int, Reply)], context: ChannelHandlerContext) {
        var buffer: ByteBuffer?
        var closesAfter = false
        for (number, reply) in replies where !closesAfter {
            sequencer.arrived(number, reply) { due in
                guard !closesAfter else { return }
                if buffer == nil { buffer = context.channel.allocator.buffer(capacity: max(256, due.bytes.count * replies.count)) }
                buffer!.writeBytes(due.bytes)
                closesAfter = due.closes
            }
        }
        if let buffer {
            if closesAfter {
                sequencer.discard()
                let channel = context.channel
                context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
                return
            }
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
        resumeReadingIfCaughtUp(context: context)
        closeIfAnswered(context: context)
    }
}

@available(*, unavailable)
extension ConnectionHandler: Sendable {}

