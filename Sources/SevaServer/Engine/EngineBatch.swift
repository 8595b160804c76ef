import NIOCore
import SevaWire

/// One numbered request a connection hands the engine, already checked against its role.
typealias EngineWork = (number: Int, command: Command, decision: Permissions.Decision)

/// Where one request's reply goes: its connection's batch, under its request number. The
/// engine calls it exactly once per request, at once or after a commit.
struct ReplyTicket {
    let batch: EngineBatch
    let number: Int

    func callAsFunction(_ reply: Reply) { batch.deliver(number, reply) }
}

/// One read's worth of a connection's commands on the engine loop. Replies made while the
/// batch runs go back to the connection's loop together with the word that the batch is done
/// (one hop, one write, one flush); those that wait for a commit go back one by one as their
/// commits complete.
///
/// A batch whose replies pass `outputLimit` bytes stops there: the commands not yet run go
/// back to the connection unrun, to be sent again once its output has drained — so a client
/// pipelining a thousand large listings holds neither the engine nor memory for all of them.
///
/// `@unchecked Sendable`: `open`, `collected` and `givenBack` are used only on the engine's
/// loop; the handler and context only on the connection's (through `NIOLoopBound`).
final class EngineBatch: @unchecked Sendable {
    private var open = true
    private var collected: [(Int, Reply)] = []
    private var collectedBytes = 0
    private var givenBack: [EngineWork] = []
    private let outputLimit: Int
    private let home: any EventLoop
    private let handler: NIOLoopBound<any EngineClient>
    private let context: NIOLoopBound<ChannelHandlerContext>
    /// The connection's event path, for commands that sign it up for events.
    let sink: EventSink
    /// When the connection handed it over (monotonic nanoseconds), for the engine's queue wait.
    let handedOverAt = LoopLoad.now

    init(handler: any EngineClient, context: ChannelHandlerContext, sink: EventSink, outputLimit: Int) {
        home = context.eventLoop
        self.sink = sink
        self.outputLimit = outputLimit
        self.handler = NIOLoopBound<any EngineClient>(handler, eventLoop: context.eventLoop)
        self.context = NIOLoopBound(context, eventLoop: context.eventLoop)
    }

    func ticket(_ number: Int) -> ReplyTicket { ReplyTicket(batch: self, number: number) }

    /// True once this batch's replies fill the connection's output buffer: run no more of it.
    var isFull: Bool { collectedBytes >= outputLimit }

    /// Hands the rest of the batch back unrun.
    func giveBack(_ work: ArraySlice<EngineWork>) { givenBack = Array(work) }

    func deliver(_ number: Int, _ reply: Reply) {
        if open {
            collected.append((number, reply))
            collectedBytes += reply.size
        } else {
            onHome { handler, context in handler.respond([(number, reply)], context: context) }
        }
    }

    /// The batch has run: what it answered, and what it gave back, go to the connection now.
    func close() {
        open = false
        let replies = collected
        let rest = givenBack
        collected = []
        givenBack = []
        onHome { handler, context in handler.batchFinished(replies, gaveBack: rest, context: context) }
    }

    private func onHome(_ body: @escaping (any EngineClient, ChannelHandlerContext) -> Void) {
        let handler = self.handler
        let context = self.context
        if home.inEventLoop {
            body(handler.value, context.value)
        } else {
            nonisolated(unsafe) let body = body
            home.execute { body(handler.value, context.value) }
        }
    }
}
