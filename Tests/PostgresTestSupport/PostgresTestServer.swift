import Foundation
import SevaStore

/// A PostgreSQL server of the tests' own: a cluster made with `initdb` in a temporary directory
/// and started with `pg_ctl` on a Unix socket there, once per test process, stopped when the
/// process exits. Under root, the server runs as the `postgres` user (PostgreSQL refuses root).
/// Each test takes a fresh database of its own from it (`TestDatabase`).
public enum PostgresTestServer {
    /// The server's socket directory and the superuser to connect as, or why there is none.
    public static let started: Result<String, PostgresUnavailable> = start()

    public struct PostgresUnavailable: Error, CustomStringConvertible {
        public let description: String
    }

    public static let superuser = "sevad"
    public static let port = 5432

    /// The URL of `database` on the test server.
    public static func url(_ database: String) throws -> String {
        let directory = try started.get()
        return "postgresql:///\(database)?host=\(directory)&port=\(port)&user=\(superuser)"
    }

    /// The directory of PostgreSQL's programs (Debian's /usr/lib/postgresql/N/bin), newest first.
    public static var binaries: String? {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.compactMap(Int.init).sorted(by: >).map { "\(root)/\($0)/bin" }
            .first { FileManager.default.isExecutableFile(atPath: $0 + "/pg_ctl") }
    }

    private nonisolated(unsafe) static var dataDirectory: String?

    private static func start() -> Result<String, PostgresUnavailable> {
        guard let binaries else {
            return .failure(PostgresUnavailable(description: "PostgreSQL's server is not installed (apt-get install postgresql)"))
        }
        let directory = "/tmp/sevad-pg-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if geteuid() == 0 { try run("/bin/chown", ["postgres:postgres", directory]) }
            try run(binaries + "/initdb", ["-D", directory + "/data", "-U", superuser, "-A", "trust", "-E", "UTF8",
                                           "--locale=C", "--no-sync"])
            try run(binaries + "/pg_ctl", ["-D", directory + "/data", "-l", directory + "/server.log", "-w", "-t", "60",
                                           "-o", "-k \(directory) -c listen_addresses='' -p \(port) -c max_connections=300",
                                           "start"])
        } catch {
            let log = (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? ""
            return .failure(PostgresUnavailable(description: "cannot start a test PostgreSQL: \(error)\n\(log.suffix(2_000))"))
        }
        dataDirectory = directory + "/data"
        atexit {
            guard let data = PostgresTestServer.dataDirectory, let binaries = PostgresTestServer.binaries else { return }
            try? PostgresTestServer.run(binaries + "/pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
            try? FileManager.default.removeItem(atPath: (data as NSString).deletingLastPathComponent)
        }
        return .success(directory)
    }

    /// Runs a PostgreSQL program, as `postgres` under root; throws with its output when it fails.
    /// Spawned and waited for directly: Foundation's `Process` notices an exit through a
    /// descriptor the server `pg_ctl` starts would inherit, and would wait for the server too.
    public static func run(_ program: String, _ arguments: [String]) throws {
        let argv = geteuid() == 0 && !program.hasPrefix("/bin/") ? ["/usr/sbin/runuser", "-u", "postgres", "--", program] + arguments
            : [program] + arguments
        let outputPath = NSTemporaryDirectory() + "sevad-pg-output-\(getpid())-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of this process's (sockets, other children's pipes) goes to the server.
        let inherited = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap(Int32.init)
        for descriptor in inherited where descriptor > 2 && fcntl(descriptor, F_GETFD) != -1 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else { throw PostgresUnavailable(description: "cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw PostgresUnavailable(description: "\(program) \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }

    /// Runs `sql` as the superuser on the `postgres` database (CREATE and DROP DATABASE).
    public static func administer(_ sql: String) throws {
        let connection = try PostgresConnection(url: try url("postgres"), applicationName: "sevad-tests")
        try connection.execute(sql)
    }

    /// A new, empty database on the test server; its name.
    public static func createDatabase(_ hint: String) throws -> String {
        if case .failure(let why) = started { throw why }
        let name = "t_\(hint.filter { $0.isLetter || $0.isNumber })_\(UUID().uuidString.prefix(8).lowercased())"
        try administer("CREATE DATABASE \(name)")
        return name
    }

    /// Drops a database made by `createDatabase`, ending its sessions.
    public static func dropDatabase(_ name: String) {
        try? administer("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }
}
