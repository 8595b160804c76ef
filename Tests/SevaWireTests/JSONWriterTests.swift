import Foundation
import Testing
@testable import SevaWire

@Suite struct JSONWriterTests {
    /// Parses the writer's output with Foundation, an independent JSON reader.
    func parse(_ writer: JSONWriter) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(writer.bytes), options: [.fragmentsAllowed])
    }

    @Test func nestedObjectsAndArraysGetTheirCommas() throws {
        var json = JSONWriter()
        json.beginObject()
        json.key("id"); json.integer(42)
        json.key("skills"); json.beginArray(); json.string("plumber"); json.string("mason"); json.endArray()
        json.key("verified"); json.bool(true)
        json.key("worker"); json.null()
        json.key("detail"); json.beginObject(); json.key("dist_m"); json.number(812.5); json.endObject()
        json.key("empty"); json.beginArray(); json.endArray()
        json.endObject()
        #expect(json.text == #"{"id":42,"skills":["plumber","mason"],"verified":true,"worker":null,"detail":{"dist_m":812.5},"empty":[]}"#)
        let object = try #require(try parse(json) as? [String: Any])
        #expect(object["id"] as? Int == 42)
    }

    @Test func stringsAreEscapedForOneLine() throws {
        let nasty = "a\"b\\c\nd\re\tf\u{0}g\u{1F}h\u{7F}i — हिन्दी 🙂"
        var json = JSONWriter()
        json.string(nasty)
        #expect(!json.bytes.contains(UInt8(ascii: "\n")) && !json.bytes.contains(UInt8(ascii: "\r")))
        #expect(json.bytes.allSatisfy { $0 >= 0x20 })
        #expect(try parse(json) as? String == nasty)
    }

    @Test func keysAreEscapedToo() throws {
        var json = JSONWriter()
        let made = "c\\d"
        json.beginObject(); json.key("a\"b"); json.integer(1); json.key(made); json.integer(2); json.endObject()
        #expect((try parse(json) as? [String: Int]) == ["a\"b": 1, "c\\d": 2], "a literal name and one made at run time")
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteNumbersBecomeNull(_ value: Double) {
        var json = JSONWriter()
        json.beginArray(); json.number(value); json.number(value, decimals: 6); json.endArray()
        #expect(json.text == "[null,null]")
    }

    @Test(arguments: [
        (27.596, 6, "27.596000"), (-78.05, 6, "-78.050000"), (0.0000004, 6, "0.000000"), (-0.0000004, 6, "0.000000"),
        (812.46, 0, "812"), (1.05, 1, "1.1"), (-0.5, 1, "-0.5"), (89.9999999, 6, "90.000000"), (7, 2, "7.00"),
    ])
    func fixedDecimals(_ value: Double, _ decimals: Int, _ expected: String) {
        var json = JSONWriter()
        json.number(value, decimals: decimals)
        #expect(json.text == expected)
    }

    @Test func plainNumbersRoundTrip() throws {
        var json = JSONWriter()
        json.beginArray()
        for value in [0.0, -0.0, 1, -3, 0.1, 1e-7, 123456.789, 1e20] { json.number(value) }
        json.endArray()
        let parsed = try #require(try parse(json) as? [Double])
        #expect(parsed == [0, 0, 1, -3, 0.1, 1e-7, 123456.789, 1e20])
    }
}
