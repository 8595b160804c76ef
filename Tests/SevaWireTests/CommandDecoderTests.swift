import SevaCore
import Testing
@testable import SevaWire

@Suite struct CommandDecoderTests {
    func decode(_ text: String) throws -> Command { try CommandDecoder.decode(try RequestLine(Array(text.utf8))) }

    func refusal(_ text: String) -> WireError? {
        do {
            _ = try decode(text)
            return nil
        } catch let error as WireError {
            return error
        } catch {
            return nil
        }
    }

    @Test func connectionCommands() throws {
        #expect(try decode("hello") == .hello(name: nil))
        #expect(try decode("HELLO name=\"portal 7\"") == .hello(name: "portal 7"))
        #expect(try decode("Auth sv1_abc") == .auth(token: "sv1_abc"))
        #expect(try decode("PING") == .ping)
        #expect(try decode("quit") == .quit)
        #expect(try decode("STATS") == .stats)
        #expect(try decode("reload") == .reload)
    }

    @Test func workerCommands() throws {
        var fields = WorkerFields()
        fields.skills = ["plumber", "mason"]
        fields.name = "Ramesh Kumar"
        fields.verified = true
        fields.radiusKm = 12.5
        #expect(try decode(#"WORKER ADD w-17 skills=plumber,mason name="Ramesh Kumar" verified=yes radius_km=12.5"#)
            == .workerAdd(id: "w-17", fields))
        var change = WorkerFields()
        change.district = "hathras"
        #expect(try decode("worker set w-17 district=hathras") == .workerSet(id: "w-17", change))
        #expect(try decode("WORKER GET w-17") == .workerGet(id: "w-17"))
        #expect(try decode("WORKER DEL w-17") == .workerDelete(id: "w-17"))
        var filter = WorkerFilter()
        filter.skill = "cook"
        filter.limit = 50
        filter.after = "w-10"
        #expect(try decode("WORKER LIST skill=cook limit=50 after=w-10") == .workerList(filter))
    }

    @Test func tokenCommands() throws {
        func grant(_ role: Role, worker: String? = nil, client: String? = nil, label: String? = nil,
                   ttlDays: Double? = nil) -> Command {
            var grant = TokenGrant(role: role)
            grant.worker = worker
            grant.client = client
            grant.label = label
            grant.ttlDays = ttlDays
            return .tokenIssue(grant)
        }
        #expect(try decode("TOKEN ISSUE worker worker=w-1 label=phone") == grant(.worker, worker: "w-1", label: "phone"))
        #expect(try decode("TOKEN ISSUE Booker") == grant(.booker))
        #expect(try decode("TOKEN ISSUE booker client=helpline-crm") == grant(.booker, client: "helpline-crm"))
        #expect(try decode("TOKEN REVOKE sv1_abcd") == .tokenRevoke(prefix: "sv1_abcd"))
        #expect(try decode("TOKEN ISSUE gateway ttl_days=30") == grant(.gateway, ttlDays: 30))
        #expect(try decode("TOKEN ROTATE sv1_abcd") == .tokenRotate(prefix: "sv1_abcd"))
        #expect(throws: WireError.self) { try decode("TOKEN ISSUE gateway ttl_days=0") }
        #expect(throws: WireError.self) { try decode("TOKEN ROTATE sv1") }
        #expect(try decode("TOKEN LIST") == .tokenList)
    }

    @Test func clientIsForBookersAndHasTheFormOfAnID() {
        func message(_ line: String) -> String? {
            do { _ = try decode(line); return nil } catch let error as WireError { return error.message } catch { return "\(error)" }
        }
        #expect(message("TOKEN ISSUE viewer client=portal")?.hasPrefix("client: only a booker token belongs to a client") == true)
        #expect(message("TOKEN ISSUE worker worker=w-1 client=portal")?.hasPrefix("client:") == true)
        #expect(message("TOKEN ISSUE booker client=\"web portal\"") == "client: must be 1-64 of A-Z a-z 0-9 _ . : -")
        #expect(message("TOKEN ISSUE booker client=") != nil)
    }

    @Test func deviceCommandsInBothForms() throws {
        let point = try GeoPoint(latitude: 27.596, longitude: 78.05)
        #expect(try decode("LOC 27.596 78.05") == .location(worker: nil, LocationFix(point: point)))
        var fix = LocationFix(point: point)
        fix.accuracyMetres = 12
        fix.timestamp = 1_764_578_000
        fix.speedMetresPerSecond = 3.5
        fix.headingDegrees = 270
        #expect(try decode("LOC w-1 27.596 78.05 acc=12 ts=1764578000 speed=3.5 heading=270") == .location(worker: "w-1", fix))
        #expect(try decode("AVAIL on") == .availability(worker: nil, .on))
        #expect(try decode("AVAIL w-1 BREAK") == .availability(worker: "w-1", .break))
        var near = NearQuery(center: point)
        near.skill = "plumber"
        near.radiusKm = 5
        near.limit = 10
        near.includeAll = true
        #expect(try decode("NEAR 27.596 78.05 skill=plumber radius_km=5 limit=10 all=yes") == .near(near))
        var byPin = NearQuery(pincode: try #require(PinCode("204101")))
        byPin.skill = "cook"
        #expect(try decode("NEAR pincode=204101 skill=cook") == .near(byPin))
    }

    @Test func helplineBookingsByPinCodeOrDistrict() throws {
        var fields = JobFields(skill: "plumber")
        fields.pincode = PinCode("204101")
        fields.address = "near the well"
        #expect(try decode("JOB NEW skill=plumber pincode=204101 address=\"near the well\"") == .jobNew(fields))
        var district = JobFields(skill: "cook")
        district.district = "Hamirpur"
        district.state = "Himachal Pradesh"
        #expect(try decode("JOB NEW skill=cook district=Hamirpur state=\"Himachal Pradesh\"") == .jobNew(district))
        var worker = WorkerFields()
        worker.pincode = PinCode("226001")
        #expect(try decode("WORKER SET w-1 pincode=226001") == .workerSet(id: "w-1", worker))
        for malformed in ["20410", "2041011", "012345", "20410x"] {
            #expect(throws: WireError.badArgument("pincode", "'\(malformed)' is not a PIN code: six digits, the first 1-9, like 204101")) {
                try decode("JOB NEW skill=cook pincode=\(malformed)")
            }
        }
        #expect(throws: WireError.self) { try decode("NEAR pincode=2041") }
    }

    @Test(arguments: [
        ("FLY away", ErrorCode.unknown, "unknown verb"),
        ("PING extra", .badArgument, "unexpected argument"),
        ("PING x=1", .badArgument, "unknown key"),
        ("AUTH", .badArgument, "token: missing"),
        ("WORKER", .badArgument, "subcommand"),
        ("WORKER ADD w1", .badArgument, "skills: required"),
        ("WORKER ADD w1 skills=Plumber", .badArgument, "lower-case"),
        ("WORKER ADD w1 skills=plumber,", .badArgument, "lower-case"),
        ("WORKER ADD bad/id skills=cook", .badArgument, "id: must be"),
        ("WORKER ADD w1 skills=cook colour=blue", .badArgument, "colour: unknown key"),
        ("WORKER ADD w1 skills=cook verified=maybe", .badArgument, "verified: must be yes or no"),
        ("WORKER ADD w1 skills=cook skills=mason", .badArgument, "given twice"),
        ("WORKER SET w1", .badArgument, "at least one field"),
        ("WORKER LIST limit=0", .badArgument, "limit: must be a whole number"),
        ("TOKEN ISSUE wizard", .badArgument, "role: must be one of"),
        ("TOKEN ISSUE worker", .badArgument, "worker: required"),
        ("TOKEN ISSUE booker worker=w1", .badArgument, "only a worker token"),
        ("TOKEN REVOKE ab", .badArgument, "at least 4"),
        ("LOC nan 78", .badArgument, "lat must be a decimal"),
        ("LOC 27 inf", .badArgument, "lon must be a decimal"),
        ("LOC 1e400 78", .badArgument, "lat must be a decimal"),
        ("LOC 91 78", .badArgument, "lat must be within"),
        ("LOC 27 -180.5", .badArgument, "lon must be within"),
        ("LOC 27", .badArgument, "lon: missing"),
        ("LOC w1 27 78 acc=-1", .badArgument, "acc: must be within"),
        ("LOC w1 27 78 heading=361", .badArgument, "heading: must be within"),
        ("LOC w1 27 78 ts=soon", .badArgument, "ts: must be a plain decimal"),
        ("LOC w1 27 78 altitude=5", .badArgument, "altitude: unknown key"),
        ("LOC w1 27 78 extra", .badArgument, "unexpected argument"),
        ("AVAIL maybe", .badArgument, "state: must be on, off or break"),
        ("NEAR 27 78 radius_km=0", .badArgument, "radius_km: must be within"),
        ("NEAR 27 78 limit=100000", .badArgument, "limit: must be a whole number"),
    ])
    func badRequestsNameWhatIsWrong(_ text: String, _ code: ErrorCode, _ fragment: String) {
        guard let error = refusal(text) else {
            Issue.record("accepted \(text)")
            return
        }
        #expect(error.code == code, "\(text): \(error)")
        #expect(error.message.contains(fragment), "\(text): \(error.message)")
    }
}
