import Foundation
import Logging
import NIOCore
import SevaCore
import SevaWire

/// One client connection: frames its lines, parses and checks each, sends the engine's work
/// there in one hop per read (or runs it at once when this is the engine's loop), and writes
/// the replies strictly in request order — even when a later request (a PING) is answered
/// before an earlier one waiting for a commit — into one buffer per flush.
///
/// Lines wait, in order, while an AUTH is judged and while the engine holds this
/// connection's previous batch, so a pipelined `AUTH` + command is judged with the new role
/// and every command runs in the order it was sent.
///
/// Output (DESIGN.md §6): above `server.output_buffer_bytes` unsent, reading stops until half
/// of it has drained — a slow reader gets every reply, only later. The connection is closed
/// only when its client reads nothing for `server.output_stall_s`, or when events pushed to it
/// while it does not read pass `server.output_hard_bytes`.
final class ConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let engine: Engine
    /// The `[server]` limits this connection started with.
    private let settings: Configuration.Server
    private let tally: ConnectionTally
    private let logger: Logger
    private var framer: LineFramer
    private var principal: Principal
    private var authFailures = 0
    private var sequencer = ReplySequencer()
    private var heldLines: [ArraySlice<UInt8>] = []
    /// Lines are being handled: what waited runs when they are done, not in between.
    private var processing = false
    private var waitingForAuth = false
    /// A batch is on the engine and has not come back yet.
    private var engineBusy = false
    /// The principal the batch on the engine was checked for.
    private var batchPrincipal = Principal.anonymous
    /// Commands the engine handed back unrun because their replies would pass the output
    /// buffer; sent again, first, once the output has drained.
    private var givenBack: (principal: Principal, work: [EngineWork])?
    private var closing = false
    /// The session was ended (token revoked or expired): nothing more is written.
    private var ended = false
    /// The client closed its sending side: answer what it sent, then close.
    private var inputClosed = false
    private var pings: PingBudget
    private var readingPaused = false
    /// Where the engine pushes this connection's events; made when the handler is added.
    private var sink: EventSink?
    /// The remote address and its limits (TCP and TLS; nil on the Unix socket).
    private let address: (ip: String, guard: AddressGuard)?
    /// Every byte ever queued for writing (for the stall watch).
    private var queuedBytes = 0
    private var stallWatch: OutputStallWatch?
    private var stallCheck: RepeatedTask?

    init(engine: Engine, principal: Principal, limits: Listeners.Limits, address: (ip: String, guard: AddressGuard)? = nil) {
        self.engine = engine
        self.principal = principal
        self.address = address
        settings = limits.settings.current
        tally = limits.connections
        logger = limits.logger
        framer = LineFramer(maxLineBytes: settings.maxLineBytes)
        pings = PingBudget(perSecond: settings.maxPingsPerSecond)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let sink = EventSink(handler: self, context: context)
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
        updateReading(context: context)
    }

    // MARK: - Reading and holding

    private var backlog: Int { sequencer.unanswered + heldLines.count }

    /// Lines wait while an AUTH is judged, while a batch is on the engine, and while work the
    /// engine gave back waits for the output to drain.
    private var isHolding: Bool { waitingForAuth || engineBusy || givenBack != nil }

    /// Reading stops while more than `server.max_inflight` requests are unanswered (until half
    /// are) and while the output is above `server.output_buffer_bytes` (until half has drained).
    private func updateReading(context: ChannelHandlerContext) {
        let limit = settings.maxInFlight
        let behind = backlog > limit || (readingPaused && backlog > limit / 2)
        let pause = closing || behind || !context.channel.isWritable
        guard pause != readingPaused else { return }
        readingPaused = pause
        if pause && behind { tally.note(.pausedRead) }
        try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: !pause)
        if !pause { context.read() }
    }

    /// Runs what waited: work the engine gave back (once the output has drained — both what
    /// the channel holds and replies parked behind an earlier one), then the held lines.
    /// Work given back is sent on a later turn of the engine's loop, never from inside this
    /// call, so rounds of give-back cannot stack up.
    private func resumeHeld(context: ChannelHandlerContext) {
        guard !processing, !ended, context.channel.isActive else { return }
        if !waitingForAuth, !engineBusy {
            if let back = givenBack {
                // Parked replies that wait for the given-back work itself can only drain by running it.
                let drained = sequencer.parkedBytes < settings.outputBufferBytes / 2
                    || back.work.first?.number == sequencer.nextToWrite
                if context.channel.isWritable && drained {
                    givenBack = nil
                    send(back.work, principal: back.principal, context: context, inline: false)
                }
            } else if closing {
                // Nothing after a QUIT or a line too long runs.
                heldLines = []
            } else if !heldLines.isEmpty {
                let held = heldLines
                heldLines = []
                return process(held, context: context)
            }
        }
        updateReading(context: context)
        closeIfAnswered(context: context)
    }

    // MARK: - Output

    /// Above the high water mark (`server.output_buffer_bytes`) reading stops and the stall
    /// watch starts; below the low one (half of it) reading and held work resume.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            stallCheck?.cancel()
            stallCheck = nil
            stallWatch = nil
            resumeHeld(context: context)
        } else {
            tally.note(.pausedOutput)
            watchForStall(context: context)
            updateReading(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    private func bufferedBytes(_ context: ChannelHandlerContext) -> Int {
        (try? context.channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes)) ?? 0
    }

    private func watchForStall(context: ChannelHandlerContext) {
        guard stallCheck == nil else { return }
        let limit = settings.outputStallSeconds
        stallWatch = OutputStallWatch(limitSeconds: limit, buffered: bufferedBytes(context), queued: queuedBytes,
                                      now: Self.monotonicSeconds)
        let every = TimeAmount.milliseconds(Int64(max(50, min(1_000, limit * 250))))
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        stallCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: every, delay: every) { _ in
            handler.value.checkStall(context: bound.value)
        }
    }

    private func checkStall(context: ChannelHandlerContext) {
        guard var watch = stallWatch, context.channel.isActive else { return }
        let pending = bufferedBytes(context)
        let stalled = watch.hasStalled(buffered: pending, queued: queuedBytes, now: Self.monotonicSeconds)
        stallWatch = watch
        guard stalled else { return }
        tally.note(.closedStalled)
        disconnect("read nothing for server.output_stall_s (\(Self.seconds(settings.outputStallSeconds)) s) "
            + "with \(pending) bytes waiting", context: context)
    }

    /// Writes and flushes; a connection whose unsent bytes pass `server.output_hard_bytes` is
    /// closed (only pushed events can get it there: replies stop with reading).
    private func write(_ buffer: ByteBuffer, context: ChannelHandlerContext, thenClose: Bool = false) {
        queuedBytes &+= buffer.readableBytes
        if thenClose {
            // Closed once the last line is out — or, for a client that reads nothing, after
            // server.output_stall_s all the same.
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
            context.eventLoop.scheduleTask(in: .milliseconds(Int64(settings.outputStallSeconds * 1000))) {
                channel.close(promise: nil)
            }
            return
        }
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        guard !context.channel.isWritable else { return }
        let pending = bufferedBytes(context)
        if pending > settings.outputHardBytes {
            tally.note(.closedOverHardLimit)
            disconnect("\(pending) bytes waiting, past server.output_hard_bytes (\(settings.outputHardBytes)); "
                + "a subscriber can resume with SUBSCRIBE jobs since=<last seq>", context: context)
        }
    }

    /// Closes a connection sevad will not wait for any longer — also one that was closing
    /// but cannot get its last replies out — logging why once, with the peer.
    private func disconnect(_ reason: String, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        closing = true
        stallCheck?.cancel()
        stallCheck = nil
        let peer = address?.ip ?? "a Unix-socket client"
        logger.notice("closing the connection of \(peer): \(reason)", metadata: ["peer": "\(peer)"])
        context.close(promise: nil)
    }

    /// Pushed `EVT` lines, in one write.
    func push(_ lines: [[UInt8]], context: ChannelHandlerContext) {
        guard !ended, !closing, context.channel.isActive else { return }
        var buffer = context.channel.allocator.buffer(capacity: lines.reduce(0) { $0 + $1.count })
        for line in lines { buffer.writeBytes(line) }
        write(buffer, context: context)
    }

    /// The engine ended this session (its token was revoked or has expired): one last
    /// `ERR NOAUTH`, nothing after it, and the connection closes.
    func endSession(_ reason: String, context: ChannelHandlerContext) {
        guard !ended else { return }
        ended = true
        closing = true
        sequencer.discard()
        heldLines = []
        givenBack = nil
        closeWith(WireError(.noAuth, "\(reason); closing"), context: context)
    }

    /// Writes one last error line out of turn, then closes.
    private func closeWith(_ error: WireError, context: ChannelHandlerContext) {
        closing = true
        var bytes: [UInt8] = []
        ReplyEncoder.error(error, into: &bytes)
        var buffer = context.channel.allocator.buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        write(buffer, context: context, thenClose: true)
    }

    // MARK: - Events of the channel

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            // Not reading is sevad's own doing while the output drains; the stall watch judges that.
            guard !closing, !readingPaused else { return }
            return closeWith(WireError(.limit, "idle for server.idle_timeout_s; closing"), context: context)
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
        guard inputClosed, !processing, !isHolding, heldLines.isEmpty, sequencer.allAnswered else { return }
        write(context.channel.allocator.buffer(capacity: 0), context: context, thenClose: true)
    }

    func channelInactive(context: ChannelHandlerContext) {
        _ = framer.finish()
        stallCheck?.cancel()
        stallCheck = nil
        if let sink {
            let engine = self.engine
            engine.loop.execute { engine.events.forget(sink) }
        }
        // The sink refers back to this handler: let both go.
        sink = nil
        context.fireChannelInactive()
    }

    // MARK: - Requests

    /// Handles complete lines in order; the engine's share goes there in one hop. What waited
    /// meanwhile runs once they are done.
    private func process(_ lines: [ArraySlice<UInt8>], context: ChannelHandlerContext) {
        processing = true
        defer {
            processing = false
            resumeHeld(context: context)
        }
        var work: [EngineWork] = []
        for (position, line) in lines.enumerated() {
            if closing { break }
            if isHolding {
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
                // The lines before it go to the engine first; those after wait for the verdict.
                if !work.isEmpty {
                    send(work, principal: principal, context: context)
                    work = []
                }
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
        if !work.isEmpty { send(work, principal: principal, context: context) }
    }

    /// Hands work to the engine — at once when this is its loop and `inline` — and lines read
    /// meanwhile wait until it comes back.
    private func send(_ work: [EngineWork], principal: Principal, context: ChannelHandlerContext, inline: Bool = true) {
        guard let sink else { return }
        engineBusy = true
        batchPrincipal = principal
        let batch = EngineBatch(handler: self, context: context, sink: sink, outputLimit: settings.outputBufferBytes)
        let engine = self.engine
        if inline && engine.loop.inEventLoop {
            engine.run(work, principal: principal, batch: batch)
        } else {
            engine.loop.execute { engine.run(work, principal: principal, batch: batch) }
        }
    }

    /// The engine ran a batch: its replies so far, and what it gave back unrun.
    func batchFinished(_ replies: [(Int, Reply)], gaveBack: [EngineWork], context: ChannelHandlerContext) {
        engineBusy = false
        guard !ended else { return }
        if !gaveBack.isEmpty { givenBack = (batchPrincipal, gaveBack) }
        respond(replies, context: context)
    }

    private func authenticate(_ token: String, sequence number: Int, context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let home = context.eventLoop
        let engine = self.engine
        let sink = self.sink
        engine.loop.execute {
            let verdict = engine.authenticate(token, on: sink)
            home.execute { handler.value.authenticated(verdict, sequence: number, context: bound.value) }
        }
    }

    /// A good token is accepted at once, whatever others did from the same address. A failure
    /// is remembered for the address, and its answer waits out the address's back-off, so a
    /// broken app behind a carrier's NAT slows only its own (and other failing) attempts.
    private func authenticated(_ verdict: TokenBook.Verdict, sequence number: Int, context: ChannelHandlerContext) {
        guard !closing else { return }
        if case .valid(let found) = verdict {
            principal = found
            var json = JSONWriter()
            json.beginObject()
            json.key("role"); json.string(found.role?.rawValue ?? "")
            json.key("worker"); if let worker = found.worker { json.string(worker) } else { json.null() }
            if let client = found.client { json.key("client"); json.string(client) }
            json.endObject()
            return finishAuth(number, .json(json), context: context)
        }
        let reason = verdict == .expired ? "token expired" : "invalid token"
        let delay = address.map { $0.guard.authFailed($0.ip, now: Date().timeIntervalSince1970, settings: settings) } ?? 0
        guard delay > 0 else { return refuseAuth(number, reason, context: context) }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(delay * 1000))) {
            handler.value.refuseAuth(number, reason, context: bound.value)
        }
    }

    /// A refused AUTH: counted toward `server.auth_failures`; the last one closes.
    private func refuseAuth(_ number: Int, _ reason: String, context: ChannelHandlerContext) {
        guard !closing else { return }
        authFailures += 1
        let last = authFailures >= settings.authFailures
        let reply = Reply.error(WireError(.denied, last ? "\(reason); too many failures, closing" : reason), closes: last)
        finishAuth(number, reply, context: context)
    }

    private func finishAuth(_ number: Int, _ reply: Reply, context: ChannelHandlerContext) {
        waitingForAuth = false
        respond(number, reply, context: context)
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
    /// one flush; then whatever waited may run.
    func respond(_ replies: [(Int, Reply)], context: ChannelHandlerContext) {
        guard !ended else { return }
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
                closing = true
                sequencer.discard()
                return write(buffer, context: context, thenClose: true)
            }
            write(buffer, context: context)
        }
        resumeHeld(context: context)
    }

    private static var monotonicSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

@available(*, unavailable)
extension ConnectionHandler: Sendable {}
