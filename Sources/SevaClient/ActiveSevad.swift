/// The active sevad of an active/standby pair, found among several `HOST:PORT` addresses: the
/// first that takes the token. A standby answers `ERR UNAVAILABLE standby; the active is …` and
/// is passed over, as is an address that does not answer; any other refusal (a bad token) ends
/// the search, since the next host would say the same.
public enum ActiveSevad {
    /// One `HOST:PORT` (an IPv4 address).
    public struct Address: Sendable, CustomStringConvertible {
        public let host: String
        public let port: Int
        public var description: String { "\(host):\(port)" }
    }

    /// Why no active sevad was reached.
    public enum Failure: Error, CustomStringConvertible {
        /// An address is not `HOST:PORT`.
        case badAddress(String)
        /// A sevad refused the token (the reply, without `ERR `).
        case refused(String)
        /// None answered as active: what each said.
        case noActive(tried: [String])

        public var description: String {
            switch self {
            case .badAddress(let text): "'\(text)' is not HOST:PORT (e.g. 127.0.0.1:7878)"
            case .refused(let reply): reply
            case .noActive(let tried): "no active sevad (\(tried.joined(separator: "; "))); is sevad running and listening there?"
            }
        }
    }

    /// The addresses in `items`, each one address or a comma-separated list.
    public static func addresses(_ items: [String]) throws(Failure) -> [Address] {
        var addresses: [Address] = []
        for item in items {
            for text in item.split(separator: ",") {
                let parts = text.split(separator: ":")
                guard parts.count == 2, let port = Int(parts[1]), (1...65_535).contains(port) else { throw .badAddress(String(text)) }
                addresses.append(Address(host: String(parts[0]), port: port))
            }
        }
        return addresses
    }

    /// A connection to the first address whose sevad takes `token`, already authenticated.
    public static func connect(_ addresses: [Address], token: String,
                               timeoutSeconds: Int = 20) throws(Failure) -> (connection: LineConnection, address: Address) {
        var tried: [String] = []
        for address in addresses {
            guard let connection = try? LineConnection(host: address.host, port: address.port, timeoutSeconds: timeoutSeconds) else {
                tried.append("\(address): no answer")
                continue
            }
            let reply = connection.ask("AUTH \(LineArgument.quoted(token))")
            if reply.hasPrefix("OK") { return (connection, address) }
            if reply.hasPrefix("ERR UNAVAILABLE") {
                tried.append("\(address): \(reply.dropFirst("ERR UNAVAILABLE ".count))")
                continue
            }
            throw .refused(reply.hasPrefix("ERR ") ? String(reply.dropFirst(4)) : reply)
        }
        throw .noActive(tried: tried)
    }
}
