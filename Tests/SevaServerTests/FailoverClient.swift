import Foundation
import SevaClient

/// One request a sevad acknowledged to a failover client: a booking (`state` "booked", with its
/// `ref`) or a worker's step (`state` the job's state after it, with the worker).
struct Acknowledgement {
    let job: Int64
    let state: String
    let worker: String?
    let ref: String?
    let node: String
    let at: Date
}

/// A booking gateway that never stops: over TCP with a token, it books a job, answers each
/// `EVT offer` for its workers with ACCEPT, ARRIVED, START and DONE, and records every reply
/// that was OK. When its sevad refuses (`ERR UNAVAILABLE`), goes silent or closes, it tries the
/// next address, says AVAIL and LOC again for its workers (phones re-send their positions) and
/// goes on where it was — as the README's reconnect story tells a gateway to.
/// `@unchecked Sendable`: its own thread runs the loop; the lock guards what the test reads.
final class FailoverClient: @unchecked Sendable {
    private static let steps = [("ACCEPT", "assigned"), ("ARRIVED", "arrived"), ("START", "started"), ("DONE", "completed")]

    /// A job offered to one of the workers, and the next step to take on it.
    private struct Cycle {
        let job: Int64
        let worker: String
        var step = 0
    }

    private let hosts: [(node: String, address: String, port: Int)]
    private let token: String
    private let workers: [String]
    private let lock = NSLock()
    private var acknowledged: [Acknowledgement] = []
    private var surprises: [String] = []
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    private var link: EventClient?
    private var node = ""
    private var eventsRead = 0
    private var cycles: [Cycle] = []
    private var bookings = 0

    init(hosts: [(node: String, address: String, port: Int)], token: String, workers: [String]) {
        self.hosts = hosts
        self.token = token
        self.workers = workers
    }

    func start() { Thread.detachNewThread { self.run() } }

    /// Ends the loop and waits for it; again, does nothing.
    func stop() {
        guard locked({ () -> Bool in
            defer { running = false }
            return running
        }) else { return }
        finished.wait()
    }

    var acknowledgements: [Acknowledgement] { locked { acknowledged } }
    /// Replies neither OK nor what a failover explains.
    var unexpectedReplies: [String] { locked { surprises } }

    /// How many jobs were completed with an acknowledgement after `moment`.
    func completed(after moment: Date) -> Int {
        locked { acknowledged.filter { $0.state == "completed" && $0.at > moment }.count }
    }

    /// The first acknowledgement after `moment` (by the sevad named `node`, if one is).
    func first(after moment: Date, on node: String?) -> Acknowledgement? {
        locked { acknowledged.first { $0.at > moment && (node == nil || $0.node == node) } }
    }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    private var isRunning: Bool { locked { running } }

    private func run() {
        while isRunning {
            guard let link = link ?? connect() else {
                usleep(100_000)
                continue
            }
            takeOffers(from: link)
            if !cycles.isEmpty {
                advanceFirstCycle(on: link)
                continue
            }
            let ref = "gw-\(bookings)"
            let reply = link.ask("JOB NEW skill=plumber lat=27.5960 lon=78.0500 ref=\(ref)")
            guard reply.hasPrefix("OK "), let id = JSONField.value(reply, "id").flatMap({ Int64($0) }) else {
                failed(reply)
                continue
            }
            record(Acknowledgement(job: id, state: "booked", worker: nil, ref: ref, node: node, at: Date()))
            bookings += 1
            link.awaitEvents(eventsRead + 1, seconds: 0.5)
        }
        finished.signal()
    }

    /// The first address whose sevad takes the token; the workers announced again there.
    private func connect() -> EventClient? {
        for host in hosts {
            guard let connection = try? LineConnection(host: host.address, port: host.port, timeoutSeconds: 3) else { continue }
            let client = EventClient(connection)
            guard client.ask("AUTH \(token)").hasPrefix("OK") else { continue }
            var announced = true
            for worker in workers where announced {
                announced = client.ask("LOC \(worker) 27.5960 78.0500") == "OK" && client.ask("AVAIL \(worker) on") == "OK"
            }
            guard announced else { continue }
            link = client
            node = host.node
            eventsRead = 0
            return client
        }
        return nil
    }

    private func takeOffers(from link: EventClient) {
        while eventsRead < link.events.count {
            let event = link.events[eventsRead]
            eventsRead += 1
            guard event.hasPrefix("EVT offer "), let job = JSONField.value(event, "job").flatMap({ Int64($0) }),
                  let worker = JSONField.value(event, "worker"), !cycles.contains(where: { $0.job == job }) else { continue }
            cycles.append(Cycle(job: job, worker: worker))
        }
    }

    /// Takes the cycle's next step. A step refused as CONFLICT may have been committed with its
    /// reply lost in a failover: the next one tells. A step refused otherwise ends the cycle.
    private func advanceFirstCycle(on link: EventClient) {
        let cycle = cycles[0]
        let (verb, state) = Self.steps[cycle.step]
        let reply = link.ask("\(verb) \(cycle.worker) \(cycle.job)")
        var next = cycle.step + 1
        if reply == "OK" {
            record(Acknowledgement(job: cycle.job, state: state, worker: cycle.worker, ref: nil, node: node, at: Date()))
        } else if isFailover(reply) {
            failed(reply)
            return
        } else if !reply.hasPrefix("ERR CONFLICT") {
            next = Self.steps.count
        }
        if next >= Self.steps.count { cycles.removeFirst() } else { cycles[0].step = next }
    }

    private func isFailover(_ reply: String) -> Bool { reply.hasPrefix("ERR UNAVAILABLE") || reply == "<closed>" }

    /// A reply that was not OK: a failover's drops the connection (the next is tried); anything
    /// else is kept for the test to show.
    private func failed(_ reply: String) {
        if isFailover(reply) {
            link = nil
        } else {
            locked { surprises.append(reply) }
        }
    }

    private func record(_ acknowledgement: Acknowledgement) { locked { acknowledged.append(acknowledgement) } }
}

/// Books through one sevad's admin Unix socket, which a cut network does not reach: whatever that
/// sevad acknowledges once another has taken over would be a write the fence let through.
/// `@unchecked Sendable`: its own thread runs the loop; the lock guards what the test reads.
final class LocalBooker: @unchecked Sendable {
    private let socketPath: String
    private let lock = NSLock()
    private var acknowledged: [Acknowledgement] = []
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    init(socketPath: String) { self.socketPath = socketPath }

    func start() { Thread.detachNewThread { self.run() } }

    func stop() {
        lock.withLock { running = false }
        finished.wait()
    }

    var acknowledgements: [Acknowledgement] { lock.withLock { acknowledged } }

    private func run() {
        var connection: LineConnection?
        var index = 0
        while lock.withLock({ running }) {
            guard let link = connection ?? (try? LineConnection(unixPath: socketPath, timeoutSeconds: 2)) else {
                usleep(100_000)
                continue
            }
            connection = link
            let ref = "local-\(index)"
            let reply = link.ask("JOB NEW skill=cook lat=27.5960 lon=78.0500 ref=\(ref)")
            if reply.hasPrefix("OK "), let id = JSONField.value(reply, "id").flatMap({ Int64($0) }) {
                lock.withLock { acknowledged.append(Acknowledgement(job: id, state: "booked", worker: nil, ref: ref, node: "local", at: Date())) }
                index += 1
            } else {
                // A reply that timed out would answer the next request: start afresh.
                connection = nil
                usleep(50_000)
            }
        }
        finished.signal()
    }
}
