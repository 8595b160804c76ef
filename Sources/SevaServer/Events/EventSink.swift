import NIOCore

/// The engine's handle on one client (a connection, or an HTTP exchange): pushed `EVT` lines go
/// to it whole, on the client's own loop (so an event never lands inside a reply line, and the connection's
/// output limits apply to them), and a session the engine ends is ended through it.
///
/// `@unchecked Sendable`: the handler and context are used only on their loop (through
/// `NIOLoopBound`).
final class EventSink: @unchecked Sendable {
    private let home: any EventLoop
    private let handler: NIOLoopBound<any EventClient>
    private let context: NIOLoopBound<ChannelHandlerContext>

    init(handler: any EventClient, context: ChannelHandlerContext) {
        home = context.eventLoop
        self.handler = NIOLoopBound<any EventClient>(handler, eventLoop: context.eventLoop)
        self.context = NIOLoopBound(context, eventLoop: context.eventLoop)
    }

    /// Sends the lines (each ending in LF) in one write and one flush.
    func send(_ lines: [[UInt8]]) {
        guard !lines.isEmpty else { return }
        onHome { handler, context in handler.push(lines, context: context) }
    }

    /// Ends the session: `ERR NOAUTH <reason>`, nothing after it, and the connection closes.
    func end(_ reason: String) {
        onHome { handler, context in handler.endSession(reason, context: context) }
    }

    private func onHome(_ body: @escaping (any EventClient, ChannelHandlerContext) -> Void) {
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

extension EventSink: Hashable {
    static func == (lhs: EventSink, rhs: EventSink) -> Bool { lhs === rhs }
    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
