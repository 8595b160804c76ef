import Foundation
import SevaStore

/// A PostgreSQL primary on host `db1` and a synchronous streaming standby on `db2`
/// (`synchronous_standby_names = 'FIRST 1 (db2)'`), made with initdb and pg_basebackup in a
/// temporary directory, with the keepalive settings docs/high-availability.md gives, shortened
/// so a dead client is noticed in about 4 s.
public final class ReplicatedPostgres {
    public let network: NamespaceNetwork
    public let directory = "/tmp/svlab-pg-\(getpid())"
    private let binaries: String

    /// What sevad's `store.url` is: both hosts, the one that takes writes wins.
    public var url: String {
        "postgresql://sevad@\(network.address("db1")):5432,\(network.address("db2")):5432/sevad"
            + "?target_session_attrs=read-write&connect_timeout=2&keepalives_idle=1&keepalives_interval=1"
            + "&keepalives_count=3&tcp_user_timeout=3000"
    }

    /// One host's database alone, for a client that must reach that very server.
    public func url(host: String, database: String = "sevad") -> String {
        "postgresql://sevad@\(network.address(host)):5432/\(database)?connect_timeout=5"
    }

    public init(network: NamespaceNetwork) throws {
        self.network = network
        guard let binaries = PostgresTestServer.binaries else { throw PostgresTestServer.PostgresUnavailable(description: "PostgreSQL is not installed") }
        self.binaries = binaries
        try? FileManager.default.removeItem(atPath: directory)
        for folder in ["", "/db1-socket", "/db2-socket"] {
            try FileManager.default.createDirectory(atPath: directory + folder, withIntermediateDirectories: true)
            try PostgresTestServer.run("/bin/chown", ["postgres:postgres", directory + folder])
        }
        try PostgresTestServer.run(binaries + "/initdb", ["-D", directory + "/db1", "-U", "sevad", "-A", "trust", "-E", "UTF8",
                                                          "--locale=C", "--no-sync"])
        let access = "host all all 10.77.0.0/24 trust\nhost replication all 10.77.0.0/24 trust\n"
        try append(access, to: directory + "/db1/pg_hba.conf")
        try start("db1", extra: "-c synchronous_standby_names='FIRST 1 (db2)'")
        try asPostgres(on: "db2", binaries + "/pg_basebackup",
                       ["-d", "host=\(network.address("db1")) port=5432 user=sevad", "-D", directory + "/db2", "-R",
                        "-X", "stream", "--no-sync"])
        try append("primary_conninfo = 'host=\(network.address("db1")) port=5432 user=sevad application_name=db2'\n",
                   to: directory + "/db2/postgresql.auto.conf")
        try start("db2", extra: "")
        let primary = try PostgresConnection(url: url(host: "db1", database: "postgres"), applicationName: "sevad-tests")
        let deadline = Date(timeIntervalSinceNow: 60)
        while try primary.integer("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") == 0 {
            guard Date() < deadline else { throw PostgresTestServer.PostgresUnavailable(description: "db2 did not become db1's synchronous standby in 60 s") }
            usleep(50_000)
        }
        try primary.execute("CREATE DATABASE sevad")
    }

    deinit {
        for host in ["db1", "db2"] {
            try? PostgresTestServer.run(binaries + "/pg_ctl", ["-D", directory + "/" + host, "-m", "immediate", "-w", "stop"])
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The primary's server stops at once, as when its machine dies.
    public func killPrimary() throws {
        try PostgresTestServer.run(binaries + "/pg_ctl", ["-D", directory + "/db1", "-m", "immediate", "-w", "stop"])
    }

    /// The standby becomes the primary (what Patroni or an operator does after `killPrimary`).
    public func promoteStandby() throws {
        try PostgresTestServer.run(binaries + "/pg_ctl", ["-D", directory + "/db2", "-w", "promote"])
    }

    private func start(_ host: String, extra: String) throws {
        let options = "-k \(directory)/\(host)-socket -c listen_addresses=\(network.address(host)) -p 5432 "
            + "-c max_connections=100 -c tcp_keepalives_idle=1 -c tcp_keepalives_interval=1 -c tcp_keepalives_count=3 "
            + "-c tcp_user_timeout=3000 " + extra
        try asPostgres(on: host, binaries + "/pg_ctl", ["-D", directory + "/" + host, "-l", directory + "/\(host).log", "-w",
                                                        "-t", "60", "-o", options, "start"])
    }

    /// A PostgreSQL program run as `postgres` inside the host's namespace.
    private func asPostgres(on host: String, _ program: String, _ arguments: [String]) throws {
        let argv = network.inside(host, ["/usr/sbin/runuser", "-u", "postgres", "--", program] + arguments)
        try PostgresTestServer.run(argv[0], Array(argv.dropFirst()))
    }

    private func append(_ text: String, to path: String) throws {
        guard let file = FileHandle(forWritingAtPath: path) else { throw PostgresTestServer.PostgresUnavailable(description: "cannot write \(path)") }
        file.seekToEndOfFile()
        file.write(Data(text.utf8))
        file.closeFile()
    }
}
