import Testing
@testable import SevaWire

@Suite struct RequestLineTests {
    func parse(_ text: String) throws -> RequestLine { try RequestLine(Array(text.utf8)) }

    func values(_ line: RequestLine) -> [String] {
        line.arguments.map { ($0.isNamed ? line.text($0.key) + "=" : "") + line.value($0) }
    }

    @Test func wordsQuotedStringsAndKeyValues() throws {
        let line = try parse(#"JOB NEW skill=plumber lat=27.5960 address="12, Kishanpur \"Old\" Rd\nHathras" ref=r-1"#)
        #expect(line.text(line.verb) == "JOB")
        #expect(values(line) == ["NEW", "skill=plumber", "lat=27.5960", "address=12, Kishanpur \"Old\" Rd\nHathras", "ref=r-1"])
        #expect(line.arguments[3].quoted && line.arguments[3].hasEscapes)
    }

    @Test func runsOfSpacesSeparateAndTrailingSpacesAreIgnored() throws {
        let line = try parse("  LOC   w1  27.5   78.0   ")
        #expect(line.text(line.verb) == "LOC")
        #expect(values(line) == ["w1", "27.5", "78.0"])
    }

    @Test func quotedPositionalsKeepSpacesAndUTF8() throws {
        let line = try parse(#"AUTH "रमेश कुमार" "\t\\x""#)
        #expect(values(line) == ["रमेश कुमार", "\t\\x"])
        #expect(line.arguments.allSatisfy { !$0.isNamed })
    }

    @Test func equalsInsideAValueStays() throws {
        let line = try parse("WORKER SET w1 name=a=b")
        #expect(values(line).last == "name=a=b")
        #expect(line.value(line.arguments.last!) == "a=b")
    }

    @Test func emptyQuotedValueIsAValue() throws {
        let line = try parse(#"WORKER SET w1 name="""#)
        #expect(line.value(line.arguments[2]) == "")
    }

    @Test(arguments: [
        ("", "empty request"), ("   ", "empty request"), ("\"JOB\" NEW", "start with a verb"), ("=x", "start with a verb"),
        ("PING \"open", "unbalanced quote"), ("PING \"a\\q\"", "unknown escape"), ("PING \"a\"b", "separated by spaces"),
        ("PING a\"b\"", "quote may only open"), ("PING =x", "may not start with '='"), ("PING Skill=x", "lower-case"),
        ("PING 1a=x", "lower-case"), ("PING a\tb", "control byte"), ("PING a\u{0}b", "control byte"), ("PING \u{7F}", "control byte"),
        ("PING \"\\", "unbalanced quote"),
    ])
    func malformedLinesAreRefused(_ text: String, _ fragment: String) {
        do throws(WireError) {
            _ = try RequestLine(Array(text.utf8))
            Issue.record("accepted \(text.debugDescription)")
        } catch {
            #expect(error.code == .proto)
            #expect(error.message.contains(fragment), "\(text.debugDescription): \(error.message)")
        }
    }

    @Test(arguments: [[0x50, 0x49, 0x4E, 0x47, 0x20, 0xFF], [0x50, 0x20, 0xC3], [0x50, 0x20, 0xC0, 0xAF],
                      [0x50, 0x20, 0xED, 0xA0, 0x80], [0x50, 0x20, 0xF5, 0x80, 0x80, 0x80], [0x50, 0x20, 0xE0, 0x80, 0x80]])
    func invalidUTF8IsRefused(_ bytes: [UInt8]) {
        #expect(throws: WireError.self) { try RequestLine(bytes) }
    }
}
