import NIOCore
import NIOHTTP1
import SevaCore
import SevaWire

/// One tracker app's request at `/v1/track`, from its decoded report to its response. The
/// token is judged on the engine's loop as AUTH is; each fix becomes the LOC the line protocol
/// would have sent — the same role table, filters and counters — run in one engine batch,
/// oldest fix first. A fix the filters do not use (older, replayed, suspect, from the future)
/// is still a 200: these apps retry anything else forever, and a replayed log would jam them.
/// An unknown worker is 404, a store that cannot commit 503 (the app retries later).
final class TrackerIngest {
    private let report: TrackerReport
    private var replies: [Int: Reply] = [:]
    private let principal: Principal
    /// OwnTracks (its format, or its `X-Limit-U`/`X-Limit-D` on an empty body) expects a JSON array back.
    private let answersArray: Bool
    /// What a request without a fix is judged as.
    private static let noFix = LocationFix(point: try! GeoPoint(latitude: 0, longitude: 0))

    private init(report: TrackerReport, principal: Principal, answersArray: Bool) {
        self.report = report
        self.principal = principal
        self.answersArray = answersArray
    }

    /// Reads the request and, when it is well formed and carries a token, asks the engine
    /// whose token it is.
    static func start(head: HTTPRequestHead, query: [(name: String, value: String)], body: [UInt8],
                      on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        var report: TrackerReport
        do {
            report = try TrackerReport.decode(query: query, body: body, contentType: head.headers.first(name: "content-type"))
        } catch {
            return handler.respond(context, error: .badArgument("body", error.description), status: .badRequest)
        }
        let credentials = HTTPCredentials(headers: head.headers, query: query)
        guard let token = credentials.token else {
            return handler.respond(context, error: WireError(.noAuth, "send the worker's token: Authorization: Bearer <token>, "
                                                             + "Basic auth with the token as the password, or token= in the URL"),
                                   status: .unauthorized, headers: [("WWW-Authenticate", "Basic realm=\"sevad\"")])
        }
        if report.device == nil { report.device = credentials.user }
        let decoded = report
        let answersArray = report.format == .ownTracks || head.headers.contains(name: "x-limit-u")
            || head.headers.contains(name: "x-limit-d")
        let engine = handler.engine
        let bound = NIOLoopBound((handler, context), eventLoop: context.eventLoop)
        let home = context.eventLoop
        engine.loop.execute {
            let verdict = engine.authenticate(token, on: nil)
            home.execute {
                let (handler, context) = bound.value
                authenticated(verdict, report: decoded, answersArray: answersArray, on: handler, context: context)
            }
        }
    }

    private static func authenticated(_ verdict: TokenBook.Verdict, report: TrackerReport, answersArray: Bool,
                                      on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        guard case .valid(let principal) = verdict else {
            return handler.respond(context, error: WireError(.noAuth, verdict == .expired ? "token expired" : "invalid token"),
                                   status: .unauthorized, headers: [("WWW-Authenticate", "Basic realm=\"sevad\"")])
        }
        var work: [EngineWork] = []
        for (number, fix) in report.fixes.enumerated() {
            let command = Command.location(worker: report.device, fix)
            switch Permissions.check(command, for: principal) {
            case .failure(let error): return handler.respond(context, error: error, status: HTTPResponseStatus(error.code))
            case .success(let decision): work.append((number, command, decision))
            }
        }
        // A request without a fix is still judged as one would be (OwnTracks' empty bodies).
        if work.isEmpty, case .failure(let error) = Permissions.check(.location(worker: report.device, noFix), for: principal) {
            return handler.respond(context, error: error, status: HTTPResponseStatus(error.code))
        }
        let ingest = TrackerIngest(report: report, principal: principal, answersArray: answersArray)
        guard !work.isEmpty else { return ingest.finish(on: handler, context: context) }
        handler.tracking = ingest
        ingest.run(work, on: handler, context: context)
    }

    private func run(_ work: [EngineWork], on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        guard let sink = handler.sink else { return }
        let batch = EngineBatch(handler: handler, context: context, sink: sink, outputLimit: 1 << 20)
        let engine = handler.engine
        let principal = self.principal
        engine.loop.execute { engine.run(work, principal: principal, batch: batch) }
    }

    /// Replies from the engine; what it gave back unrun goes again; once every fix is
    /// answered, the response.
    func answered(_ new: [(Int, Reply)], gaveBack: [EngineWork], on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        for (number, reply) in new { replies[number] = reply }
        if !gaveBack.isEmpty { run(gaveBack, on: handler, context: context) }
        guard replies.count == report.fixes.count else { return }
        handler.tracking = nil
        finish(on: handler, context: context)
    }

    private func finish(on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        let refusals: [ErrorCode] = [.notFound, .unavailable, .denied, .noAuth, .internal]
        if let refused = replies.values.lazy.compactMap(\.wireError).first(where: { refusals.contains($0.code) }) {
            return handler.respond(context, error: refused, status: HTTPResponseStatus(refused.code))
        }
        var json = JSONWriter()
        if answersArray {
            json.beginArray()
            json.endArray()
        } else {
            json.beginObject()
            json.key("fixes"); json.integer(report.fixes.count)
            json.endObject()
        }
        handler.respond(context, status: .ok, body: json.bytes + [0x0A])
    }
}

extension Reply {
    /// The error this reply carries, read back from its `ERR CODE message` line.
    var wireError: WireError? {
        guard case .bytes(let bytes) = body, bytes.starts(with: Array("ERR ".utf8)) else { return nil }
        let rest = bytes.dropFirst(4)
        let codeEnd = rest.firstIndex(of: UInt8(ascii: " ")) ?? rest.endIndex
        guard let code = ErrorCode(rawValue: String(decoding: rest[..<codeEnd], as: UTF8.self)) else { return nil }
        let message = rest[codeEnd...].drop { $0 == UInt8(ascii: " ") }.prefix { $0 != 0x0A && $0 != 0x0D }
        return WireError(code, String(decoding: message, as: UTF8.self))
    }
}
