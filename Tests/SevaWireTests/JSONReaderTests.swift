import Testing
@testable import SevaWire

@Suite struct JSONReaderTests {
    func parse(_ text: String) throws(JSONReader.Failure) -> JSONValue { try JSONReader.parse(Array(text.utf8)) }

    @Test func readsEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2.5e3, 0.25, true, false, null], "b": {"c": "d\"\\\/\n\u00e9\ud83d\ude00"}, "e": {}} "#)
        #expect(value["a"] == .array([.number(1), .number(-2500), .number(0.25), .bool(true), .bool(false), .null]))
        #expect(value["b"]?["c"] == .string("d\"\\/\né😀"))
        #expect(value["e"] == .object([:]))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("\"x\"") == .string("x"))
    }

    @Test func numbersAndTextsAsTrackersSendThem() throws {
        #expect(JSONValue.string("26.85").number == 26.85)
        #expect(JSONValue.number(861_234).text == "861234")
        #expect(JSONValue.number(1.5).text == nil)
        #expect(JSONValue.bool(true).number == nil)
    }

    @Test func refusesWhatIsNotJSON() {
        for text in ["", "{", "[1,]", "{\"a\":1,}", "{a:1}", "01", "1.", "-", "1e", "\"\\x\"", "\"\\ud800\"", "tru", "nul",
                     "[1] 2", "\"a\nb\"", "{\"a\" 1}", "1e999", String(repeating: "[", count: 40) + String(repeating: "]", count: 40)] {
            #expect(throws: JSONReader.Failure.self, "\(text)") { try parse(text) }
        }
        #expect(throws: JSONReader.Failure(reason: "expected ',' or ']'", offset: 3)) { try parse("[1 2]") }
    }
}
