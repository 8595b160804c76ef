import Foundation
import SevaClient
import SevaStore
import Testing
@testable import SevaServer

/// The real daemon under mixed load — pings, bookings, accepts, declines, completions —
/// killed with SIGKILL at random moments, cycle after cycle. After each kill an independent
/// checker reads the SQLite file itself: every acknowledged booking and transition is there,
/// no worker is on two jobs, every job's history ends in its state; and after each restart no
/// offer is left pending past its deadline. `SEVAD_CRASH_CYCLES` sets the number of cycles
/// (`make crashtest` runs 200).
@Suite(.serialized) struct DispatchCrashTests {
    static let workers = (0..<16).map { "k\($0)" }

    /// What the clients were told was done, gathered across threads.
    final class Acknowledged: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var refs: [String] = []
        private(set) var steps: [(job: Int, state: String, worker: String)] = []
        func booked(_ ref: String) { lock.lock(); refs.append(ref); lock.unlock() }
        func stepped(_ job: Int, _ state: String, _ worker: String) { lock.lock(); steps.append((job, state, worker)); lock.unlock() }
        var snapshot: (refs: [String], steps: [(job: Int, state: String, worker: String)]) {
            lock.lock(); defer { lock.unlock() }
            return (refs, steps)
        }
    }

    @Test func killedAtRandomMomentsLosesNothingAcknowledged() throws {
        let cycles = Int(ProcessInfo.processInfo.environment["SEVAD_CRASH_CYCLES"] ?? "") ?? 20
        let arguments = ["--dispatch.offer_timeout_s", "1.5", "--dispatch.max_offers", "8", "--dispatch.timeouts_to_away", "100"]
        var daemon = try DaemonProcess(arguments: arguments)
        let directory = daemon.directory
        let admin = try LineConnection(unixPath: daemon.socketPath)
        for worker in Self.workers {
            #expect(admin.ask("WORKER ADD \(worker) skills=plumber verified=yes") == "OK")
        }
        let gatewayToken = try DaemonTests().token(admin.ask("TOKEN ISSUE gateway"))
        let bookerToken = try DaemonTests().token(admin.ask("TOKEN ISSUE booker"))
        let acknowledged = Acknowledged()
        var random = SystemRandomNumberGenerator()
        for cycle in 0..<cycles {
            if cycle > 0 {
                daemon = try DaemonProcess(directory: directory, arguments: arguments)
                usleep(600_000)
                try expectNoOfferPastItsDeadline(directory, cycle: cycle)
            }
            let stop = Flag()
            let group = DispatchGroup()
            let port = daemon.port
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                Self.runPhones(port: port, token: gatewayToken, acknowledged: acknowledged, stop: stop)
            }
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                Self.runBookings(port: port, token: bookerToken, cycle: cycle, acknowledged: acknowledged, stop: stop)
            }
            usleep(UInt32.random(in: 300_000...1_200_000, using: &random))
            kill(daemon.process.processIdentifier, SIGKILL)
            daemon.process.waitUntilExit()
            stop.set()
            group.wait()
            try check(directory, acknowledged: acknowledged, cycle: cycle)
        }
        let final = try DaemonProcess(directory: directory, arguments: arguments)
        defer { final.stop() }
        usleep(600_000)
        try expectNoOfferPastItsDeadline(directory, cycle: cycles)
        let counts = acknowledged.snapshot
        #expect(counts.refs.count > 2 * cycles, "bookings were made and acknowledged (\(counts.refs.count))")
        for state in ["assigned", "declined", "completed"] {
            #expect(counts.steps.contains { $0.state == state }, "the load had \(state) jobs")
        }
    }

    /// A gateway for all the workers: keeps them pinging and available, and answers offers —
    /// mostly ACCEPT, sometimes DECLINE, sometimes not at all — then takes accepted jobs
    /// through ARRIVED, START and DONE.
    static func runPhones(port: Int, token: String, acknowledged: Acknowledged, stop: Flag) {
        guard let connection = try? LineConnection(port: port, timeoutSeconds: 2) else { return }
        let gateway = EventClient(connection)
        guard gateway.ask("AUTH \(token)").hasPrefix("OK") else { return }
        for (index, worker) in workers.enumerated() {
            let point = DaemonDispatchTests.east(Double(150 * index))
            guard gateway.ask("LOC \(worker) \(point)") == "OK", gateway.ask("AVAIL \(worker) on") == "OK" else { return }
        }
        var handled = 0
        var generator = SystemRandomNumberGenerator()
        while !stop.isSet {
            gateway.awaitEvents(handled + 1, seconds: 0.2)
            let events = gateway.events
            guard handled < events.count else { continue }
            let event = events[handled]
            handled += 1
            guard event.hasPrefix("EVT offer {"), let job = JSONField.value(event, "job").flatMap(Int.init),
                  let worker = JSONField.value(event, "worker") else { continue }
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<6:
                guard gateway.ask("ACCEPT \(worker) \(job)") == "OK" else { continue }
                acknowledged.stepped(job, "assigned", worker)
                for (verb, state) in [("ARRIVED", "arrived"), ("START", "started"), ("DONE", "completed")] {
                    guard gateway.ask("\(verb) \(worker) \(job)") == "OK" else { break }
                    acknowledged.stepped(job, state, worker)
                }
            case 6..<9:
                if gateway.ask("DECLINE \(worker) \(job) reason=busy") == "OK" { acknowledged.stepped(job, "declined", worker) }
            default:
                continue
            }
        }
    }

    /// A portal booking jobs near the workers, one after another, each with its own ref.
    static func runBookings(port: Int, token: String, cycle: Int, acknowledged: Acknowledged, stop: Flag) {
        guard let portal = try? LineConnection(port: port, timeoutSeconds: 2), portal.ask("AUTH \(token)").hasPrefix("OK") else {
            return
        }
        var number = 0
        while !stop.isSet {
            let ref = "c\(cycle)-\(number)"
            number += 1
            let reply = portal.ask("JOB NEW skill=plumber lat=27.5960 lon=78.0550 ref=\(ref)")
            if reply == "<closed>" { return }
            if reply.hasPrefix("OK") { acknowledged.booked(ref) }
            usleep(20_000)
        }
    }

    /// The independent checker: plain SQL on the file the killed daemon left.
    func check(_ directory: String, acknowledged: Acknowledged, cycle: Int) throws {
        let database = try SQLiteConnection(path: directory + "/sevad.db", mode: .readOnly)
        let (refs, steps) = acknowledged.snapshot
        let stored = try database.statement("SELECT ref FROM jobs WHERE ref IS NOT NULL").bind([])
        var present: Set<String> = []
        while try stored.step() { present.insert(stored.text(0)) }
        let missing = refs.filter { !present.contains($0) }
        #expect(missing.isEmpty, "cycle \(cycle): acknowledged bookings lost: \(missing.prefix(5))")
        var events: Set<String> = []
        let history = try database.statement("SELECT job, state, coalesce(worker, ''), detail FROM job_events").bind([])
        while try history.step() {
            let state = history.text(1)
            events.insert("\(history.int(0)) \(state) \(history.text(2))")
            if state == "searching", let decliner = JSONField.value(history.text(3), "declined_by") {
                events.insert("\(history.int(0)) declined \(decliner)")
            }
        }
        let lost = steps.filter { !events.contains("\($0.job) \($0.state) \($0.worker)") }
        #expect(lost.isEmpty, "cycle \(cycle): acknowledged transitions lost: \(lost.prefix(5))")
        let doubled = try database.integer("""
            SELECT count(*) FROM (SELECT worker FROM jobs WHERE state IN ('offered', 'assigned', 'arrived', 'started')
            AND worker IS NOT NULL GROUP BY worker HAVING count(*) > 1)
            """)
        #expect(doubled == 0, "cycle \(cycle): a worker holds two offers or jobs")
        let inconsistent = try database.integer("""
            SELECT count(*) FROM jobs j WHERE j.state != (SELECT e.state FROM job_events e WHERE e.job = j.id ORDER BY e.seq DESC LIMIT 1)
            """)
        #expect(inconsistent == 0, "cycle \(cycle): a job's history does not end in its state")
        #expect(try database.text("PRAGMA integrity_check") == "ok")
    }

    /// After a restart, an offer whose deadline passed while the daemon was down has moved on.
    func expectNoOfferPastItsDeadline(_ directory: String, cycle: Int) throws {
        let database = try SQLiteConnection(path: directory + "/sevad.db", mode: .readOnly)
        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        let stuck = try database.integer("SELECT count(*) FROM jobs WHERE state = 'offered' AND offer_deadline_ms < ?",
                                         [.integer(nowMs - 400)])
        #expect(stuck == 0, "cycle \(cycle): \(stuck) offers still pending past their deadline after the restart")
    }
}

/// A flag one thread sets and others read. `@unchecked Sendable`: guarded by `lock`.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
