import NIOHTTP1

/// The token an HTTP request carries, wherever the app could put it: `Authorization: Bearer`,
/// the password of `Authorization: Basic` (OwnTracks, and any app that takes a user and a
/// password), or `token=` in the URL (apps that can only be given a URL). Basic's user name,
/// or OwnTracks' `X-Limit-U`, names the device when the body does not.
struct HTTPCredentials: Equatable {
    var token: String?
    var user: String?

    init(headers: HTTPHeaders, query: [(name: String, value: String)]) {
        if let authorization = headers.first(name: "authorization") {
            let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                token = String(parts[1]).trimmingSpaces
            } else if parts.count == 2, parts[0].lowercased() == "basic", let decoded = Self.base64(String(parts[1])),
                      let colon = decoded.firstIndex(of: ":") {
                user = String(decoded[..<colon])
                token = String(decoded[decoded.index(after: colon)...])
            }
        }
        if token == nil || token?.isEmpty == true { token = query.first { $0.name == "token" }?.value }
        if token?.isEmpty == true { token = nil }
        if user?.isEmpty != false { user = headers.first(name: "x-limit-u") }
    }

    /// RFC 4648 base64 (padding optional), as UTF-8 text; nil when it is not.
    static func base64(_ text: String) -> String? {
        var bits: UInt32 = 0
        var count = 0
        var bytes: [UInt8] = []
        for byte in text.utf8 where byte != UInt8(ascii: "=") {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            default: return nil
            }
            bits = bits << 6 | UInt32(value)
            count += 6
            if count >= 8 {
                count -= 8
                bytes.append(UInt8(truncatingIfNeeded: bits >> UInt32(count)))
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

private extension String {
    var trimmingSpaces: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}
