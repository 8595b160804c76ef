import NIOHTTP1

/// The responses of one HTTP connection in request order: pipelined requests are answered as
/// the engine finishes them, and each response waits here until those before it are written.
/// An event stream's response is the last: nothing after it is written.
struct HTTPResponseOrder {
    /// A response made and waiting for its turn.
    struct Response {
        let head: HTTPResponseHead
        var body: [UInt8]
        /// Close the connection once it is written.
        let closes: Bool
        /// An event stream: its body goes on after the head.
        let streams: Bool
    }

    private var admitted = 0
    private var written = 0
    private var waiting: [Int: Response] = [:]
    /// True once an event stream's head is written.
    private(set) var isStreaming = false

    /// Requests read and not yet written out.
    var unanswered: Int { admitted - written }

    /// Numbers the next request.
    mutating func admit() -> Int {
        defer { admitted += 1 }
        return admitted
    }

    mutating func answer(_ number: Int, _ response: Response) { waiting[number] = response }

    /// The response whose turn it is, when it is made (none once a stream runs).
    mutating func nextDue() -> Response? {
        guard !isStreaming, let response = waiting.removeValue(forKey: written) else { return nil }
        written += 1
        isStreaming = response.streams
        return response
    }

    /// Body for a stream whose head still waits for its turn.
    mutating func appendToStream(_ bytes: [UInt8]) {
        guard let number = waiting.first(where: { $0.value.streams })?.key else { return }
        waiting[number]?.body += bytes
    }
}
