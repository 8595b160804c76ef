import Dispatch

/// Where the completions of store writes run. The caller decides: the daemon passes its
/// engine's event loop, so a commit's replies are sent from the loop that owns the state.
/// The writer hands over all the completions of one batch for a target in a single call.
public protocol CompletionTarget: AnyObject, Sendable {
    func deliver(_ completions: [@Sendable () -> Void])
}

/// Runs completions at once on the writer thread — for tools and tests that need no hop.
public final class InlineCompletions: CompletionTarget {
    public init() {}

    public func deliver(_ completions: [@Sendable () -> Void]) {
        for completion in completions { completion() }
    }
}

/// Runs each batch's completions with one hop onto a serial dispatch queue — the shape of an
/// event loop, for tools and benchmarks that have no NIO loop.
public final class QueueCompletions: CompletionTarget {
    private let queue: DispatchQueue

    public init(_ queue: DispatchQueue) { self.queue = queue }

    public func deliver(_ completions: [@Sendable () -> Void]) {
        queue.async { for completion in completions { completion() } }
    }
}
