/// Where the daemon keeps its files (DESIGN.md §5): the directories systemd names in
/// `$STATE_DIRECTORY`, `$RUNTIME_DIRECTORY` and `$CONFIGURATION_DIRECTORY` when it sets them,
/// `./var` (state and runtime) and `./etc` (configuration) under the working directory when
/// the daemon is run by hand. Relative paths in the configuration resolve under these.
public struct RuntimePaths: Sendable, Equatable {
    /// Holds the SQLite store.
    public let stateDirectory: String
    /// Holds the Unix socket.
    public let runtimeDirectory: String
    /// Holds `sevad.toml`.
    public let configurationDirectory: String

    /// Resolves the directories from an environment; systemd may list several directories
    /// separated by `:`, of which the first is used.
    public init(environment: [String: String], workingDirectory: String) {
        func pick(_ variable: String, _ fallback: String) -> String {
            if let value = environment[variable], let first = value.split(separator: ":").first, !first.isEmpty {
                return String(first)
            }
            return Self.join(workingDirectory, fallback)
        }
        stateDirectory = pick("STATE_DIRECTORY", "var")
        runtimeDirectory = pick("RUNTIME_DIRECTORY", "var")
        configurationDirectory = pick("CONFIGURATION_DIRECTORY", "etc")
    }

    /// `path` itself when absolute, else under the state directory.
    public func state(_ path: String) -> String { Self.join(stateDirectory, path) }
    /// `path` itself when absolute, else under the runtime directory.
    public func runtime(_ path: String) -> String { Self.join(runtimeDirectory, path) }
    /// `path` itself when absolute, else under the configuration directory.
    public func configuration(_ path: String) -> String { Self.join(configurationDirectory, path) }

    static func join(_ directory: String, _ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if directory.hasSuffix("/") { return directory + path }
        return directory + "/" + path
    }
}
