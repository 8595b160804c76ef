import NIOCore
import SevaStore

/// Delivers a store batch's completions on an event loop — the engine's — in one hop, and
/// hands `waited` how long the hop waited in the loop's queue (nanoseconds).
final class EventLoopCompletions: CompletionTarget {
    let loop: any EventLoop
    private let waited: @Sendable (UInt64) -> Void

    init(_ loop: any EventLoop, waited: @escaping @Sendable (UInt64) -> Void = { _ in }) {
        self.loop = loop
        self.waited = waited
    }

    func deliver(_ completions: [@Sendable () -> Void]) {
        let handedOverAt = LoopLoad.now
        let waited = self.waited
        loop.execute {
            waited(LoopLoad.now &- handedOverAt)
            for completion in completions { completion() }
        }
    }
}
