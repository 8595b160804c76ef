#if canImport(Glibc)
import Glibc
#endif
import SevaCore
import SevaWire
import Testing
@testable import SevaServer

@Suite struct PermissionsTests {
    static let point = try! GeoPoint(latitude: 27.596, longitude: 78.05)

    /// One command of each kind, by name.
    static let commands: [(String, Command)] = [
        ("HELLO", .hello(name: nil)), ("AUTH", .auth(token: "x")), ("PING", .ping), ("QUIT", .quit),
        ("WORKER ADD", .workerAdd(id: "w1", WorkerFields())), ("WORKER SET", .workerSet(id: "w1", WorkerFields())),
        ("WORKER GET", .workerGet(id: "w1")), ("WORKER DEL", .workerDelete(id: "w1")),
        ("WORKER LIST", .workerList(WorkerFilter())), ("TOKEN ISSUE", .tokenIssue(TokenGrant(role: .viewer))),
        ("TOKEN REVOKE", .tokenRevoke(prefix: "sv1_abcd")), ("TOKEN ROTATE", .tokenRotate(prefix: "sv1_abcd")), ("TOKEN LIST", .tokenList),
        ("NEAR", .near(NearQuery(center: point))), ("STATS", .stats), ("RELOAD", .reload),
        ("JOB NEW", .jobNew(JobFields(skill: "plumber"))), ("JOB GET", .jobGet(id: 1)),
        ("JOB CANCEL", .jobCancel(id: 1, reason: nil)), ("JOB RATE", .jobRate(id: 1, stars: 5, comment: nil)), ("JOB LIST", .jobList(JobFilter())),
        ("WATCH", .watch(job: 1)), ("UNWATCH", .unwatch(job: 1)), ("FEED", .feed(since: 0, limit: nil)),
        ("SUBSCRIBE", .subscribe(JobSubscription())), ("UNSUBSCRIBE", .unsubscribe),
    ]

    /// DESIGN.md §2's table for the commands above (device commands are checked separately),
    /// with SUBSCRIBE — FEED delivered live — a viewer's too, for the operations page.
    static let allowed: [Role: Set<String>] = [
        .admin: Set(commands.map(\.0)),
        .booker: ["HELLO", "AUTH", "PING", "QUIT", "NEAR", "WORKER GET", "JOB NEW", "JOB GET", "JOB CANCEL", "JOB RATE", "JOB LIST",
                  "WATCH", "UNWATCH", "FEED", "SUBSCRIBE", "UNSUBSCRIBE"],
        .worker: ["HELLO", "AUTH", "PING", "QUIT"],
        .gateway: ["HELLO", "AUTH", "PING", "QUIT"],
        .viewer: ["HELLO", "AUTH", "PING", "QUIT", "WORKER GET", "WORKER LIST", "NEAR", "STATS", "JOB GET", "JOB LIST", "FEED",
                  "SUBSCRIBE", "UNSUBSCRIBE"],
    ]

    @Test(arguments: Role.allCases)
    func theRoleTableHolds(_ role: Role) {
        let principal = Principal(role: role, worker: role == .worker ? "w1" : nil)
        for (name, command) in Self.commands {
            switch Permissions.check(command, for: principal) {
            case .success:
                #expect(Self.allowed[role]!.contains(name), "\(role) may not \(name) but was allowed")
            case .failure(let error):
                #expect(!Self.allowed[role]!.contains(name), "\(role) may \(name) but got \(error)")
                #expect(error.code == .denied)
            }
        }
    }

    @Test func beforeAuthOnlyTheConnectionCommands() {
        for (name, command) in Self.commands {
            let result = Permissions.check(command, for: .anonymous)
            if ["HELLO", "AUTH", "PING", "QUIT"].contains(name) {
                #expect((try? result.get()) != nil, "\(name)")
            } else {
                guard case .failure(let error) = result else { Issue.record("\(name) allowed before AUTH"); continue }
                #expect(error.code == .noAuth)
            }
        }
        guard case .failure(let error) = Permissions.check(.location(worker: "w1", LocationFix(point: Self.point)), for: .anonymous)
        else { Issue.record("LOC allowed before AUTH"); return }
        #expect(error.code == .noAuth)
    }

    /// The device rule without a command (a tracker's request that carries no fix).
    @Test func theDeviceRuleStandsAlone() {
        let me = Principal(role: .worker, worker: "w1")
        #expect((try? Permissions.checkDevice("LOC", worker: nil, for: me).get())?.worker == "w1")
        #expect((try? Permissions.checkDevice("LOC", worker: "w2", for: me).get()) == nil)
        #expect((try? Permissions.checkDevice("LOC", worker: "w2", for: Principal(role: .gateway)).get())?.worker == "w2")
        guard case .failure(let error) = Permissions.checkDevice("LOC", worker: "w1", for: Principal(role: .booker)) else {
            Issue.record("a booker acted for a device")
            return
        }
        #expect(error.code == .denied && error.message.contains("LOC"))
        guard case .failure(let noAuth) = Permissions.checkDevice("LOC", worker: "w1", for: .anonymous) else {
            Issue.record("acted before AUTH")
            return
        }
        #expect(noAuth.code == .noAuth)
    }

    @Test func aWorkerActsOnlyForItself() {
        let me = Principal(role: .worker, worker: "w1")
        let fix = LocationFix(point: Self.point)
        #expect((try? Permissions.check(.location(worker: nil, fix), for: me).get())?.worker == "w1")
        #expect((try? Permissions.check(.location(worker: "w1", fix), for: me).get())?.worker == "w1")
        #expect((try? Permissions.check(.availability(worker: nil, .on), for: me).get())?.worker == "w1")
        for step in JobStep.allCases {
            #expect((try? Permissions.check(.jobStep(step, worker: nil, job: 4, reason: nil), for: me).get())?.worker == "w1")
        }
        for command in [Command.location(worker: "w2", fix), .availability(worker: "w2", .off),
                        .jobStep(.accept, worker: "w2", job: 4, reason: nil), .jobStep(.done, worker: "w2", job: 4, reason: nil)] {
            guard case .failure(let error) = Permissions.check(command, for: me) else {
                Issue.record("a worker acted for another: \(command)")
                continue
            }
            #expect(error.code == .denied)
        }
    }

    @Test(arguments: [Role.gateway, .admin])
    func gatewaysAndAdminsNameTheWorker(_ role: Role) {
        let fix = LocationFix(point: Self.point)
        #expect((try? Permissions.check(.location(worker: "w9", fix), for: Principal(role: role)).get())?.worker == "w9")
        guard case .failure(let error) = Permissions.check(.location(worker: nil, fix), for: Principal(role: role)) else {
            Issue.record("\(role) LOC without a worker id was allowed")
            return
        }
        #expect(error.code == .badArgument && error.message.contains("worker"))
    }

    @Test(arguments: [Role.booker, .viewer])
    func readersCannotMoveWorkers(_ role: Role) {
        guard case .failure(let error) = Permissions.check(.location(worker: "w1", LocationFix(point: Self.point)),
                                                           for: Principal(role: role)) else {
            Issue.record("\(role) moved a worker")
            return
        }
        #expect(error.code == .denied)
    }

    @Test func unixPeersAreAdminWhenRootTheDaemonsOwnUserOrInTheGroup() throws {
        #expect(PeerCredentials.isAdmin(uid: 0, gid: 0, group: "no-such-group"))
        #expect(PeerCredentials.isAdmin(uid: geteuid(), gid: 54_321, group: "no-such-group"))
        let stranger: uid_t = geteuid() == 54_321 ? 54_322 : 54_321
        #expect(!PeerCredentials.isAdmin(uid: stranger, gid: 54_321, group: "no-such-group"))
        let root = try #require(getgrgid(0)).pointee.gr_name.map { String(cString: $0) } ?? "root"
        #expect(PeerCredentials.isAdmin(uid: stranger, gid: 0, group: root))
    }
}
