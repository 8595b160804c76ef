import NIOCore
import NIOHTTP1
import SevaWire

/// One HTTP request's commands on the engine: its token judged on the engine's loop as AUTH
/// is, then its commands run in one batch like a line-protocol read — the same role table, the
/// same engine path — and, once every command is answered, `finish` with the replies by number.
final class HTTPEngineRequest {
    private let principal: Principal
    private let count: Int
    private var replies: [Int: Reply] = [:]
    private let finish: (_ replies: [Int: Reply], _ handler: HTTPFaceHandler, _ context: ChannelHandlerContext) -> Void

    private init(principal: Principal, count: Int,
                 finish: @escaping (_ replies: [Int: Reply], _ handler: HTTPFaceHandler, _ context: ChannelHandlerContext) -> Void) {
        self.principal = principal
        self.count = count
        self.finish = finish
    }

    /// Judges `token` on the engine's loop; a valid one goes to `then` on the connection's loop,
    /// an invalid or expired one is answered 401. With `sink`, this connection is a session of
    /// the token: revoking the token ends it.
    static func authenticate(_ token: String, signingIn sink: EventSink? = nil, on handler: HTTPFaceHandler,
                             context: ChannelHandlerContext,
                             then: @escaping (Principal, HTTPFaceHandler, ChannelHandlerContext) -> Void) {
        let engine = handler.engine
        let bound = NIOLoopBound((handler, context, then), eventLoop: context.eventLoop)
        let home = context.eventLoop
        engine.loop.execute {
            let verdict = engine.authenticate(token, on: sink)
            home.execute {
                let (handler, context, then) = bound.value
                guard case .valid(let principal) = verdict else {
                    return handler.respond(context, error: WireError(.noAuth, verdict == .expired ? "token expired" : "invalid token"),
                                           status: .unauthorized, headers: HTTPEngineRequest.challenge)
                }
                then(principal, handler, context)
            }
        }
    }

    /// Runs `commands` (numbered in order) as `principal`; each must pass the role table, or
    /// the request is answered with the first refusal and nothing runs.
    static func run(_ commands: [Command], as principal: Principal, on handler: HTTPFaceHandler, context: ChannelHandlerContext,
                    finish: @escaping (_ replies: [Int: Reply], _ handler: HTTPFaceHandler, _ context: ChannelHandlerContext) -> Void) {
        var work: [EngineWork] = []
        for (number, command) in commands.enumerated() {
            switch Permissions.check(command, for: principal) {
            case .failure(let error): return handler.respond(context, error: error, status: HTTPResponseStatus(error.code))
            case .success(let decision): work.append((number, command, decision))
            }
        }
        guard !work.isEmpty else { return finish([:], handler, context) }
        let request = HTTPEngineRequest(principal: principal, count: work.count, finish: finish)
        handler.pending = request
        request.hand(work, on: handler, context: context)
    }

    /// The `WWW-Authenticate` challenge of a 401: Basic, so apps that ask for a user and a
    /// password know to send the token as the password.
    static let challenge = [("WWW-Authenticate", "Basic realm=\"sevad\"")]

    private func hand(_ work: [EngineWork], on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        guard let sink = handler.sink else { return }
        let batch = EngineBatch(handler: handler, context: context, sink: sink, outputLimit: 1 << 20)
        let engine = handler.engine
        let principal = self.principal
        engine.loop.execute { engine.run(work, principal: principal, batch: batch) }
    }

    /// Replies from the engine; what it gave back unrun goes again; once every command is
    /// answered, `finish`.
    func answered(_ new: [(Int, Reply)], gaveBack: [EngineWork], on handler: HTTPFaceHandler, context: ChannelHandlerContext) {
        for (number, reply) in new { replies[number] = reply }
        if !gaveBack.isEmpty { hand(gaveBack, on: handler, context: context) }
        guard replies.count == count else { return }
        handler.pending = nil
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
