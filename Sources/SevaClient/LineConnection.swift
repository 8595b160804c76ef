#if canImport(Glibc)
import Glibc
#endif

/// A blocking client connection to sevad over TCP or a Unix socket: send request lines, read
/// reply lines. For tools, tests and load generators — never used inside the daemon.
public final class LineConnection {
    private let descriptor: Int32
    private var pending: [UInt8] = []
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)

    /// Why a connection could not be made or used.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Connects to `host` (an IPv4 address) and `port`; `timeoutSeconds` bounds each read.
    public init(host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 20) throws(Failure) {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw Failure(description: "cannot connect to \(host):\(port)")
        }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        setTimeout(timeoutSeconds)
    }

    /// Connects to the Unix socket at `path`; `timeoutSeconds` bounds each read.
    public init(unixPath path: String, timeoutSeconds: Int = 20) throws(Failure) {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8.prefix($0.count - 1)) + [0]) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw Failure(description: "cannot connect to \(path)")
        }
        setTimeout(timeoutSeconds)
    }

    deinit { close(descriptor) }

    private func setTimeout(_ seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Writes all of `bytes`; false when the connection is gone.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    @discardableResult
    public func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Closes the sending side, as `nc -N` does at the end of its input.
    public func finishSending() { shutdown(descriptor, Int32(SHUT_WR)) }

    /// Reads whatever has arrived into the connection's buffer; false at end of stream or timeout.
    private func fill() -> Bool {
        let received = read(descriptor, &readBuffer, readBuffer.count)
        guard received > 0 else { return false }
        pending += readBuffer[..<received]
        return true
    }

    /// True when a reply line (or the end of the stream) is waiting, or arrives within
    /// `milliseconds`; never consumes it.
    public func hasInput(withinMilliseconds milliseconds: Int32 = 0) -> Bool {
        if pending.contains(UInt8(ascii: "\n")) { return true }
        var waiting = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&waiting, 1, milliseconds) > 0
    }

    /// The next reply line, or nil at end of stream (or after the timeout).
    public func line() -> String? {
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                return line
            }
            guard fill() else { return nil }
        }
    }

    /// Sends one request and returns its reply (`<closed>` when there is none).
    public func ask(_ request: String) -> String {
        send(request + "\n")
        return line() ?? "<closed>"
    }

    /// Waits for `count` reply lines without decoding them, checking only that each starts
    /// with `O` (OK) — for load generators. False on an ERR reply or a closed connection.
    public func awaitOK(_ count: Int) -> Bool {
        var counted = 0
        var start = 0
        while counted < count {
            guard let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                pending.removeFirst(start)
                start = 0
                guard fill() else { return false }
                continue
            }
            guard pending[start] == UInt8(ascii: "O") else { return false }
            counted += 1
            start = newline + 1
        }
        pending.removeFirst(start)
        return true
    }
}
