/// The line protocol's identity as HELLO reports it (DESIGN.md §2).
public enum ProtocolVersion {
    /// The protocol version this build speaks.
    public static let current = 1
    /// The daemon's release, shown by `--version` and HELLO.
    public static let release = "0.1.0"
}
