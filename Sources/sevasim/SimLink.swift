import SevaClient
#if canImport(Glibc)
import Glibc
#endif

/// What a request was, for the latency figures.
enum RequestKind: Int, CaseIterable {
    case loc, avail, answer, step, booking, other

    var label: String {
        switch self {
        case .loc: "LOC"
        case .avail: "AVAIL"
        case .answer: "ACCEPT/DECLINE"
        case .step: "ARRIVED/START/DONE"
        case .booking: "JOB NEW/CANCEL"
        case .other: "other"
        }
    }
}

/// One nonblocking connection to sevad inside the simulator's event loop: requests go out in
/// order, each reply line is handed to the handler of the request it answers (replies come
/// back in request order), and `EVT` lines go to `onEvent`.
final class SimLink {
    typealias ReplyHandler = (String) -> Void

    private struct Pending {
        let sentAt: Double
        let kind: RequestKind
        let handler: ReplyHandler?
    }

    let descriptor: Int32
    private var output: [UInt8] = []
    private var input: [UInt8] = []
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)
    private var waiting: [Pending] = []
    private var waitingHead = 0
    private let latencies: LatencyBook
    private(set) var isOpen = true
    /// Called with the topic and the JSON of every `EVT` line.
    var onEvent: (Substring, String) -> Void = { _, _ in }

    init(descriptor: Int32, latencies: LatencyBook) {
        self.descriptor = descriptor
        self.latencies = latencies
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    static func unix(_ path: String, latencies: LatencyBook) throws -> SimLink {
        SimLink(descriptor: try SocketConnect.unix(path: path), latencies: latencies)
    }

    deinit { close(descriptor) }

    var unanswered: Int { waiting.count - waitingHead }
    var hasOutput: Bool { !output.isEmpty }

    /// Queues one request line (without its LF); `handler` gets the reply line.
    func send(_ line: String, kind: RequestKind, now: Double, then handler: ReplyHandler? = nil) {
        output.append(contentsOf: line.utf8)
        output.append(UInt8(ascii: "\n"))
        waiting.append(Pending(sentAt: now, kind: kind, handler: handler))
    }

    /// Writes what the socket takes; false when the connection is gone.
    func flush() -> Bool {
        while !output.isEmpty {
            let written = output.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EAGAIN || errno == EINTR { return true }
                isOpen = false
                return false
            }
            output.removeFirst(written)
        }
        return true
    }

    /// Reads what has arrived and handles every complete line; false at end of stream.
    func receive(now: Double) -> Bool {
        while true {
            let count = read(descriptor, &readBuffer, readBuffer.count)
            if count > 0 {
                input.append(contentsOf: readBuffer[..<count])
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EINTR) { break }
            isOpen = false
            break
        }
        var start = 0
        while let newline = input[start...].firstIndex(of: UInt8(ascii: "\n")) {
            handle(String(decoding: input[start..<newline], as: UTF8.self), now: now)
            start = newline + 1
        }
        input.removeFirst(start)
        return isOpen
    }

    private func handle(_ line: String, now: Double) {
        if line.hasPrefix("EVT ") {
            let rest = line.dropFirst(4)
            let space = rest.firstIndex(of: " ") ?? rest.endIndex
            onEvent(rest[..<space], String(rest[space...].dropFirst()))
            return
        }
        guard waitingHead < waiting.count else { return }
        let pending = waiting[waitingHead]
        waitingHead += 1
        if waitingHead > 4_096 && waitingHead * 2 > waiting.count {
            waiting.removeFirst(waitingHead)
            waitingHead = 0
        }
        latencies.record(pending.kind, seconds: now - pending.sentAt)
        if line.hasPrefix("ERR") { latencies.recordError(pending.kind, reply: line) }
        pending.handler?(line)
    }
}
