import SevaCore
#if canImport(Glibc)
import Glibc
#endif

/// The simulator's single-threaded event loop: timers on a heap and `poll(2)` over every
/// link. Everything the simulation does runs here, one thing at a time, so a seed decides it.
final class Reactor {
    private struct Timer: Comparable {
        let time: Double
        let order: UInt64
        static func < (lhs: Timer, rhs: Timer) -> Bool { (lhs.time, lhs.order) < (rhs.time, rhs.order) }
        static func == (lhs: Timer, rhs: Timer) -> Bool { lhs.order == rhs.order }
    }

    private var timers = BinaryHeap<Timer>()
    private var actions: [UInt64: () -> Void] = [:]
    private var nextOrder: UInt64 = 0
    private(set) var links: [SimLink] = []
    private let origin = Reactor.monotonic()

    /// Real seconds since the reactor was made.
    var now: Double { Reactor.monotonic() - origin }

    static func monotonic() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// Wall-clock Unix seconds, for `ts=` and `at=`.
    static func unixTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    func add(_ link: SimLink) { links.append(link) }

    /// Stops serving `link` (it closes when the last reference goes).
    func remove(_ link: SimLink) { links.removeAll { $0 === link } }

    /// Runs `action` at `time` (reactor seconds), or at once if that has passed.
    func at(_ time: Double, _ action: @escaping () -> Void) {
        nextOrder += 1
        timers.push(Timer(time: time, order: nextOrder))
        actions[nextOrder] = action
    }

    func after(_ seconds: Double, _ action: @escaping () -> Void) { at(now + seconds, action) }

    /// Runs timers and I/O until `deadline` or until `done` says so; throws when a link closes.
    func run(until deadline: Double = .infinity, done: () -> Bool = { false }) throws {
        var descriptors: [pollfd] = []
        while true {
            var moment = now
            while let top = timers.top, top.time <= moment {
                _ = timers.pop()
                actions.removeValue(forKey: top.order)?()
                moment = now
            }
            for link in links where link.hasOutput {
                guard link.flush() else { throw SimulationError("sevad closed a connection") }
            }
            if done() || moment >= deadline { return }
            let wake = min(deadline, timers.top?.time ?? .infinity)
            let timeout = Int32(max(0, min(100, (wake - moment) * 1_000)).rounded(.up))
            descriptors.removeAll(keepingCapacity: true)
            for link in links {
                descriptors.append(pollfd(fd: link.descriptor, events: Int16(POLLIN) | (link.hasOutput ? Int16(POLLOUT) : 0), revents: 0))
            }
            guard poll(&descriptors, nfds_t(descriptors.count), timeout) >= 0 || errno == EINTR else {
                throw SimulationError("poll failed: errno \(errno)")
            }
            let received = now
            for (index, entry) in descriptors.enumerated() where entry.revents != 0 {
                let link = links[index]
                if entry.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                    guard link.receive(now: received) else { throw SimulationError("sevad closed a connection") }
                }
            }
        }
    }
}

/// Why a simulation could not go on.
struct SimulationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
