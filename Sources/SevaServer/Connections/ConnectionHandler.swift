import Foundation
import Logging
import NIOCore
import SevaCore
import SevaWire

/// One client connection on its own event loop: it feeds what happens on the channel to its
/// `ConnectionState` — bytes read, the engine's replies, AUTH verdicts, writability, the
/// client's half-close — and does the actions the state returns: write, run work on the
/// engine, ask for a verdict, pause or resume reading, close. What a connection may do and in
/// what order lives in the state; what lives here is the channel, the engine hop and the two
/// output limits that need the channel's own figures (DESIGN.md §6): a client that reads
/// nothing for `server.output_stall_s`, and pushed events past `server.output_hard_bytes`.
final class ConnectionHandler: ChannelInboundHandler, EngineClient, EventClient {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let engine: Engine
    /// The `[server]` limits this connection started with.
    private let settings: Configuration.Server
    private let tally: ConnectionTally
    private let logger: Logger
    private var state: ConnectionState
    /// Actions still to do, in order; events that arrive while they are done add theirs here.
    private var actions: [ConnectionState.Action] = []
    private var performing = false
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
        self.address = address
        settings = limits.settings.current
        tally = limits.connections
        logger = limits.logger
        state = ConnectionState(principal: principal, settings: settings, clock: { PingBudget.monotonicSeconds })
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let sink = EventSink(handler: self, context: context)
        self.sink = sink
        let engine = self.engine
        engine.loop.execute { engine.events.connect(sink) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        perform(state.received(Array(buffer.readableBytesView)), context: context)
    }

    /// The engine ran a batch: its replies so far, and what it gave back unrun.
    func batchFinished(_ replies: [(Int, Reply)], gaveBack: [EngineWork], context: ChannelHandlerContext) {
        perform(state.engineFinished(replies, gaveBack: gaveBack), context: context)
    }

    /// Replies the engine sent after their batch (commits completing).
    func respond(_ replies: [(Int, Reply)], context: ChannelHandlerContext) {
        perform(state.answered(replies), context: context)
    }

    /// Pushed `EVT` lines, in one write.
    func push(_ lines: [[UInt8]], context: ChannelHandlerContext) {
        guard state.acceptsEvents, context.channel.isActive else { return }
        write(lines, context: context)
    }

    /// The engine ended this session (its token was revoked or has expired).
    func endSession(_ reason: String, context: ChannelHandlerContext) {
        perform(state.sessionEnded(reason), context: context)
    }

    // MARK: - Doing what the state says

    private func perform(_ new: [ConnectionState.Action], context: ChannelHandlerContext) {
        guard !new.isEmpty else { return }
        actions += new
        guard !performing else { return }
        performing = true
        defer { performing = false }
        var next = 0
        while next < actions.count {
            let action = actions[next]
            next += 1
            guard context.channel.isActive else { break }
            perform(action, context: context)
        }
        actions.removeAll(keepingCapacity: true)
    }

    private func perform(_ action: ConnectionState.Action, context: ChannelHandlerContext) {
        switch action {
        case .write(let chunks, let thenClose):
            if thenClose { writeThenClose(chunks, context: context) } else { write(chunks, context: context) }
        case .run(let work, let principal):
            run(work, as: principal, context: context)
        case .authenticate(let token, let number):
            authenticate(token, number: number, context: context)
        case .backOff(let number, let reason):
            backOff(number, reason: reason, context: context)
        case .pauseReading(let behind):
            if behind { tally.note(.pausedRead) }
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: false)
        case .resumeReading:
            try? context.channel.syncOptions?.setOption(ChannelOptions.autoRead, value: true)
            context.read()
        }
    }

    /// Hands work to the engine, on its loop's next turn.
    private func run(_ work: [EngineWork], as principal: Principal, context: ChannelHandlerContext) {
        guard let sink else { return }
        let batch = EngineBatch(handler: self, context: context, sink: sink, outputLimit: settings.outputBufferBytes)
        let engine = self.engine
        engine.loop.execute { engine.run(work, principal: principal, batch: batch) }
    }

    private func authenticate(_ token: String, number: Int, context: ChannelHandlerContext) {
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let home = context.eventLoop
        let engine = self.engine
        let sink = self.sink
        engine.loop.execute {
            let verdict = engine.authenticate(token, on: sink)
            home.execute {
                let handler = handler.value
                handler.perform(handler.state.authenticated(verdict, number: number), context: bound.value)
            }
        }
    }

    /// A failure is remembered for the address, and its answer waits out the address's
    /// back-off, so a broken app behind a carrier's NAT slows only its own (and other
    /// failing) attempts — a good token is never made to wait.
    private func backOff(_ number: Int, reason: String, context: ChannelHandlerContext) {
        let delay = address.map { $0.guard.authFailed($0.ip, now: Date().timeIntervalSince1970, settings: settings) } ?? 0
        guard delay > 0 else { return perform(state.refuseAuth(number, reason: reason), context: context) }
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(delay * 1000))) {
            let handler = handler.value
            handler.perform(handler.state.refuseAuth(number, reason: reason), context: bound.value)
        }
    }

    // MARK: - Output

    /// Above the high water mark (`server.output_buffer_bytes`) reading stops and the stall
    /// watch starts; below the low one (half of it) reading and held work resume.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        if writable {
            stallCheck?.cancel()
            stallCheck = nil
            stallWatch = nil
        } else {
            tally.note(.pausedOutput)
            watchForStall(context: context)
        }
        perform(state.outputWritable(writable), context: context)
        context.fireChannelWritabilityChanged()
    }

    private func buffer(_ chunks: [[UInt8]], context: ChannelHandlerContext) -> ByteBuffer {
        var buffer = context.channel.allocator.buffer(capacity: chunks.reduce(0) { $0 + $1.count })
        for chunk in chunks { buffer.writeBytes(chunk) }
        queuedBytes &+= buffer.readableBytes
        return buffer
    }

    /// Writes and flushes; a connection whose unsent bytes pass `server.output_hard_bytes` is
    /// closed (only pushed events can get it there: replies stop with reading).
    private func write(_ chunks: [[UInt8]], context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(buffer(chunks, context: context)), promise: nil)
        guard !context.channel.isWritable else { return }
        let pending = bufferedBytes(context)
        if pending > settings.outputHardBytes {
            tally.note(.closedOverHardLimit)
            disconnect("\(pending) bytes waiting, past server.output_hard_bytes (\(settings.outputHardBytes)); "
                + "a subscriber can resume with SUBSCRIBE jobs since=<last seq>", context: context)
        }
    }

    /// The last write: closed once it is out — or, for a client that reads nothing, after
    /// `server.output_stall_s` all the same.
    private func writeThenClose(_ chunks: [[UInt8]], context: ChannelHandlerContext) {
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer(chunks, context: context))).whenComplete { _ in
            channel.close(promise: nil)
        }
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(settings.outputStallSeconds * 1000))) {
            channel.close(promise: nil)
        }
    }

    private func bufferedBytes(_ context: ChannelHandlerContext) -> Int {
        (try? context.channel.syncOptions?.getOption(ChannelOptions.bufferedWritableBytes)) ?? 0
    }

    private func watchForStall(context: ChannelHandlerContext) {
        guard stallCheck == nil else { return }
        let limit = settings.outputStallSeconds
        stallWatch = OutputStallWatch(limitSeconds: limit, buffered: bufferedBytes(context), queued: queuedBytes,
                                      now: PingBudget.monotonicSeconds)
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
        let stalled = watch.hasStalled(buffered: pending, queued: queuedBytes, now: PingBudget.monotonicSeconds)
        stallWatch = watch
        guard stalled else { return }
        tally.note(.closedStalled)
        disconnect("read nothing for server.output_stall_s (\(Self.seconds(settings.outputStallSeconds)) s) "
            + "with \(pending) bytes waiting", context: context)
    }

    /// Closes a connection sevad will not wait for any longer — also one that was closing
    /// but cannot get its last replies out — logging why once, with the peer.
    private func disconnect(_ reason: String, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        state.abandoned()
        stallCheck?.cancel()
        stallCheck = nil
        let peer = address?.ip ?? "a Unix-socket client"
        logger.notice("closing the connection of \(peer): \(reason)", metadata: ["peer": "\(peer)"])
        context.close(promise: nil)
    }

    // MARK: - Events of the channel

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            return perform(state.idle(), context: context)
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            return perform(state.clientClosedInput(), context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.abandoned()
        stallCheck?.cancel()
        stallCheck = nil
        if let sink {
            let engine = self.engine
            engine.loop.execute { engine.forget(sink) }
        }
        // The sink refers back to this handler: let both go.
        sink = nil
        context.fireChannelInactive()
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

@available(*, unavailable)
extension ConnectionHandler: Sendable {}
