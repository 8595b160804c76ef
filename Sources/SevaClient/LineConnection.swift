#if canImport(Glibc)
import Glibc
#endif

/// A blocking client connection to sevad over TCP or a Unix socket: send request lines, read
/// reply lines. For tools, tests and load generators — never used inside the daemon.
public final class LineConnection {
    private let descriptor: Int32
    private var ownsDescriptor = true
    private var pending: [UInt8] = []
    private var readBuffer = [UInt8](repeating: 0, count: 1 << 16)

    public typealias Failure = ConnectionFailure

    /// Connects to `host` (an IPv4 address) and `port`; `timeoutSeconds` bounds the connect and
    /// each read.
    public init(host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 20) throws(Failure) {
        descriptor = try SocketConnect.tcp(host: host, port: port, timeoutSeconds: timeoutSeconds)
        setTimeout(timeoutSeconds)
    }

    /// Connects to the Unix socket at `path`; `timeoutSeconds` bounds each read.
    public init(unixPath path: String, timeoutSeconds: Int = 20) throws(Failure) {
        descriptor = try SocketConnect.unix(path: path)
        setTimeout(timeoutSeconds)
    }

    deinit { if ownsDescriptor { close(descriptor) } }

    /// Hands the socket to the caller, who closes it: for a client that authenticates here and
    /// then runs its own I/O on it. Anything read past the last reply line is dropped.
    public func detachDescriptor() -> Int32 {
        ownsDescriptor = false
        return descriptor
    }

    /// Lets reads wait as long as it takes: for streams (a watch, a followed feed) where
    /// silence is normal, not a sign the daemon is gone.
    public func readWithoutTimeout() { setTimeout(0) }

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
