import NIOCore
import NIOHTTP1
import SevaWire

/// One HTTP request's commands on the engine, run like a line-protocol read's: the same role
/// table, the same engine path, in one batch with the requests read with it (`HTTPReadBatch`).
/// A connection's first token is judged on the engine's loop as AUTH is, and the connection becomes a session of it (revoking the
/// token ends the session); later requests with the same token on that connection skip the
/// judging, as later lines after AUTH do. Once every command is answered, `finish` gets the
/// replies by number — with, when asked for, one more made on the engine's loop after them.
final class HTTPEngineRequest {
    typealias Finish = (_ replies: [Int: Reply], _ handler: HTTPFaceHandler, _ context: ChannelHandlerContext) -> Void
    /// Something the engine adds to the replies, numbered after the commands (a tracker's
    /// pending offer); made on the engine's loop, in the same hop.
    typealias Epilogue = @Sendable (Engine, Principal) -> Reply

    private let handler: HTTPFaceHandler
    private let count: Int
    private var replies: [Int: Reply] = [:]
    private let finish: Finish

    private init(handler: HTTPFaceHandler, count: Int, finish: @escaping Finish) {
        self.handler = handler
        self.count = count
        self.finish = finish
    }

    /// The `WWW-Authenticate` challenge of a 401: Basic, so apps that ask for a user and a
    /// password know to send the token as the password.
    static let challenge = [("WWW-Authenticate", "Basic realm=\"sevad\"")]

    /// Runs what `plan` makes of the request for the token's principal. A refusal — an
    /// invalid token (401), the plan's own, a command the role may not use — is answered at
    /// once and nothing runs.
    static func start(token: String, _ exchange: HTTPExchange, on handler: HTTPFaceHandler, context: ChannelHandlerContext,
                      plan: @escaping (Principal) -> Result<[Command], WireError>, epilogue: Epilogue? = nil,
                      finish: @escaping Finish) {
        if let principal = handler.session(for: token) {
            return run(plan(principal), as: principal, exchange, epilogue: epilogue, on: handler, context: context, finish: finish)
        }
        let engine = handler.engine
        let sink = handler.sink
        let bound = NIOLoopBound((handler, context, plan, finish), eventLoop: context.eventLoop)
        let home = context.eventLoop
        engine.loop.execute {
            let verdict = engine.authenticate(token, on: sink)
            home.execute {
                let (handler, context, plan, finish) = bound.value
                if case .unavailable(let reason) = verdict {
                    return handler.respond(exchange, context, error: WireError(.unavailable, reason), status: .serviceUnavailable)
                }
                guard case .valid(let principal) = verdict else {
                    return handler.respond(exchange, context, error: WireError(.noAuth, verdict == .expired ? "token expired" : "invalid token"),
                                           status: .unauthorized, headers: challenge)
                }
                handler.signedIn(token: token, as: principal)
                run(plan(principal), as: principal, exchange, epilogue: epilogue, on: handler, context: context, finish: finish)
            }
        }
    }

    private static func run(_ planned: Result<[Command], WireError>, as principal: Principal, _ exchange: HTTPExchange,
                            epilogue: Epilogue?, on handler: HTTPFaceHandler, context: ChannelHandlerContext, finish: @escaping Finish) {
        let commands: [Command]
        switch planned {
        case .failure(let error): return handler.respond(exchange, context, error: error, status: HTTPResponseStatus(error.code))
        case .success(let planned): commands = planned
        }
        var work: [EngineWork] = []
        for (number, command) in commands.enumerated() {
            switch Permissions.check(command, for: principal) {
            case .failure(let error): return handler.respond(exchange, context, error: error, status: HTTPResponseStatus(error.code))
            case .success(let decision): work.append((number, command, decision))
            }
        }
        let request = HTTPEngineRequest(handler: handler, count: work.count + (epilogue == nil ? 0 : 1), finish: finish)
        guard request.count > 0 else { return finish([:], handler, context) }
        handler.enqueue(request, work: work, epilogue: epilogue, as: principal, context: context)
    }

    /// One reply, under this request's own number; once every command is answered, `finish`.
    func take(_ number: Int, _ reply: Reply, context: ChannelHandlerContext) {
        replies[number] = reply
        guard replies.count == count, context.channel.isActive else { return }
        finish(replies, handler, context)
    }
}

extension Reply {
    /// The error this reply carries, read back from its `ERR CODE message` line.
    var wireError: WireError? {
        guard case .bytes(let bytes) = body, bytes.starts(with: Self.errorPrefix) else { return nil }
        let rest = bytes.dropFirst(Self.errorPrefix.count)
        let codeEnd = rest.firstIndex(of: UInt8(ascii: " ")) ?? rest.endIndex
        guard let code = ErrorCode(rawValue: String(decoding: rest[..<codeEnd], as: UTF8.self)) else { return nil }
        let message = rest[codeEnd...].drop { $0 == UInt8(ascii: " ") }.prefix { $0 != 0x0A && $0 != 0x0D }
        return WireError(code, String(decoding: message, as: UTF8.self))
    }

    /// The JSON after `OK `, or nil for a bare `OK` (and for errors).
    var okJSON: ArraySlice<UInt8>? {
        let bytes = self.bytes
        guard bytes.starts(with: Self.okPrefix) else { return nil }
        let json = bytes.dropFirst(Self.okPrefix.count)
        return json.last == 0x0A ? json.dropLast() : json
    }

    private static let errorPrefix = Array("ERR ".utf8)
    private static let okPrefix = Array("OK ".utf8)
}
