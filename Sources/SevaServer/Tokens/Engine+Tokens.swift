import Foundation
import SevaCore
import SevaStore
import SevaWire

/// The token verbs — TOKEN ISSUE/ROTATE/REVOKE/LIST — on the engine's `TokenDesk`; what they
/// change is stored before the reply, and a revoked token's sessions end before it.
extension Engine {
    func runTokenCommand(_ command: Command, reply: ReplyTicket) {
        switch command {
        case .tokenIssue(let grant):
            if let client = grant.client, client.hasPrefix(AccessToken.scheme) {
                return reply(.error(.badArgument("client", "names starting \(AccessToken.scheme) are kept for bookers "
                    + "that are a client of their own; choose another")))
            }
            if let worker = grant.worker, registry.profile(worker) == nil {
                return reply(.error(WireError(.notFound, "no worker \(worker)")))
            }
            persistToken(tokens.issue(role: grant.role, worker: grant.worker, client: grant.client, label: grant.label ?? "",
                                      expiresAt: grant.ttlDays.map { now + $0 * 86_400 }, now: now, using: &random), reply: reply)
        case .tokenRotate(let prefix):
            let rotated = tokens.rotate(prefix: prefix, now: now, grace: serverLimits.tokenRotateGraceSeconds,
                                        hasSessions: { events.hasSessions($0) }, using: &random)
            switch rotated {
            case .success(let issued): persistToken(issued, reply: reply)
            case .failure(let error): reply(.error(error))
            }
        case .tokenRevoke(let prefix):
            switch tokens.revoke(prefix: prefix) {
            case .failure(let error): reply(.error(error))
            case .success(let revoked):
                let at = now
                // Before the OK: nothing reaches a revoked session once the revoke is acknowledged.
                endSessions(revoked, reason: "token revoked")
                var json = JSONWriter()
                json.beginObject(); json.key("revoked"); json.integer(revoked.count); json.endObject()
                persist({ try $0.revokeTokens(prefix: prefix, at: at) }, success: .json(json), reply: reply)
            }
        case .tokenList: reply(.json(tokens.list(now: now)))
        default: reply(.error(WireError(.internal, "not a token verb")))
        }
    }

    /// The new token stored (and the one it replaces given its grace), then the reply.
    private func persistToken(_ issued: TokenDesk.Issued, reply: ReplyTicket) {
        let record = issued.record
        let replaced = issued.replaced
        persist({ transaction in
            try transaction.insertToken(record)
            if let replaced { try transaction.updateToken(hash: replaced.hash, expiresAt: replaced.expiresAt) }
        }, success: .json(issued.reply), reply: reply)
    }
}
