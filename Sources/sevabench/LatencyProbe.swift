import Foundation
import SevaClient
import SevaCore

/// Latency under a fixed offered load: requests go out on a schedule whatever the replies do
/// (open loop, so a slow server cannot slow the load down), and each one's latency runs from
/// when it left to when its reply arrived.
enum LatencyProbe {
    /// Sends `rate` requests a second in total over `connections` pipelining connections for
    /// `warmUp` + `seconds`; returns the latency in nanoseconds of every request sent after the
    /// warm-up (which lets the connections and the server's caches settle).
    static func openLoop(port: Int, token: String, rate: Double, connections: Int, seconds: Double, warmUp: Double = 0.5,
                         request: @escaping @Sendable (inout SeededGenerator) -> String) throws -> Timings {
        let collected = TimingsBox()
        let failures = Counter()
        let group = DispatchGroup()
        let perConnection = rate / Double(connections)
        for connection in 0..<connections {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                guard let client = try? LineConnection(port: port), client.ask("AUTH \(token)").hasPrefix("OK") else {
                    failures.add(1)
                    return
                }
                var random = SeededGenerator(seed: UInt64(100 + connection))
                let total = Int(perConnection * (warmUp + seconds))
                let measuredFrom = Int(perConnection * warmUp)
                let requests = (0..<min(total, 4_096)).map { _ in Array(request(&random).utf8) }
                let interval = 1e9 / perConnection
                var sentAt = [UInt64](repeating: 0, count: total)
                var timings = Timings(capacity: total)
                let start = Clock.now()
                var sent = 0
                var received = 0
                while received < total {
                    // Every request that is due goes out now, stamped with when it left; then
                    // replies are read as they arrive until the next one is due.
                    let now = Clock.now()
                    var burst: [UInt8] = []
                    while sent < total, Double(sent) * interval <= Double(now - start) {
                        burst += requests[sent % requests.count]
                        sentAt[sent] = now
                        sent += 1
                    }
                    if !burst.isEmpty, !client.send(burst) { failures.add(1); return }
                    let untilNext = sent < total ? Double(sent) * interval - Double(Clock.now() - start) : 5e7
                    let waitMs = Int32(max(1, min(untilNext / 1e6, 50)))
                    if received < sent {
                        guard client.hasInput(withinMilliseconds: waitMs) else { continue }
                        guard let reply = client.line(), reply.hasPrefix("OK") else { failures.add(1); return }
                        if received >= measuredFrom { timings.record(Double(Clock.now() - sentAt[received])) }
                        received += 1
                    } else if untilNext > 0 {
                        usleep(UInt32(untilNext / 1_000))
                    }
                }
                collected.add(timings)
            }
        }
        group.wait()
        if failures.value > 0 { throw HarnessFailure("\(failures.value) latency connections failed") }
        return collected.timings
    }

    /// Asks `request` every `everyMilliseconds` on its own connection until `stop` is set;
    /// returns each answer's latency in nanoseconds.
    static func sample(_ client: LineConnection, request: String, everyMilliseconds: UInt32,
                       while running: @Sendable () -> Bool) -> Timings {
        var timings = Timings(capacity: 1_000)
        let bytes = Array((request + "\n").utf8)
        while running() {
            let start = Clock.now()
            guard client.send(bytes), client.line()?.hasPrefix("OK") == true else { break }
            timings.record(Double(Clock.now() - start))
            usleep(everyMilliseconds * 1_000)
        }
        return timings
    }
}

/// Timings gathered from several threads. `@unchecked Sendable`: guarded by `lock`.
final class TimingsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var all = Timings(capacity: 0)
    func add(_ timings: Timings) {
        lock.lock()
        for sample in timings.samples { all.record(sample) }
        lock.unlock()
    }
    var timings: Timings { lock.lock(); defer { lock.unlock() }; return all }
}
