import Testing
@testable import SevaServer

/// The schedule of session ends, in-process with explicit times.
@Suite struct SessionExpiriesTests {
    let first = TokenIdentity(prefix: "sv1_AAAAAAAA", hash: [1])
    let second = TokenIdentity(prefix: "sv1_BBBBBBBB", hash: [2])

    @Test func dueOnceInTimeOrderHoweverOftenScheduled() {
        var expiries = SessionExpiries()
        expiries.schedule(second, at: 200)
        for _ in 0..<5 { expiries.schedule(first, at: 100) }
        #expect(expiries.due(now: 99).isEmpty)
        #expect(expiries.due(now: 150) == [first], "one entry however many sign-ins")
        #expect(expiries.due(now: 150).isEmpty)
        #expect(expiries.due(now: 250) == [second])
    }

    @Test func aLaterScheduleReplacesTheEarlierOne() {
        var expiries = SessionExpiries()
        expiries.schedule(first, at: 1_000)
        expiries.schedule(first, at: 10)
        #expect(expiries.due(now: 20) == [first], "a rotation brings the end forward")
        #expect(expiries.due(now: 2_000).isEmpty, "and the old end is gone")
        expiries.schedule(second, at: 10)
        expiries.schedule(second, at: 500)
        #expect(expiries.due(now: 20).isEmpty)
        #expect(expiries.due(now: 600) == [second])
    }
}
