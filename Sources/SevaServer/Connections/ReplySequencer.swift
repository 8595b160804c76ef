/// Puts one connection's replies back in request order. Requests are numbered as they are
/// read; a reply may arrive early (a PING answered while a commit is pending) and waits here
/// until every earlier one has gone. Replies that arrive in order pass straight through.
struct ReplySequencer {
    /// `waiting[i]` holds the reply numbered `nextToWrite + i - head`, if it has arrived.
    private var waiting: [Reply?] = []
    private var head = 0
    /// The number of the next reply to write.
    private(set) var nextToWrite = 0
    /// The number the next request gets.
    private(set) var nextNumber = 0
    /// Bytes of replies that arrived early and wait for an earlier one.
    private(set) var parkedBytes = 0

    /// Numbers a new request.
    mutating func number() -> Int {
        defer { nextNumber += 1 }
        return nextNumber
    }

    /// True when every numbered request has been answered.
    var allAnswered: Bool { nextToWrite == nextNumber }

    /// Requests numbered but not yet answered.
    var unanswered: Int { nextNumber - nextToWrite }

    /// Records reply `number`; calls `write` with every reply now due, in order.
    mutating func arrived(_ number: Int, _ reply: Reply, write: (Reply) -> Void) {
        if number == nextToWrite && head == waiting.count {
            nextToWrite += 1
            write(reply)
            return
        }
        let slot = head + (number - nextToWrite)
        while waiting.count <= slot { waiting.append(nil) }
        waiting[slot] = reply
        parkedBytes += reply.size
        while head < waiting.count, let due = waiting[head] {
            waiting[head] = nil
            head += 1
            nextToWrite += 1
            parkedBytes -= due.size
            write(due)
        }
        if head == waiting.count {
            waiting.removeAll(keepingCapacity: true)
            head = 0
        } else if head > 1_024 && head * 2 > waiting.count {
            waiting.removeFirst(head)
            head = 0
        }
    }

    /// Drops everything waiting (the connection is closing).
    mutating func discard() {
        waiting.removeAll()
        head = 0
        parkedBytes = 0
        nextToWrite = nextNumber
    }
}
