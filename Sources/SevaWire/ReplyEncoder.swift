/// Writes replies and events, one line each, into an output buffer (DESIGN.md §2):
/// `OK`, `OK <json>`, `ERR <CODE> <message>`, `EVT <topic> <json>`.
///
/// A message never breaks the line: CR, LF and every other control byte in it become spaces,
/// as Redis does for its error replies.
public enum ReplyEncoder {
    public static func ok(into output: inout [UInt8]) {
        output.append(contentsOf: [UInt8(ascii: "O"), UInt8(ascii: "K"), UInt8(ascii: "\n")])
    }

    /// `OK` followed by a single-line JSON value.
    public static func ok(_ json: JSONWriter, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "O"))
        output.append(UInt8(ascii: "K"))
        output.append(.space)
        output.append(contentsOf: json.bytes)
        output.append(UInt8(ascii: "\n"))
    }

    public static func error(_ error: WireError, into output: inout [UInt8]) {
        output.append(contentsOf: Array("ERR ".utf8))
        output.append(contentsOf: error.code.rawValue.utf8)
        output.append(.space)
        appendSanitised(error.message, into: &output)
        output.append(UInt8(ascii: "\n"))
    }

    /// `EVT <topic> <json>`; the topic is one of the protocol's fixed words.
    public static func event(_ topic: String, _ json: JSONWriter, into output: inout [UInt8]) {
        output.append(contentsOf: Array("EVT ".utf8))
        appendSanitised(topic, into: &output)
        output.append(.space)
        output.append(contentsOf: json.bytes)
        output.append(UInt8(ascii: "\n"))
    }

    private static func appendSanitised(_ text: String, into output: inout [UInt8]) {
        for byte in text.utf8 {
            output.append(byte < 0x20 || byte == 0x7F ? .space : byte)
        }
    }
}
