import Testing
@testable import SevaWire

@Suite struct ReplyEncoderTests {
    func text(_ build: (inout [UInt8]) -> Void) -> String {
        var output: [UInt8] = []
        build(&output)
        return String(decoding: output, as: UTF8.self)
    }

    @Test func everyReplyIsOneLine() {
        var json = JSONWriter()
        json.beginObject(); json.key("id"); json.integer(42); json.endObject()
        #expect(text { ReplyEncoder.ok(into: &$0) } == "OK\n")
        #expect(text { ReplyEncoder.ok(json, into: &$0) } == "OK {\"id\":42}\n")
        #expect(text { ReplyEncoder.event("offer", json, into: &$0) } == "EVT offer {\"id\":42}\n")
        #expect(text { ReplyEncoder.error(.badArgument("lat", "must be finite"), into: &$0) } == "ERR BADARG lat: must be finite\n")
    }

    @Test func messagesCannotBreakTheLine() {
        let line = text { ReplyEncoder.error(WireError(.proto, "bad\r\nOK injected\u{0}"), into: &$0) }
        #expect(line == "ERR PROTO bad  OK injected \n")
        #expect(line.filter { $0 == "\n" }.count == 1)
    }
}
