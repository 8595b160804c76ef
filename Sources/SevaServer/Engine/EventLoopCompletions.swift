import NIOCore
import SevaStore

/// Delivers a store batch's completions on an event loop — the engine's — in one hop.
final class EventLoopCompletions: CompletionTarget {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func deliver(_ completions: [@Sendable () -> Void]) {
        loop.execute { for completion in completions { completion() } }
    }
}
