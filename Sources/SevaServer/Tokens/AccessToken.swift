/// Bearer tokens (DESIGN.md §2): 192 random bits, shown to the operator once, kept only as a
/// SHA-256 hash, compared in constant time.
///
/// A token reads `sv1_` followed by 32 characters of a 64-letter URL-safe alphabet; its first
/// 12 characters (`sv1_` and 8 more) are its prefix, kept in clear for listings and
/// `TOKEN REVOKE <prefix>`.
public enum AccessToken {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let scheme = "sv1_"
    /// Characters of the token kept in clear.
    public static let prefixLength = 12

    /// A new random token, from the system's generator (getrandom(2)).
    public static func generate() -> String {
        var system = SystemRandomNumberGenerator()
        return generate(using: &system)
    }

    /// A new token from `random` (tests pass a seeded generator).
    public static func generate(using random: inout some RandomNumberGenerator) -> String {
        var text = scheme
        // 4 × 48 random bits = 192 bits, 6 bits per character.
        for _ in 0..<4 {
            let bits = random.next() & 0xFFFF_FFFF_FFFF
            for shift in stride(from: 42, through: 0, by: -6) {
                text.unicodeScalars.append(Unicode.Scalar(alphabet[Int((bits >> UInt64(shift)) & 63)]))
            }
        }
        return text
    }

    /// True when `text` has a token's shape (so garbage can be refused before hashing).
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == scheme.utf8.count + 32 && text.hasPrefix(scheme)
            && text.utf8.dropFirst(scheme.utf8.count).allSatisfy(alphabet.contains)
    }

    /// What the store keeps: the token's SHA-256.
    public static func hash(_ token: String) -> [UInt8] { SHA256.hash(token.utf8) }

    /// The token's clear prefix.
    public static func prefix(_ token: String) -> String { String(token.prefix(prefixLength)) }

    /// Compares two digests in time that depends only on their length.
    public static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }
}
