import SevaCore

/// When the tokens of signed-in sessions stop working, soonest first, so the engine's tick
/// ends those sessions on time. One live entry per token however often it signs in; a later
/// schedule (a rotation bringing the end forward) makes the earlier entry stale.
struct SessionExpiries {
    private struct Entry: Comparable {
        let at: Double
        let token: TokenIdentity

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.at < rhs.at }
        static func == (lhs: Self, rhs: Self) -> Bool { lhs.at == rhs.at && lhs.token == rhs.token }
    }

    private var heap = BinaryHeap<Entry>()
    private var scheduled: [TokenIdentity: Double] = [:]

    /// The sessions on `token` are to end at `time`.
    mutating func schedule(_ token: TokenIdentity, at time: Double) {
        guard scheduled[token] != time else { return }
        scheduled[token] = time
        heap.push(Entry(at: time, token: token))
    }

    /// The tokens whose scheduled end is `now` or earlier, each once.
    mutating func due(now: Double) -> [TokenIdentity] {
        var due: [TokenIdentity] = []
        while let next = heap.top, next.at <= now {
            _ = heap.pop()
            guard scheduled[next.token] == next.at else { continue }
            scheduled[next.token] = nil
            due.append(next.token)
        }
        return due
    }
}
