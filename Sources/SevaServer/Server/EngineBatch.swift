import NIOCore

/// Where one request's reply goes: its connection's batch, under its request number. The
/// engine calls it exactly once per request, at once or after a commit.
struct ReplyTicket {
    let batch: EngineBatch
    let number: Int

    func callAsFunction(_ reply: Reply) { batch.deliver(number, reply) }
}

/// One read's worth of a connection's commands on the engine loop. Replies made while the
/// batch runs go back to the connection's loop together (one hop, one write, one flush);
/// those that wait for a commit go back one by one as their commits complete.
///
/// `@unchecked Sendable`: `open` and `collected` are used only on the engine's loop; the
/// handler and context only on the connection's (through `NIOLoopBound`).
final class EngineBatch: @unchecked Sendable {
    private var open = true
    private var collected: [(Int, Reply)] = []
    private let home: any EventLoop
    private let handler: NIOLoopBound<ConnectionHandler>
    private let context: NIOLoopBound<ChannelHandlerContext>
    /// The connection's event path, for commands that sign it up for events.
    let sink: EventSink

    init(handler: ConnectionHandler, context: ChannelHandlerContext, sink: EventSink) {
        home = context.eventLoop
        self.sink = sink
        self.handler = NIOLoopBound(handler, eventLoop: context.eventLoop)
        self.context = NIOLoopBound(context, eventLoop: context.eventLoop)
    }

    func ticket(_ number: Int) -> ReplyTicket { ReplyTicket(batch: self, number: number) }

    func deliver(_ number: Int, _ reply: Reply) {
        if open {
            collected.append((number, reply))
        } else {
            send([(number, reply)])
        }
    }

    /// The batch has run: what it answered goes back now.
    func close() {
        open = false
        if !collected.isEmpty { send(collected) }
        collected = []
    }

    private func send(_ replies: [(Int, Reply)]) {
        if home.inEventLoop {
            handler.value.respond(replies, context: context.value)
        } else {
            let handler = self.handler
            let context = self.context
            home.execute { handler.value.respond(replies, context: context.value) }
        }
    }
}
