import NIOCore

/// Where pushed `EVT` lines for one connection go: written whole on the connection's own
/// loop, so an event never lands inside a reply line. A client that does not read is cut off
/// by its output buffer cap like any other.
///
/// `@unchecked Sendable`: the context is used only on its loop (through `NIOLoopBound`).
final class EventSink: @unchecked Sendable {
    private let home: any EventLoop
    private let context: NIOLoopBound<ChannelHandlerContext>

    init(context: ChannelHandlerContext) {
        home = context.eventLoop
        self.context = NIOLoopBound(context, eventLoop: context.eventLoop)
    }

    /// Sends the lines (each ending in LF) in one write and one flush.
    func send(_ lines: [[UInt8]]) {
        guard !lines.isEmpty else { return }
        let context = self.context
        let write = {
            let context = context.value
            guard context.channel.isActive else { return }
            var buffer = context.channel.allocator.buffer(capacity: lines.reduce(0) { $0 + $1.count })
            for line in lines { buffer.writeBytes(line) }
            context.writeAndFlush(NIOAny(buffer), promise: nil)
        }
        if home.inEventLoop { write() } else { home.execute(write) }
    }
}

extension EventSink: Hashable {
    static func == (lhs: EventSink, rhs: EventSink) -> Bool { lhs === rhs }
    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
