import SevaServer
import SevaWire

/// sevad's options, written once for `--help` and for the man page (`--man`).
enum Manual {
    static let options: [(flag: String, text: String)] = [
        ("--config FILE", "read FILE (default: sevad.toml in $CONFIGURATION_DIRECTORY or ./etc when it exists, else the built-in defaults)"),
        ("--SECTION.KEY V", "override one key, e.g. --server.max_connections 500 or --store.path=/tmp/sevad.db (V is a TOML value; bare words are strings)"),
        ("--print-config", "print the configuration file with every key at its default and its doc (etc/sevad.toml is this)"),
        ("--check-config", "validate the configuration, print what is wrong, exit 0 or 1 (without it, sevad serves until SIGTERM or SIGINT)"),
        ("--copy-store-to T", "copy every row of the configured store into T, a PostgreSQL URL or an SQLite file, which must be empty: how a deployment moves to PostgreSQL (docs/high-availability.md); stop sevad first"),
        ("--paths", "print the state, runtime and configuration directories in use"),
        ("--version", "print the version"),
        ("--man", "print this manual page (roff), as make install does"),
    ]

    static var usage: String {
        var text = """
            sevad \(ProtocolVersion.release) — the Seva Mitra dispatch daemon (line protocol v\(ProtocolVersion.current))

            usage: sevad [--config FILE] [--SECTION.KEY VALUE ...] [--check-config]
                   sevad --copy-store-to POSTGRESQL_URL|SQLITE_FILE [--config FILE]
                   sevad --print-config | --paths | --version | --man | --help


            """
        for (flag, description) in options {
            text += "  " + flag.padding(toLength: 18, withPad: " ", startingAt: 0) + wrap(description, width: 68, indent: 20) + "\n"
        }
        text += """

            By hand, state lives in ./var (the store, the Unix socket); under systemd in its
            directories. Signals: SIGHUP reloads the live keys, SIGTERM stops cleanly.


            """
        return text + ConfigurationDocs.help
    }

    static var roff: String {
        var page = """
            .TH SEVAD 8 "" "sevad \(ProtocolVersion.release)" "System Administration"
            .SH NAME
            sevad \\- the Seva Mitra dispatch daemon
            .SH SYNOPSIS
            .B sevad
            [\\fB\\-\\-config\\fR \\fIFILE\\fR] [\\fB\\-\\-SECTION.KEY\\fR \\fIVALUE\\fR ...] [\\fB\\-\\-check\\-config\\fR]
            .SH DESCRIPTION
            sevad sends a household's booking to the nearest suitable verified worker. Worker phones and
            booking front-ends speak its line protocol (version \(ProtocolVersion.current)) over TCP and a Unix socket; it
            keeps a live spatial index of worker positions, persists every assignment to SQLite and
            reports its health to systemd (Type=notify, watchdog, socket activation, journal fields).
            .SH OPTIONS

            """
        for (flag, description) in options {
            page += ".TP\n.B \(flag.replacingOccurrences(of: "-", with: "\\-"))\n\(description.replacingOccurrences(of: "-", with: "\\-"))\n"
        }
        page += ConfigurationDocs.roff
        page += """
            .SH SIGNALS
            .TP
            .B SIGHUP
            re-read the configuration; dispatch keys, rates and districts change at once (RELOADING=1 ... READY=1)
            .TP
            .B SIGTERM
            stop accepting, tell clients (EVT shutdown), commit what is queued, close the store, exit 0
            .SH FILES
            .TP
            .I /etc/sevad/sevad.toml
            the configuration; every key with its default
            .TP
            .I /var/lib/sevad/sevad.db
            the store (SQLite, WAL)
            .TP
            .I /run/sevad/sevad.sock
            the admin socket (root and group sevad)
            .SH SEE ALSO
            .BR systemctl (1),
            .BR journalctl (1),
            .BR systemd.socket (5)

            """
        return page
    }

    /// `text` wrapped to `width`, every line after the first indented by `indent` spaces.
    private static func wrap(_ text: String, width: Int, indent: Int) -> String {
        String(ConfigurationDocs.wrap(text, width: width, prefix: String(repeating: " ", count: indent)).dropFirst(indent))
    }
}
