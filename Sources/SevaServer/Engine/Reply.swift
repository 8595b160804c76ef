import SevaWire

/// One reply line, ready to write, and whether the connection closes after it.
struct Reply: Sendable {
    var bytes: [UInt8]
    var closes = false

    static let ok: Reply = {
        var bytes: [UInt8] = []
        ReplyEncoder.ok(into: &bytes)
        return Reply(bytes: bytes)
    }()

    static func json(_ json: JSONWriter) -> Reply {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(json.bytes.count + 4)
        ReplyEncoder.ok(json, into: &bytes)
        return Reply(bytes: bytes)
    }

    static func error(_ error: WireError, closes: Bool = false) -> Reply {
        var bytes: [UInt8] = []
        ReplyEncoder.error(error, into: &bytes)
        return Reply(bytes: bytes, closes: closes)
    }
}
