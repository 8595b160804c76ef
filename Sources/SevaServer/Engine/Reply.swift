import SevaCore
import SevaWire

/// One reply line and whether the connection closes after it. Most replies are bytes ready
/// to write; NEAR's are its rows, which the connection's own loop encodes as it writes them,
/// so the engine's loop — the one every request shares — spends no time on their JSON.
struct Reply: Sendable {
    /// What the reply says.
    enum Body: Sendable {
        case bytes([UInt8])
        /// NEAR's rows as an admin or gateway sees them, or as a booker does (privacy grid).
        case nearRows([WorkerRegistry.Nearby])
        case coarseNearRows([WorkerRegistry.CoarseNearby])
    }

    var body: Body
    var closes = false

    init(bytes: [UInt8], closes: Bool = false) {
        body = .bytes(bytes)
        self.closes = closes
    }

    init(_ body: Body) { self.body = body }

    /// The line to write — NEAR's rows encoded now, on the caller's loop.
    var bytes: [UInt8] {
        switch body {
        case .bytes(let bytes): return bytes
        case .nearRows(let rows): return Self.ok { WorkerJSON.write(rows, into: &$0) }
        case .coarseNearRows(let rows): return Self.ok { WorkerJSON.write(rows, into: &$0) }
        }
    }

    /// About how many bytes it will write (exact once encoded), for the output limits.
    var size: Int {
        switch body {
        case .bytes(let bytes): return bytes.count
        case .nearRows(let rows): return 4 + rows.count * WorkerJSON.rowBytes
        case .coarseNearRows(let rows): return 4 + rows.count * WorkerJSON.rowBytes
        }
    }

    static let ok: Reply = {
        var bytes: [UInt8] = []
        ReplyEncoder.ok(into: &bytes)
        return Reply(bytes: bytes)
    }()

    static func json(_ json: JSONWriter) -> Reply { Reply(bytes: ok(json)) }

    static func error(_ error: WireError, closes: Bool = false) -> Reply {
        var bytes: [UInt8] = []
        ReplyEncoder.error(error, into: &bytes)
        return Reply(bytes: bytes, closes: closes)
    }

    private static func ok(_ write: (inout JSONWriter) -> Void) -> [UInt8] {
        var json = JSONWriter()
        write(&json)
        return ok(json)
    }

    private static func ok(_ json: JSONWriter) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(json.bytes.count + 4)
        ReplyEncoder.ok(json, into: &bytes)
        return bytes
    }
}
