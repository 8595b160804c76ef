/// What waits while the engine rebuilds its state from the store.
struct RebuildWait {
    typealias HeldBatch = (work: [EngineWork], principal: Principal, batch: EngineBatch)

    private(set) var isRunning = false
    private var batches: [HeldBatch] = []
    private var waiters: [() -> Void] = []

    /// Notes a waiter; true when this starts a rebuild (false: one is already running).
    mutating func start(_ waiter: @escaping () -> Void) -> Bool {
        waiters.append(waiter)
        defer { isRunning = true }
        return !isRunning
    }

    mutating func hold(_ batch: HeldBatch) { batches.append(batch) }

    /// The rebuild is done: the held batches, in arrival order, then the waiters.
    mutating func finish() -> ([HeldBatch], [() -> Void]) {
        isRunning = false
        defer {
            batches = []
            waiters = []
        }
        return (batches, waiters)
    }
}
