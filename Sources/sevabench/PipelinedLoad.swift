import Foundation
import SevaClient
import SevaCore
import SevaWire

/// How one protocol's replies are counted in a byte stream, so that one load generator can
/// drive sevad (a line per reply) and Redis (RESP) alike.
enum ReplyProtocol: Sendable {
    case lines
    case resp
    /// HTTP/1.1 responses whose bodies are single lines (the HTTP face's): a reply per status
    /// line, an error when its status is not 2xx.
    case http

    /// A fresh counter for one connection: returns the replies each read completed, and
    /// whether any of them was an error.
    func counter() -> (UnsafeRawBufferPointer) -> (replies: Int, failed: Bool) {
        switch self {
        case .lines:
            var atStart = true
            return { bytes in
                var replies = 0
                var failed = false
                for byte in bytes {
                    if atStart && byte == UInt8(ascii: "E") { failed = true }
                    atStart = byte == 10
                    if atStart { replies += 1 }
                }
                return (replies, failed)
            }
        case .http:
            let status = Array("HTTP/1.1 ".utf8)
            var line: [UInt8] = []
            return { bytes in
                var replies = 0
                var failed = false
                for byte in bytes {
                    if byte == 10 {
                        if line.count > status.count, line.starts(with: status) {
                            replies += 1
                            if line[status.count] != UInt8(ascii: "2") { failed = true }
                        }
                        line.removeAll(keepingCapacity: true)
                    } else if line.count <= status.count {
                        line.append(byte)
                    }
                }
                return (replies, failed)
            }
        case .resp:
            var counter = RESPReplyCounter()
            return { bytes in
                let before = counter.errors
                let replies = counter.consume(bytes)
                return (replies, counter.errors > before)
            }
        }
    }
}

/// What a pipelined benchmark is asked for: workers registered, connections, requests in
/// flight on each, seconds; `--workers`, `--connections`, `--in-flight` and `--seconds`.
struct LoadOptions {
    var workers: Int
    var connections = 4
    var inFlight = 64
    var seconds: Double

    /// The defaults, overridden by the flags in `arguments`; `more` takes a benchmark's own.
    static func parse(_ arguments: ArraySlice<String>, workers: Int, seconds: Double,
                      more: (String, String) -> Bool = { _, _ in false }) -> LoadOptions {
        var options = LoadOptions(workers: workers, seconds: seconds)
        flags(arguments) { flag, value in
            switch flag {
            case "--workers": options.workers = positive(flag, value)
            case "--connections": options.connections = positive(flag, value)
            case "--in-flight": options.inFlight = positive(flag, value)
            case "--seconds": options.seconds = positiveSeconds(flag, value)
            default: return more(flag, value)
            }
            return true
        }
        return options
    }
}

/// Closed-loop pipelined load, the same for every server: `connections` threads, each
/// writing a burst of `inFlight` requests and reading until all are answered, for `seconds`.
/// Each request's latency runs from its burst's write to its reply's arrival.
enum PipelinedLoad {
    struct Result {
        let replies: Int
        let seconds: Double
        /// Per request, nanoseconds.
        let latency: Timings
        var perSecond: Double { Double(replies) / seconds }

        /// "p50 / p99 / p999" in milliseconds, for a table.
        var tail: String { [0.5, 0.99, 0.999].map { format3(latency.quantile($0) / 1e6) }.joined(separator: " / ") }

        /// `{"per_s", "p50_ms", "p99_ms", "p999_ms", "max_ms"}`.
        func write(into json: inout JSONWriter) {
            json.beginObject()
            json.key("per_s"); json.number(perSecond, decimals: 0)
            for (name, q) in [("p50_ms", 0.5), ("p99_ms", 0.99), ("p999_ms", 0.999), ("max_ms", 1.0)] {
                json.key(name); json.number(latency.quantile(q) / 1e6, decimals: 3)
            }
            json.endObject()
        }
    }

    /// `open` connects one client (and authenticates it) and returns its descriptor; `bursts`
    /// are each connection's requests, `inFlight` to a burst, written before the clock starts.
    static func run(connections: Int, inFlight: Int, seconds: Double, protocol kind: ReplyProtocol,
                    open: @escaping @Sendable () throws -> Int32,
                    bursts: @escaping @Sendable (Int) -> [[UInt8]]) throws -> Result {
        let deadline = Clock.now() + UInt64(seconds * 1e9)
        let group = DispatchGroup()
        let failures = Counter()
        let total = Counter()
        let latencies = TimingsBox()
        let started = Clock.now()
        for connection in 0..<connections {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                guard let descriptor = try? open() else { return failures.add(1) }
                defer { close(descriptor) }
                let prepared = bursts(connection)
                let count = kind.counter()
                var timings = Timings(capacity: 1 << 20)
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                var round = 0
                while Clock.now() < deadline {
                    let burst = prepared[round % prepared.count]
                    let sentAt = Clock.now()
                    guard Self.write(descriptor, burst) else { return failures.add(1) }
                    var answered = 0
                    while answered < inFlight {
                        let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                        guard got > 0 else { return failures.add(1) }
                        let (replies, failed) = buffer.withUnsafeBytes { count(UnsafeRawBufferPointer(rebasing: $0[..<got])) }
                        guard !failed else { return failures.add(1) }
                        let now = Double(Clock.now() - sentAt)
                        for _ in 0..<replies { timings.record(now) }
                        answered += replies
                    }
                    round += 1
                }
                total.add(round * inFlight)
                latencies.add(timings)
            }
        }
        group.wait()
        if failures.value > 0 { throw HarnessFailure("\(failures.value) of \(connections) connections failed (an error reply or a closed connection)") }
        return Result(replies: total.value, seconds: Double(Clock.now() - started) / 1e9, latency: latencies.timings)
    }

    /// `count` bursts of `inFlight` requests for one connection, from its own seeded generator.
    static func bursts(connection: Int, inFlight: Int, count: Int = 256,
                       _ request: (Int, inout SeededGenerator) -> [UInt8]) -> [[UInt8]] {
        var random = SeededGenerator(seed: UInt64(connection + 1))
        var sent = 0
        return (0..<count).map { _ in
            var burst: [UInt8] = []
            for _ in 0..<inFlight {
                burst += request(sent, &random)
                sent += 1
            }
            return burst
        }
    }

    /// A TCP connection to sevad, signed in with `token`.
    static func authenticated(port: Int, token: String) throws -> Int32 {
        let descriptor = try SocketConnect.tcp(host: "127.0.0.1", port: port)
        do {
            try exchange(descriptor, Array("AUTH \(token)\n".utf8), replies: 1, protocol: .lines)
        } catch {
            close(descriptor)
            throw error
        }
        return descriptor
    }

    static func write(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    /// Sends `bytes` and reads until `replies` replies have come (set-up: AUTH, loading).
    static func exchange(_ descriptor: Int32, _ bytes: [UInt8], replies: Int, protocol kind: ReplyProtocol) throws {
        guard write(descriptor, bytes) else { throw HarnessFailure("write failed") }
        let count = kind.counter()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var answered = 0
        while answered < replies {
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard got > 0 else { throw HarnessFailure("the connection closed during set-up") }
            let (counted, failed) = buffer.withUnsafeBytes { count(UnsafeRawBufferPointer(rebasing: $0[..<got])) }
            guard !failed else { throw HarnessFailure("an error reply during set-up") }
            answered += counted
        }
    }
}
