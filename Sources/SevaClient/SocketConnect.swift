#if canImport(Glibc)
import Glibc
#endif

/// Why a connection to sevad could not be made or used.
public struct ConnectionFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Opens connected stream sockets to sevad — blocking connect, the caller picks the I/O mode.
public enum SocketConnect {
    /// A TCP connection to `host` (an IPv4 address) and `port`, with Nagle off. A host that does
    /// not answer (down, or its network cut) fails after `timeoutSeconds`, not the kernel's
    /// two minutes of retries, so a client with several addresses moves on.
    public static func tcp(host: String, port: Int, timeoutSeconds: Int = 10) throws(ConnectionFailure) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
        var connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 && errno == EINPROGRESS {
            var waiting = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
            var failure: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            if poll(&waiting, 1, Int32((timeoutSeconds > 0 ? timeoutSeconds : 10) * 1_000)) == 1,
               getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length) == 0, failure == 0 {
                connected = 0
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw ConnectionFailure("cannot connect to \(host):\(port)")
        }
        _ = fcntl(descriptor, F_SETFL, flags)
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return descriptor
    }

    /// A loopback TCP port nothing listens on now, for a child that must be told its port
    /// before it binds (redis-server, systemd-socket-activate): the kernel picks it (bound to 0,
    /// read, closed), so it is not taken, unlike a number made up from a process id.
    public static func unusedLoopbackPort() throws(ConnectionFailure) -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw ConnectionFailure("no free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A connection to the Unix socket at `path`.
    public static func unix(path: String) throws(ConnectionFailure) -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8.prefix($0.count - 1)) + [0]) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw ConnectionFailure("cannot connect to \(path)")
        }
        return descriptor
    }
}
