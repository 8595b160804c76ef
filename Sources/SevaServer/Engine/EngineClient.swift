import NIOCore

/// The far end of the engine's answers and events: a line-protocol connection or an HTTP
/// exchange. Every call comes on the client's own loop, with its channel's context.
protocol EngineClient: AnyObject {
    /// The engine ran a batch: its replies so far, and what it gave back unrun.
    func batchFinished(_ replies: [(Int, Reply)], gaveBack: [EngineWork], context: ChannelHandlerContext)
    /// Replies that came after their batch (commits completing).
    func respond(_ replies: [(Int, Reply)], context: ChannelHandlerContext)
    /// Pushed `EVT` lines.
    func push(_ lines: [[UInt8]], context: ChannelHandlerContext)
    /// The engine ended this session (its token was revoked or has expired).
    func endSession(_ reason: String, context: ChannelHandlerContext)
}
