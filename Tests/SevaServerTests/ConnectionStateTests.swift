import SevaCore
import SevaWire
import Testing
@testable import SevaServer

/// The connection's rules as a value: events in, actions out, no channel and no clock.
@Suite struct ConnectionStateTests {
    /// A hand-set monotonic clock.
    final class Clock: @unchecked Sendable {
        var now = 1_000.0
    }

    static let admin = Principal(role: .admin)
    static let worker = Principal(role: .worker, worker: "w-1")

    func state(_ principal: Principal = Self.admin, clock: Clock = Clock(),
               _ adjust: (inout Configuration.Server) -> Void = { _ in }) -> ConnectionState {
        var settings = Configuration.Server()
        adjust(&settings)
        return ConnectionState(principal: principal, settings: settings, clock: { clock.now })
    }

    // MARK: - Reading the actions

    /// The text of every write, in order, and whether the last one closes.
    func written(_ actions: [ConnectionState.Action]) -> (text: [String], closes: Bool) {
        var text: [String] = []
        var closes = false
        for case .write(let chunks, let thenClose) in actions {
            text += chunks.map { String(decoding: $0, as: UTF8.self) }
            closes = thenClose
        }
        return (text, closes)
    }

    func runs(_ actions: [ConnectionState.Action]) -> [(numbers: [Int], principal: Principal)] {
        actions.compactMap {
            guard case .run(let work, let principal) = $0 else { return nil }
            return (work.map(\.number), principal)
        }
    }

    func reading(_ actions: [ConnectionState.Action]) -> [String] {
        actions.compactMap {
            switch $0 {
            case .pauseReading(let behind): behind ? "pause-behind" : "pause-output"
            case .resumeReading: "resume"
            default: nil
            }
        }
    }

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func reply(_ text: String) -> Reply { Reply(bytes: Array((text + "\n").utf8)) }

    // MARK: - Order

    @Test func repliesTheConnectionAnswersItselfGoInOneWriteInOrder() {
        var connection = state()
        let actions = connection.received(bytes("PING\nHELLO\nPING\n"))
        let (text, closes) = written(actions)
        #expect(actions.count == 1)
        #expect(text.count == 3)
        #expect(text[0] == "OK\n" && text[2] == "OK\n")
        #expect(text[1].contains("\"server\":\"sevad\""))
        #expect(!closes)
    }

    @Test func aReplyAnsweredEarlyWaitsForTheEngineReplyBeforeIt() {
        var connection = state()
        let first = connection.received(bytes("WORKER GET w-1\nPING\n"))
        #expect(written(first).text.isEmpty, "the PING's reply waits behind the engine's")
        #expect(runs(first).map(\.numbers) == [[0]])
        let done = connection.engineFinished([(0, reply("{\"id\":\"w-1\"}"))], gaveBack: [])
        #expect(written(done).text == ["{\"id\":\"w-1\"}\n", "OK\n"])
    }

    @Test func linesReadWhileTheEngineHasABatchWaitAndRunInOneBatchAfterIt() {
        var connection = state()
        #expect(runs(connection.received(bytes("WORKER GET a\n"))).count == 1)
        let held = connection.received(bytes("WORKER GET b\nWORKER GET c\n"))
        #expect(runs(held).isEmpty && written(held).text.isEmpty)
        #expect(connection.backlog == 3)
        let after = connection.engineFinished([(0, reply("a"))], gaveBack: [])
        #expect(written(after).text == ["a\n"])
        #expect(runs(after).map(\.numbers) == [[1, 2]])
    }

    @Test func aBadLineGetsItsErrorInTurnAndChangesNothing() {
        var connection = state()
        let actions = connection.received(bytes("FLY me\nPING\n"))
        let text = written(actions).text
        #expect(text.count == 2)
        #expect(text[0].hasPrefix("ERR "))
        #expect(text[1] == "OK\n")
        #expect(connection.lifecycle == .open)
        #expect(connection.principal == Self.admin)
    }

    // MARK: - AUTH

    @Test func linesAfterAnAuthWaitForItsVerdictAndRunWithTheNewRole() {
        var connection = state(.anonymous)
        let sent = connection.received(bytes("AUTH secret\nWORKER GET w-9\n"))
        guard case .authenticate(let token, let number)? = sent.first else {
            Issue.record("expected an AUTH to judge, got \(sent)")
            return
        }
        #expect(token == "secret" && number == 0)
        #expect(runs(sent).isEmpty, "the WORKER GET waits for the verdict")
        let booker = Principal(role: .booker, client: "portal")
        let judged = connection.authenticated(.valid(booker), number: 0)
        #expect(written(judged).text.first?.contains("\"role\":\"booker\"") == true)
        #expect(runs(judged).map(\.numbers) == [[1]])
        #expect(runs(judged).first?.principal == booker)
    }

    @Test func linesBeforeAnAuthRunWithTheOldRoleFirst() {
        var connection = state(.anonymous)
        let actions = connection.received(bytes("HELLO\nAUTH t\n"))
        #expect(written(actions).text.first?.contains("\"role\":null") == true)
        #expect(actions.contains { if case .authenticate = $0 { true } else { false } })
    }

    @Test func aRefusedAuthWaitsOutItsBackOffAndTheLastFailureCloses() {
        var connection = state(.anonymous) { $0.authFailures = 2 }
        _ = connection.received(bytes("AUTH bad\n"))
        let verdict = connection.authenticated(.unknown, number: 0)
        guard case .backOff(0, let reason)? = verdict.first else {
            Issue.record("expected a back-off, got \(verdict)")
            return
        }
        let first = connection.refuseAuth(0, reason: reason)
        #expect(written(first).text == ["ERR DENIED invalid token\n"])
        #expect(!written(first).closes)
        _ = connection.received(bytes("AUTH bad\n"))
        let last = connection.refuseAuth(1, reason: reason)
        #expect(written(last).text.first?.contains("too many failures") == true)
        #expect(written(last).closes)
        #expect(connection.lifecycle == .closed)
    }

    // MARK: - Closing

    @Test func quitAnswersThenClosesAndNothingAfterItRuns() {
        var connection = state()
        let actions = connection.received(bytes("PING\nQUIT\nPING\nWORKER GET x\n"))
        let (text, closes) = written(actions)
        #expect(text == ["OK\n", "OK\n"])
        #expect(closes)
        #expect(runs(actions).isEmpty)
        #expect(connection.received(bytes("PING\n")).isEmpty)
    }

    @Test func aLineTooLongIsRefusedAfterTheRepliesBeforeItAndCloses() {
        var connection = state { $0.maxLineBytes = 16 }
        let actions = connection.received(bytes("PING\n" + String(repeating: "x", count: 40)))
        let (text, closes) = written(actions)
        #expect(text.count == 2)
        #expect(text[0] == "OK\n")
        #expect(text[1].contains("TOOLONG"))
        #expect(closes)
    }

    @Test func aHalfClosedConnectionClosesOnceEveryRequestIsAnswered() {
        var connection = state()
        _ = connection.received(bytes("WORKER GET a\n"))
        #expect(connection.clientClosedInput().isEmpty, "the engine still owes a reply")
        let done = connection.engineFinished([(0, reply("a"))], gaveBack: [])
        #expect(written(done).text == ["a\n"])
        #expect(written(done).closes)
    }

    @Test func anEndedSessionWritesOneNoAuthAndNothingAfter() {
        var connection = state()
        _ = connection.received(bytes("WORKER GET a\n"))
        let ended = connection.sessionEnded("token revoked")
        #expect(written(ended).text == ["ERR NOAUTH token revoked; closing\n"])
        #expect(written(ended).closes)
        #expect(connection.engineFinished([(0, reply("a"))], gaveBack: []).isEmpty)
        #expect(!connection.acceptsEvents)
    }

    @Test func idleClosesAnOpenConnectionButNotOneSevadStoppedReading() {
        var reading = state()
        #expect(written(reading.idle()).text.first?.contains("idle") == true)
        var paused = state()
        _ = paused.outputWritable(false)
        #expect(paused.idle().isEmpty)
    }

    // MARK: - Backpressure

    @Test func readingPausesPastMaxInflightAndResumesAtHalf() {
        var connection = state { $0.maxInFlight = 4 }
        _ = connection.received(bytes("WORKER GET a\n"))
        let more = connection.received(bytes((1...5).map { "WORKER GET \($0)\n" }.joined()))
        #expect(reading(more) == ["pause-behind"])
        let after = connection.engineFinished([(0, reply("a"))], gaveBack: [])
        #expect(runs(after).map(\.numbers) == [[1, 2, 3, 4, 5]])
        #expect(reading(after).isEmpty, "five unanswered is still above half of four")
        let done = connection.engineFinished((1...5).map { ($0, reply("\($0)")) }, gaveBack: [])
        #expect(reading(done) == ["resume"])
        #expect(written(done).text.count == 5)
    }

    @Test func readingFollowsTheOutputsWritability() {
        var connection = state()
        #expect(reading(connection.outputWritable(false)) == ["pause-output"])
        #expect(reading(connection.outputWritable(true)) == ["resume"])
    }

    @Test func workGivenBackRunsOnlyOnceTheOutputDrainsAndOnALaterTurn() throws {
        var connection = state()
        _ = connection.received(bytes("WORKER GET a\nWORKER GET b\nWORKER GET c\n"))
        _ = connection.outputWritable(false)
        let decision = try Permissions.check(.workerGet(id: "b"), for: Self.admin).get()
        let back: [EngineWork] = [(1, .workerGet(id: "b"), decision), (2, .workerGet(id: "c"), decision)]
        let finished = connection.engineFinished([(0, reply("a"))], gaveBack: back)
        #expect(written(finished).text == ["a\n"])
        #expect(runs(finished).isEmpty, "the output has not drained")
        #expect(runs(connection.received(bytes("PING\n"))).isEmpty, "new lines wait behind the given-back work")
        let drained = connection.outputWritable(true)
        #expect(runs(drained).map(\.numbers) == [[1, 2]])
    }

    // MARK: - Ping budget

    @Test func aWorkerOverItsPingRateIsToldToSlowDownUntilTheBucketRefills() {
        let clock = Clock()
        var connection = state(Self.worker, clock: clock) { $0.maxPingsPerSecond = 2 }
        let burst = connection.received(bytes("LOC 27.5 78.0\nLOC 27.5 78.0\nLOC 27.5 78.0\n"))
        #expect(runs(burst).map(\.numbers) == [[0, 1]])
        #expect(written(burst).text.isEmpty, "the refusal waits behind the two accepted pings")
        let answered = connection.engineFinished([(0, .ok), (1, .ok)], gaveBack: [])
        #expect(written(answered).text.last?.contains("max_pings_per_s") == true)
        clock.now += 1
        let later = connection.received(bytes("LOC 27.5 78.0\n"))
        #expect(runs(later).map(\.numbers) == [[3]])
    }
}
