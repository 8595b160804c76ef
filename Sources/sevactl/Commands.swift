import ArgumentParser
import Foundation
import SevaClient

/// `sevactl status`: health and counts.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Health, counts and rates (STATS).")
    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        let stats = try connection.connect().ask("STATS")
        if connection.json { return print(stats) }
        guard let data = stats.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return print(stats)
        }
        for key in ["workers", "jobs", "offers", "time_to_assign_s", "store", "connections", "fixes", "tokens", "uptime_s"] {
            guard let value = object[key] else { continue }
            if let group = value as? [String: Any] {
                print(key.padding(toLength: 18, withPad: " ", startingAt: 0)
                      + group.keys.sorted().map { "\($0)=\(Output.text(group[$0]!))" }.joined(separator: "  "))
            } else {
                print(key.padding(toLength: 18, withPad: " ", startingAt: 0) + Output.text(value))
            }
        }
    }
}

/// `sevactl workers [--skill S] [--status S] [--district D] [--limit N] [--after ID] [--sort KEY]`.
struct Workers: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List workers, in id order, a page at a time; or all of them sorted (--sort).",
        discussion: "--sort jobs_today reads every worker the filters select and lists them most jobs today first, "
            + "with the spread (mean, Gini) on top: who is getting work and who is not. --sort rating lists the best rated first.")
    enum SortKey: String, ExpressibleByArgument, CaseIterable { case id, jobs_today, rating }

    @OptionGroup var connection: ConnectionOptions
    @Option var skill: String?
    @Option var status: String?
    @Option var district: String?
    @Option(help: "workers per page; with --sort, the rows shown") var limit: Int?
    @Option(help: "start after this worker id (paging)") var after: String?
    @Option(help: "id (paged, the default), jobs_today or rating (all workers, sorted)") var sort = SortKey.id

    static let columns = ["id", "name", "skills", "district", "verified", "status", "age_s", "jobs_today", "rating"]

    func request(after: String?, limit: Int?) -> String {
        var request = "WORKER LIST"
        for (key, value) in [("skill", skill), ("status", status), ("district", district), ("after", after)] {
            if let value { request += " \(key)=\(LineArgument.quoted(value))" }
        }
        if let limit { request += " limit=\(limit)" }
        return request
    }

    func run() throws {
        let client = try connection.connect()
        guard sort != .id else {
            return Output.show(try client.ask(request(after: after, limit: limit)), columns: Self.columns, asJSON: connection.json)
        }
        var rows: [[String: Any]] = []
        var last = after
        while true {
            let page = try Output.rows(try client.ask(request(after: last, limit: 10_000)))
            rows += page
            guard page.count == 10_000, let id = page.last?["id"] as? String else { break }
            last = id
        }
        let key = sort.rawValue
        rows.sort { a, b in
            let x = (a[key] as? NSNumber)?.doubleValue ?? -1, y = (b[key] as? NSNumber)?.doubleValue ?? -1
            return x != y ? x > y : (a["id"] as? String ?? "") < (b["id"] as? String ?? "")
        }
        let jobs = rows.map { ($0["jobs_today"] as? NSNumber)?.doubleValue ?? 0 }
        let shown = Array(rows.prefix(limit ?? rows.count))
        if connection.json { return print(Output.json(shown)) }
        print("\(rows.count) workers; jobs today: \(Int(jobs.reduce(0, +))) in all, mean \(Output.decimal(jobs.reduce(0, +) / Double(max(1, jobs.count)))), "
              + "Gini \((jobs.contains { $0 > 0 } ? Gini.of(jobs) : nil).map(Output.decimal) ?? "-"), with none \(jobs.count { $0 == 0 })")
        Output.table(shown, columns: Self.columns)
    }
}


/// `sevactl worker add|get|set|del`.
struct Worker: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Add, show, change or remove one worker.",
                                                    subcommands: [Add.self, Get.self, Set.self, Del.self])

    struct Fields: ParsableArguments {
        @Option(help: "skills, comma-separated (from the catalogue)") var skills: String?
        @Option var name: String?
        @Option var phone: String?
        @Option var district: String?
        @Option(help: "home PIN code (fills in the district when --district is not given)") var pincode: String?
        @Option(help: "yes or no") var verified: String?
        @Option(name: .customLong("radius-km")) var radiusKm: Double?

        var arguments: String {
            var text = ""
            for (key, value) in [("skills", skills), ("name", name), ("phone", phone), ("district", district), ("pincode", pincode),
                                 ("verified", verified)] {
                if let value { text += " \(key)=\(LineArgument.quoted(value))" }
            }
            if let radiusKm { text += " radius_km=\(radiusKm)" }
            return text
        }
    }

    struct Add: ParsableCommand {
        @OptionGroup var connection: ConnectionOptions
        @Argument var id: String
        @OptionGroup var fields: Fields
        func run() throws { Output.show(try connection.connect().ask("WORKER ADD \(LineArgument.quoted(id))\(fields.arguments)"), columns: [], asJSON: connection.json) }
    }

    struct Get: ParsableCommand {
        @OptionGroup var connection: ConnectionOptions
        @Argument var id: String
        func run() throws { Output.show(try connection.connect().ask("WORKER GET \(LineArgument.quoted(id))"), columns: [], asJSON: connection.json) }
    }

    struct Set: ParsableCommand {
        @OptionGroup var connection: ConnectionOptions
        @Argument var id: String
        @OptionGroup var fields: Fields
        func run() throws { Output.show(try connection.connect().ask("WORKER SET \(LineArgument.quoted(id))\(fields.arguments)"), columns: [], asJSON: connection.json) }
    }

    struct Del: ParsableCommand {
        @OptionGroup var connection: ConnectionOptions
        @Argument var id: String
        func run() throws { Output.show(try connection.connect().ask("WORKER DEL \(LineArgument.quoted(id))"), columns: [], asJSON: connection.json) }
    }
}

/// `sevactl token issue|rotate|revoke|list`.
struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Issue, rotate, revoke or list access tokens.",
                                                    subcommands: [Issue.self, Rotate.self, Revoke.self, List.self])

    struct Issue: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a token; it is shown once.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "admin, booker, worker, gateway or viewer") var role: String
        @Option(help: "the worker a worker token acts for") var worker: String?
        @Option(help: ArgumentHelp("the client a booker token books for (web portal, helpline CRM, partner app): "
            + "its tokens share its jobs and see no other client's; without it the token is a client of its own",
            valueName: "name")) var client: String?
        @Option var label: String?
        @Option(help: "days until the token stops working (default: never)") var ttlDays: Double?
        func run() throws {
            var request = "TOKEN ISSUE \(LineArgument.quoted(role))"
            if let worker { request += " worker=\(LineArgument.quoted(worker))" }
            if let client { request += " client=\(LineArgument.quoted(client))" }
            if let label { request += " label=\(LineArgument.quoted(label))" }
            if let ttlDays { request += " ttl_days=\(ttlDays)" }
            Output.show(try connection.connect().ask(request), columns: ["token", "prefix", "role", "client", "expires_at"],
                        asJSON: connection.json)
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a replacement token; the old one works for server.token_rotate_grace_s more.")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "the old token's first characters (at least 4), as TOKEN LIST shows them") var prefix: String
        func run() throws {
            Output.show(try connection.connect().ask("TOKEN ROTATE \(LineArgument.quoted(prefix))"),
                        columns: ["token", "prefix", "role", "client", "replaces", "replaced_expires_at"], asJSON: connection.json)
        }
    }

    struct Revoke: ParsableCommand {
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "the token's first characters (at least 4), as TOKEN LIST shows them") var prefix: String
        func run() throws { Output.show(try connection.connect().ask("TOKEN REVOKE \(LineArgument.quoted(prefix))"), columns: ["revoked"], asJSON: connection.json) }
    }

    struct List: ParsableCommand {
        @OptionGroup var connection: ConnectionOptions
        func run() throws {
            Output.show(try connection.connect().ask("TOKEN LIST"),
                        columns: ["prefix", "role", "worker", "client", "label", "created_at", "expires_at", "last_used_at", "expired"],
                        asJSON: connection.json)
        }
    }
}

/// `sevactl jobs [--state S] [--skill S] [--limit N] [--after ID]`.
struct Jobs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List jobs, in id order.")
    @OptionGroup var connection: ConnectionOptions
    @Option var state: String?
    @Option var skill: String?
    @Option var limit: Int?
    @Option var after: Int?

    func run() throws {
        var request = "JOB LIST"
        if let state { request += " state=\(LineArgument.quoted(state))" }
        if let skill { request += " skill=\(LineArgument.quoted(skill))" }
        if let limit { request += " limit=\(limit)" }
        if let after { request += " after=\(after)" }
        Output.show(try connection.connect().ask(request),
                    columns: ["id", "skill", "district", "state", "worker", "address", "created_at"], asJSON: connection.json)
    }
}

/// `sevactl job new|get|cancel`.
struct Job: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Book, show, cancel or rate one job.",
                                                    subcommands: [New.self, Get.self, Cancel.self, Rate.self])

    struct New: ParsableCommand {
        @OptionGroup var connection: ConnectionOptions
        @Option var skill: String
        @Option var lat: Double?
        @Option var lon: Double?
        @Option(help: "without --lat/--lon: the caller's PIN code (its post offices' centroid)") var pincode: String?
        @Option(help: "without --lat/--lon: any district of India by name (its centre)") var district: String?
        @Option(help: "the state, for a district name found in two states") var state: String?
        @Option var address: String?
        @Option var customer: String?
        @Option(help: "Unix seconds of the visit (a scheduled job)") var at: Int?
        @Option(help: "an idempotency key: the same ref never books twice") var ref: String?
        func run() throws {
            var request = "JOB NEW skill=\(LineArgument.quoted(skill))"
            if let lat, let lon { request += " lat=\(lat) lon=\(lon)" }
            for (key, value) in [("pincode", pincode), ("district", district), ("state", state), ("address", address),
                                 ("customer", customer), ("ref", ref)] {
                if let value { request += " \(key)=\(LineArgument.quoted(value))" }
            }
            if let at { request += " at=\(at)" }
            Output.show(try connection.connect().ask(request), columns: ["id", "state", "rate_inr"], asJSON: connection.json)
        }
    }

    struct Get: ParsableCommand {
        @OptionGroup var connection: ConnectionOptions
        @Argument var id: Int
        func run() throws {
            let job = try connection.connect().ask("JOB GET \(id)")
            if connection.json { return print(job) }
            Output.show(job, columns: ["id", "skill", "state", "worker", "district", "address", "created_at"], asJSON: false)
            guard let data = job.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let events = object["events"] as? [[String: Any]] else { return }
            print("")
            Output.table(events, columns: ["seq", "at", "state", "event", "worker", "detail"])
        }
    }

    struct Cancel: ParsableCommand {
        @OptionGroup var connection: ConnectionOptions
        @Argument var id: Int
        @Option var reason: String?
        func run() throws {
            let request = "JOB CANCEL \(id)" + (reason.map { " reason=\(LineArgument.quoted($0))" } ?? "")
            Output.show(try connection.connect().ask(request), columns: [], asJSON: connection.json)
        }
    }

    struct Rate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The household's stars for a completed job (once).")
        @OptionGroup var connection: ConnectionOptions
        @Argument var id: Int
        @Option(help: "1 to 5") var stars: Int
        @Option var comment: String?
        func run() throws {
            let request = "JOB RATE \(id) stars=\(stars)" + (comment.map { " comment=\(LineArgument.quoted($0))" } ?? "")
            Output.show(try connection.connect().ask(request), columns: [], asJSON: connection.json)
        }
    }
}

/// `sevactl near LAT LON [--skill S] [--radius-km R] [--limit N] [--all]`.
struct Near: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The nearest available workers to a point.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var lat: Double
    @Argument var lon: Double
    @Option var skill: String?
    @Option(name: .customLong("radius-km")) var radiusKm: Double?
    @Option var limit: Int?
    @Flag(help: "every worker with a fresh position, not only those who may take a job now") var all = false

    func run() throws {
        var request = "NEAR \(lat) \(lon)"
        if let skill { request += " skill=\(LineArgument.quoted(skill))" }
        if let radiusKm { request += " radius_km=\(radiusKm)" }
        if let limit { request += " limit=\(limit)" }
        if all { request += " all=yes" }
        Output.show(try connection.connect().ask(request), columns: ["id", "dist_m", "lat", "lon", "status", "age_s"],
                    asJSON: connection.json)
    }
}

/// `sevactl feed [--since N] [--limit N] [--follow]`.
struct Feed: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Job events after a seq (the durable feed); --follow streams on.")
    @OptionGroup var connection: ConnectionOptions
    @Option var since: Int = 0
    @Option var limit: Int?
    @Flag(help: "replay from --since, then print new events as they happen (until interrupted)") var follow = false

    func run() throws {
        if follow { return try follow(connection.connect()) }
        let request = "FEED since=\(since)" + (limit.map { " limit=\($0)" } ?? "")
        Output.show(try connection.connect().ask(request), columns: ["seq", "job", "at", "state", "worker"], asJSON: connection.json)
    }
}

/// `sevactl raw 'LINE'`: one protocol line, its reply printed as it came.
struct Raw: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send one protocol line; print the reply as it came.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var line: String

    func run() throws {
        let reply = try connection.connect().answer(line)
        print(reply)
        if reply.hasPrefix("ERR ") { throw ExitCode(1) }
    }
}
