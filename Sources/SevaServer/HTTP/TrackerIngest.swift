import NIOCore
import NIOHTTP1
import SevaWire

/// A tracker app's request at `/v1/track`: its report decoded whichever format it came in, and
/// each fix run as the LOC the line protocol would have sent, oldest first — the same role
/// table, filters and counters. A fix the filters do not use (older, replayed, suspect, from
/// the future) is still a 200: these apps retry anything else forever, and a replayed log would
/// jam them. An unknown worker is 404, a store that cannot commit 503 (the app retries later).
enum TrackerIngest {
    /// Replies that make the whole request fail; any other (a fix not used) is still a 200.
    private static let refusals: [ErrorCode] = [.notFound, .unavailable, .denied, .noAuth, .internal]

    /// `{"fixes": n[, "offer": {…}]}`, or OwnTracks' array (`[]`, or the offer as a command).
    private static func answer(fixes: Int, offer: OfferNotice?, answersArray: Bool) -> [UInt8] {
        var json = JSONWriter()
        if answersArray {
            json.beginArray()
            offer?.writeOwnTracksCommand(into: &json)
            json.endArray()
        } else {
            json.beginObject()
            json.key("fixes"); json.integer(fixes)
            if let offer {
                json.key("offer")
                offer.write(into: &json)
            }
            json.endObject()
        }
        return json.bytes + [0x0A]
    }

    static func start(head: HTTPRequestHead, query: [(name: String, value: String)], body: [UInt8], _ exchange: HTTPExchange,
                      on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        var report: TrackerReport
        do {
            report = try TrackerReport.decode(query: query, body: body, contentType: head.headers.first(name: "content-type"))
        } catch {
            return handler.respond(exchange, context, error: .badArgument("body", error.description), status: .badRequest)
        }
        let credentials = HTTPCredentials(headers: head.headers, query: query)
        guard let token = handler.token(credentials, exchange, context: context, hint: "the worker's token") else { return }
        if report.device == nil { report.device = credentials.user }
        // OwnTracks (its format, or its headers on an empty body) expects a JSON array back.
        let answersArray = report.format == .ownTracks || head.headers.contains(name: "x-limit-u")
            || head.headers.contains(name: "x-limit-d")
        let decoded = report
        let fixes = decoded.fixes.count
        HTTPEngineRequest.start(token: token, exchange, on: handler, context: context, plan: { [unowned handler] principal in
            // A worker's requests are paced as its LOCs would be (gateways are exempt); 429 says retry later.
            if principal.role == .worker && !handler.spendPing() {
                return .failure(WireError(.limit, "more than server.max_pings_per_s (\(handler.settings.maxPingsPerSecond)) "
                                          + "tracker requests a second; slow down"))
            }
            // A request without a fix is still judged as one would be (OwnTracks' empty bodies).
            if decoded.fixes.isEmpty, case .failure(let error) = Permissions.checkDevice("LOC", worker: decoded.device, for: principal) {
                return .failure(error)
            }
            return .success(decoded.fixes.map { Command.location(worker: decoded.device, $0) })
        }, epilogue: { engine, principal in
            let offer = (decoded.device ?? principal.worker).flatMap { engine.offerNotice(for: $0) }
            return Reply(bytes: answer(fixes: fixes, offer: offer, answersArray: answersArray))
        }, finish: { replies, handler, context in
            if let refused = replies.values.lazy.compactMap(\.wireError).first(where: { refusals.contains($0.code) }) {
                return handler.respond(exchange, context, error: refused, status: HTTPResponseStatus(refused.code))
            }
            handler.respond(exchange, context, status: .ok, body: replies[fixes]?.bytes ?? [])
        })
    }
}
