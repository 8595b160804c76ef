import Foundation
import SevaClient
import Testing

/// Reads of the store on the real daemon (issue 15): JOB LIST filters and pages in SQL, and
/// store reads run off the engine loop (a read reached from the loop traps in the debug build
/// these tests run, so every test here doubles as that check).
@Suite(.serialized) struct DaemonStoreReadsTests {
    func directory() -> String { NSTemporaryDirectory() + "sevad-reads-\(getpid())-\(UUID().uuidString.prefix(6))" }

    /// `count` jobs booked for tomorrow and cancelled, pipelined over the admin socket.
    func cancelledJobs(_ count: Int, skill: String, on admin: LineConnection) {
        let tomorrow = Int(Date().timeIntervalSince1970) + 86_400
        admin.send((0..<count).map { _ in "JOB NEW skill=\(skill) lat=27.5960 lon=78.0500 at=\(tomorrow)\n" }.joined())
        #expect(admin.awaitOK(count))
        let ids = admin.ask("JOB LIST state=scheduled limit=10000")
        let numbers = ids.components(separatedBy: #""id":"#).dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        admin.send(numbers.map { "JOB CANCEL \($0)\n" }.joined())
        #expect(admin.awaitOK(numbers.count))
    }

    func ids(_ reply: String) -> [Int] {
        reply.components(separatedBy: #"{"id":"#).dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
    }

    @Test func jobListFiltersInTheStoreAndPagesAfterARestart() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var daemon = try DaemonProcess(directory: path, arguments: ["--dispatch.accept", "auto"])
        var admin = try LineConnection(unixPath: daemon.socketPath, timeoutSeconds: 60)
        cancelledJobs(600, skill: "cook", on: admin)
        // The device commands make their connection hear w1's events: keep them apart from replies.
        let desk = EventClient(admin)
        #expect(desk.ask("WORKER ADD w1 skills=plumber verified=yes") == "OK")
        #expect(desk.ask("LOC w1 27.5961 78.0500 acc=5") == "OK")
        #expect(desk.ask("AVAIL w1 on") == "OK")
        let booked = desk.ask("JOB NEW skill=plumber lat=27.5960 lon=78.0500")
        let job = try #require(JSONField.value(booked, "id"))
        for step in ["ARRIVED", "START", "DONE"] { #expect(desk.ask("\(step) w1 \(job)") == "OK") }
        daemon.stop()

        daemon = try DaemonProcess(directory: path)
        defer { daemon.stop() }
        admin = try LineConnection(unixPath: daemon.socketPath, timeoutSeconds: 60)
        #expect(ids(admin.ask("JOB LIST state=completed")) == [Int(job)!], "the completed job after 600 cancelled ones")
        var pages: [[Int]] = []
        var after = 0
        repeat {
            pages.append(ids(admin.ask("JOB LIST state=cancelled skill=cook limit=250 after=\(after)")))
            after = pages.last?.last ?? after
        } while !(pages.last?.isEmpty ?? true)
        #expect(pages.map(\.count) == [250, 250, 100, 0], "\(pages.map(\.count))")
        #expect(pages.joined().sorted() == Array(1...600), "every cancelled job once, in order")
        #expect(admin.ask("JOB LIST skill=plumber state=cancelled") == "OK []")
        #expect(ids(admin.ask("JOB LIST skill=plumber")) == [Int(job)!])
    }

    @Test func storeReadsLeaveTheEngineLoopFree() throws {
        let path = directory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        var daemon = try DaemonProcess(directory: path)
        var admin = try LineConnection(unixPath: daemon.socketPath, timeoutSeconds: 60)
        cancelledJobs(3_000, skill: "cook", on: admin)
        admin.send((0..<500).map { "WORKER ADD n\($0) skills=plumber verified=yes\nLOC n\($0) 27.5\($0 % 10)0 78.05 acc=5\nAVAIL n\($0) on\n" }.joined())
        #expect(admin.awaitOK(1_500))
        daemon.stop()
        // After a restart the closed jobs are in the store only: every read below goes to disk.
        daemon = try DaemonProcess(directory: path)
        defer { daemon.stop() }
        admin = try LineConnection(unixPath: daemon.socketPath, timeoutSeconds: 120)
        let socket = daemon.socketPath
        let readersDone = LockedText()
        let reader = Thread {
            guard let heavy = try? LineConnection(unixPath: socket, timeoutSeconds: 120) else { return }
            var requests = ""
            for round in 0..<40 {
                requests += "FEED since=0 limit=10000\nJOB LIST limit=100 after=\(round * 50)\nJOB GET \(round + 1)\nTOKEN LIST\n"
            }
            heavy.send(requests)
            readersDone.append(heavy.awaitOK(160) ? "all answered" : "an error")
        }
        reader.start()
        let near = try LineConnection(unixPath: daemon.socketPath)
        var slowest = 0.0
        for _ in 0..<300 {
            let start = Date()
            #expect(near.ask("NEAR 27.55 78.05 skill=plumber radius_km=10 limit=10").hasPrefix("OK ["))
            slowest = max(slowest, Date().timeIntervalSince(start))
        }
        #expect(waitUntil(60) { !readersDone.value.isEmpty })
        #expect(readersDone.value == "all answered")
        let stats = admin.ask("STATS")
        let longest = try #require(JSONField.value(stats, "max_batch_ms").flatMap(Double.init))
        #expect(longest < 25, "the engine loop was held \(longest) ms (debug build) while readers paged the store")
        #expect(slowest < 0.5, "a NEAR waited \(slowest) s behind the readers")
        print("store reads alongside NEAR: engine loop held at most \(longest) ms, slowest NEAR \(Int(slowest * 1000)) ms")
    }
}
