import Foundation

/// The store's reads, off the caller's thread: each read runs on the reader's own serial
/// queue against the read connection, and its completion goes to the caller's
/// `CompletionTarget` — for the daemon, the engine's loop, which never waits on the disk.
final class StoreReadQueue: Sendable {
    private let queue = DispatchQueue(label: "sevad.store.reads")
    private let reader: StoreReader

    init(_ reader: StoreReader) { self.reader = reader }

    func read<Value: Sendable>(on target: CompletionTarget, _ body: @escaping @Sendable (StoreReader) throws(StoreError) -> Value,
                               completion: @escaping @Sendable (Result<Value, StoreError>) -> Void) {
        let reader = self.reader
        queue.async {
            let result = Result { () throws(StoreError) in try body(reader) }
            target.deliver([{ completion(result) }])
        }
    }
}

/// Marks the one thread that must never touch SQLite — the daemon's engine loop — so that a
/// read reached from it fails loudly in debug builds and tests instead of stalling every
/// client in production.
public enum StoreThreadGuard {
    nonisolated(unsafe) private static var forbidden: pthread_t?

    /// The calling thread may not read the store from now on.
    public static func forbidCallingThread() { forbidden = pthread_self() }

    /// Traps (in debug builds) when called on the forbidden thread.
    static func checkNotForbidden(_ what: StaticString) {
        assert(forbidden.map { pthread_equal($0, pthread_self()) == 0 } ?? true, "store read (\(what)) on the engine loop")
    }
}
