import Foundation

/// Hosts on one machine for the failover test: a network namespace per host, each joined by a
/// veth pair to a bridge in the root namespace — which is the client host, 10.77.0.254 — with
/// one address `10.77.0.N`. Made with `ip netns` / `ip link` (root only) and removed at the end.
public final class NamespaceNetwork {
    public static let ip = "/bin/ip"
    static let bridge = "svlab0"
    public static let clientAddress = "10.77.0.254"

    /// Whether this machine lets the test build hosts: root, iproute2 and PostgreSQL's server.
    public static var usable: Bool {
        geteuid() == 0 && FileManager.default.isExecutableFile(atPath: ip) && PostgresTestServer.binaries != nil
    }

    private let octets: [String: Int]

    /// One namespace per host name (short: it becomes part of interface names), with its address.
    public init(hosts: [String: Int]) throws {
        octets = hosts
        Self.remove(hosts.keys)
        try Self.run(["link", "add", Self.bridge, "type", "bridge"])
        try Self.run(["addr", "add", Self.clientAddress + "/24", "dev", Self.bridge])
        try Self.run(["link", "set", Self.bridge, "up"])
        for (host, octet) in hosts {
            let inside = "svi-" + host
            try Self.run(["netns", "add", Self.namespace(host)])
            try Self.run(["link", "add", Self.outside(host), "type", "veth", "peer", "name", inside])
            try Self.run(["link", "set", inside, "netns", Self.namespace(host)])
            try Self.run(["link", "set", Self.outside(host), "master", Self.bridge, "up"])
            try Self.run(["netns", "exec", Self.namespace(host), Self.ip, "addr", "add", "10.77.0.\(octet)/24", "dev", inside])
            try Self.run(["netns", "exec", Self.namespace(host), Self.ip, "link", "set", inside, "up"])
            try Self.run(["netns", "exec", Self.namespace(host), Self.ip, "link", "set", "lo", "up"])
        }
    }

    deinit { Self.remove(octets.keys) }

    public static func namespace(_ host: String) -> String { "svlab-" + host }
    private static func outside(_ host: String) -> String { "svl-" + host }
    public func address(_ host: String) -> String { "10.77.0.\(octets[host] ?? 0)" }

    /// Pulls the host's cable: nothing reaches it or leaves it until `reconnect`.
    public func cut(_ host: String) throws { try Self.run(["link", "set", Self.outside(host), "down"]) }
    public func reconnect(_ host: String) throws { try Self.run(["link", "set", Self.outside(host), "up"]) }

    /// `argv` run inside the host's namespace, as `ip netns exec` does (the same process id).
    public func inside(_ host: String, _ argv: [String]) -> [String] { [Self.ip, "netns", "exec", Self.namespace(host)] + argv }

    private static func remove(_ hosts: some Sequence<String>) {
        for host in hosts {
            try? PostgresTestServer.run(ip, ["netns", "del", namespace(host)])
            try? PostgresTestServer.run(ip, ["link", "del", outside(host)])
        }
        try? PostgresTestServer.run(ip, ["link", "del", bridge])
    }

    private static func run(_ arguments: [String]) throws { try PostgresTestServer.run(ip, arguments) }
}
