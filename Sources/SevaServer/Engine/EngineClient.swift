import NIOCore

/// Where a batch's replies go: a line-protocol connection, or one HTTP request. Every call
/// comes on the client's own loop, with its channel's context.
protocol EngineClient: AnyObject {
    /// The engine ran a batch: its replies so far, and what it gave back unrun.
    func batchFinished(_ replies: [(Int, Reply)], gaveBack: [EngineWork], context: ChannelHandlerContext)
    /// Replies that came after their batch (commits completing).
    func respond(_ replies: [(Int, Reply)], context: ChannelHandlerContext)
}

/// Where the engine pushes events and ends sessions: a line-protocol connection, or an HTTP
/// connection (its event stream, its token's session). Calls come on its own loop.
protocol EventClient: AnyObject {
    /// Pushed `EVT` lines.
    func push(_ lines: [[UInt8]], context: ChannelHandlerContext)
    /// The engine ended this session (its token was revoked or has expired).
    func endSession(_ reason: String, context: ChannelHandlerContext)
}
