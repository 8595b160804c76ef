/// The error codes of the line protocol (DESIGN.md §2), as they appear after `ERR`.
public enum ErrorCode: String, Sendable, CaseIterable {
    /// Malformed line.
    case proto = "PROTO"
    /// Unknown verb.
    case unknown = "UNKNOWN"
    /// Missing or invalid argument, with the argument named.
    case badArgument = "BADARG"
    /// Must AUTH first.
    case noAuth = "NOAUTH"
    /// The role may not do this.
    case denied = "DENIED"
    case notFound = "NOTFOUND"
    /// The state does not allow it.
    case conflict = "CONFLICT"
    /// A rate or size limit.
    case limit = "LIMIT"
    /// The line is longer than `server.max_line_bytes`; the connection closes.
    case tooLong = "TOOLONG"
    /// The store cannot commit; nothing was changed.
    case unavailable = "UNAVAILABLE"
    case `internal` = "INTERNAL"
}

/// A request the daemon refuses: the code and a message that says what to do instead.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: ErrorCode
    public let message: String

    public init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A malformed line.
    public static func proto(_ message: String) -> WireError { WireError(.proto, message) }

    /// A missing or invalid argument, named first so clients can point at it.
    public static func badArgument(_ name: String, _ problem: String) -> WireError {
        WireError(.badArgument, "\(name): \(problem)")
    }

    public var description: String { "ERR \(code.rawValue) \(message)" }
}
