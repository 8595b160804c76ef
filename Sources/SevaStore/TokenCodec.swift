import SevaCore

/// How SevaCore's `IssuedToken` is kept in `tokens`: its hash and prefix, never the token;
/// times as integer milliseconds (`StoreTime`); a revoked token keeps its row with
/// `revoked_ms` set and is not loaded again.
enum TokenCodec {
    /// The columns in the order `values` binds them and `issuedToken()` reads them.
    static let columns = "hash, prefix, role, worker, label, created_ms, revoked_ms, expires_ms, last_used_ms, client"

    static func values(_ token: IssuedToken) -> [DatabaseValue] {
        [
            .blob(token.hash), .text(token.prefix), .text(token.role.rawValue), token.worker.databaseValue, .text(token.label),
            .integer(StoreTime.milliseconds(token.createdAt)), .null, token.expiresAt.map(StoreTime.milliseconds).databaseValue,
            token.lastUsedAt.map(StoreTime.milliseconds).databaseValue, token.client.databaseValue,
        ]
    }
}

extension DatabaseStatement {
    /// A live `tokens` row as SevaCore's token; an unknown role is an error naming the row.
    func issuedToken() throws(DatabaseError) -> IssuedToken {
        IssuedToken(hash: blob(0), prefix: text(1), role: try value(2, of: "tokens", row: text(1)), worker: optionalText(3),
                    client: optionalText(9), label: text(4), createdAt: StoreTime.seconds(int64(5)),
                    expiresAt: optionalInt64(7).map(StoreTime.seconds), lastUsedAt: optionalInt64(8).map(StoreTime.seconds))
    }
}
