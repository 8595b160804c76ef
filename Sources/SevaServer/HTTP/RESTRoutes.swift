import NIOCore
import NIOHTTP1
import SevaWire

/// The REST API for bookers, viewers and admins (DESIGN.md §10). Each route stands for one
/// line-protocol command: the request becomes that command's line — the path's id, then the
/// query's or the JSON body's fields as `key=value` — read by the same `CommandDecoder` and
/// run under the same role table, so arguments, checks and error messages are the line
/// protocol's own. `OK {json}` answers with the JSON, `ERR CODE message` with
/// `{"error": {"code", "message"}}` and the status that fits the code.
enum RESTRoutes {
    /// One route: method, path (`{id}` is one segment), the command's verb, and what the
    /// request supplies besides the id.
    struct Route: Sendable {
        let method: HTTPMethod
        let path: String
        let verb: String
        let fields: Fields
        /// 201 for what creates.
        let created: Bool

        enum Fields: Sendable { case none, query, body, nearQuery }
    }

    /// Every route served, in the order the OpenAPI document lists them.
    static let table: [Route] = [
        Route(method: .POST, path: "/v1/jobs", verb: "JOB NEW", fields: .body, created: true),
        Route(method: .GET, path: "/v1/jobs", verb: "JOB LIST", fields: .query, created: false),
        Route(method: .GET, path: "/v1/jobs/{id}", verb: "JOB GET", fields: .none, created: false),
        Route(method: .POST, path: "/v1/jobs/{id}/cancel", verb: "JOB CANCEL", fields: .body, created: false),
        Route(method: .POST, path: "/v1/jobs/{id}/rate", verb: "JOB RATE", fields: .body, created: false),
        Route(method: .GET, path: "/v1/near", verb: "NEAR", fields: .nearQuery, created: false),
        Route(method: .GET, path: "/v1/workers/{id}", verb: "WORKER GET", fields: .none, created: false),
        Route(method: .GET, path: "/v1/stats", verb: "STATS", fields: .none, created: false),
    ]

    /// True when some route serves `path` (whatever the method).
    static func serves(_ path: String) -> Bool { table.contains { match($0.path, path) != nil } }

    /// Answers one REST request.
    static func start(head: HTTPRequestHead, path: String, query: [(name: String, value: String)], body: [UInt8],
                      _ exchange: HTTPExchange, on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        let candidates = table.filter { match($0.path, path) != nil }
        guard let route = candidates.first(where: { $0.method == head.method }) else {
            let allowed = candidates.map(\.method.rawValue).joined(separator: ", ")
            return handler.respond(exchange, context, error: WireError(.unknown, "\(head.method) is not served at \(path); use \(allowed)"),
                                   status: .methodNotAllowed, headers: [("Allow", allowed)])
        }
        let line: String
        do {
            line = try commandLine(route, path: path, query: query, body: body,
                                   idempotencyKey: head.headers.first(name: "idempotency-key"))
        } catch {
            return handler.respond(exchange, context, error: error, status: .badRequest)
        }
        guard let command = handler.command(line, exchange, context: context),
              let token = handler.token(HTTPCredentials(headers: head.headers, query: query), exchange, context: context,
                                        hint: "a token") else { return }
        HTTPEngineRequest.start(token: token, exchange, on: handler, context: context,
                                plan: { _ in .success([command]) }) { replies, handler, context in
            guard let reply = replies[0] else { return }
            if let error = reply.wireError {
                return handler.respond(exchange, context, error: error, status: HTTPResponseStatus(error.code))
            }
            let json = reply.okJSON.map(Array.init) ?? Array("{}".utf8)
            handler.respond(exchange, context, status: route.created ? .created : .ok, body: json + [0x0A])
        }
    }

    /// The command line a request stands for.
    static func commandLine(_ route: Route, path: String, query: [(name: String, value: String)], body: [UInt8],
                            idempotencyKey: String?) throws(WireError) -> String {
        var line = route.verb
        if let id = match(route.path, path) ?? nil { line += " " + id }
        var fields: [(name: String, value: String)] = []
        switch route.fields {
        case .none: break
        case .query: fields = query.filter { $0.name != "token" }
        case .nearQuery:
            fields = query.filter { $0.name != "token" }
            if let lat = fields.first(where: { $0.name == "lat" }), let lon = fields.first(where: { $0.name == "lon" }) {
                line += " " + word(lat.value) + " " + word(lon.value)
                fields.removeAll { $0.name == "lat" || $0.name == "lon" }
            }
        case .body:
            fields = try bodyFields(body)
            if let key = idempotencyKey, route.verb == "JOB NEW", !fields.contains(where: { $0.name == "ref" }) {
                fields.append(("ref", key))
            }
        }
        for (name, value) in fields {
            guard !name.isEmpty, name.utf8.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || $0 == UInt8(ascii: "_") }) else {
                throw .badArgument(name, "field names are lower-case letters and _")
            }
            line += " \(name)=" + word(value)
        }
        return line
    }

    /// The id `path` gives for `pattern` (nil inside when the pattern has none), or nil when it
    /// does not match. An id is letters, digits, `_`, `-`, `.` and `:`.
    static func match(_ pattern: String, _ path: String) -> String?? {
        let wanted = pattern.split(separator: "/")
        let given = path.split(separator: "/")
        guard wanted.count == given.count else { return nil }
        var id: String?
        for (want, got) in zip(wanted, given) {
            if want == "{id}" {
                guard got.utf8.allSatisfy(isIDByte) else { return nil }
                id = String(got)
            } else if want != got {
                return nil
            }
        }
        return .some(id)
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":"): return true
        default: return false
        }
    }

    /// A JSON object's members as fields: strings as they are, numbers as plain decimals,
    /// booleans as yes/no; an empty body has none.
    private static func bodyFields(_ body: [UInt8]) throws(WireError) -> [(name: String, value: String)] {
        guard body.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else { return [] }
        let json: JSONValue
        do { json = try JSONReader.parse(body) } catch { throw .badArgument("body", "not JSON: \(error)") }
        guard case .object(let members) = json else { throw .badArgument("body", "a JSON object of the command's fields") }
        return try members.sorted { $0.key < $1.key }.map { name, value throws(WireError) in
            switch value {
            case .string(let text): return (name, text)
            case .number(let number): return (name, decimal(number))
            case .bool(let flag): return (name, flag ? "yes" : "no")
            case .null, .array, .object: throw .badArgument(name, "must be a string, a number or true/false")
            }
        }
    }

    /// A number as decimal text; one that only an exponent can write is refused by the
    /// command's own check of that argument.
    static func decimal(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    /// A value as one argument: bare when it is a plain word, else quoted with escapes.
    static func word(_ value: String) -> String {
        let plain = !value.isEmpty && value.utf8.allSatisfy { isIDByte($0) || $0 == UInt8(ascii: "+") }
        guard !plain else { return value }
        var quoted = "\""
        for character in value.unicodeScalars {
            switch character {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            default: quoted.unicodeScalars.append(character)
            }
        }
        return quoted + "\""
    }
}
