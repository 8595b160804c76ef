import SevaCore
import Testing
@testable import SevaWire

/// JOB, the job steps, WATCH, FEED and SUBSCRIBE as DESIGN.md §2 spells them.
@Suite struct JobCommandDecoderTests {
    func decode(_ text: String) throws -> Command { try CommandDecoder.decode(try RequestLine(Array(text.utf8))) }

    func refusal(_ text: String) -> String {
        do {
            _ = try decode(text)
            return "accepted"
        } catch let error as WireError {
            return "\(error.code.rawValue) \(error.message)"
        } catch {
            return "\(error)"
        }
    }

    @Test func jobNewTakesAPointOrADistrict() throws {
        var fields = JobFields(skill: "plumber")
        fields.point = try GeoPoint(latitude: 27.596, longitude: 78.05)
        fields.address = "12 Sadar Bazar"
        fields.at = 1_800_000_000
        fields.ref = "crm-42"
        #expect(try decode("job new skill=plumber lat=27.596 lon=78.05 address=\"12 Sadar Bazar\" at=1800000000 ref=crm-42") == .jobNew(fields))
        var helpline = JobFields(skill: "cook")
        helpline.district = "hathras"
        helpline.customer = "Meena"
        #expect(try decode("JOB NEW skill=cook district=hathras customer=Meena") == .jobNew(helpline))
        #expect(refusal("JOB NEW skill=cook").hasPrefix("BADARG pincode: pincode= or district= is required without lat= and lon="))
        #expect(refusal("JOB NEW lat=1 lon=2").hasPrefix("BADARG skill: required"))
        #expect(refusal("JOB NEW skill=cook lon=2").hasPrefix("BADARG lat: give lat and lon together"))
        #expect(refusal("JOB NEW skill=cook lat=nan lon=2").hasPrefix("BADARG lat"))
        #expect(refusal("JOB NEW skill=cook district=x ref=\(String(repeating: "r", count: 129))").hasPrefix("BADARG ref"))
        #expect(refusal("JOB NEW skill=cook district=x at=soon").hasPrefix("BADARG at"))
    }

    @Test func jobGetCancelList() throws {
        #expect(try decode("JOB GET 42") == .jobGet(id: 42))
        #expect(try decode("JOB CANCEL 42 reason=\"not home\"") == .jobCancel(id: 42, reason: "not home"))
        var filter = JobFilter()
        filter.state = "offered"
        filter.skill = "cook"
        filter.limit = 5
        filter.after = 10
        #expect(try decode("JOB LIST state=offered skill=cook limit=5 after=10") == .jobList(filter))
        #expect(refusal("JOB GET 0").hasPrefix("BADARG job: must be a job id"))
        #expect(refusal("JOB GET -3").hasPrefix("BADARG job"))
        #expect(refusal("JOB LIST state=lost").hasPrefix("BADARG state: must be one of scheduled, searching"))
        #expect(refusal("JOB FLY").hasPrefix("BADARG subcommand"))
    }

    @Test func jobRate() throws {
        #expect(try decode("JOB RATE 42 stars=5") == .jobRate(id: 42, stars: 5, comment: nil))
        #expect(try decode("JOB RATE 42 stars=1 comment=\"late, but fixed it\"") == .jobRate(id: 42, stars: 1, comment: "late, but fixed it"))
        for bad in ["0", "6", "4.5", "five"] {
            #expect(refusal("JOB RATE 42 stars=\(bad)").hasPrefix("BADARG stars"), "stars=\(bad)")
        }
        #expect(refusal("JOB RATE 42").hasPrefix("BADARG stars: required"))
        #expect(refusal("JOB RATE 42 stars=3 mood=ok").hasPrefix("BADARG mood"))
        #expect(refusal("JOB RATE 42 stars=3 comment=\(String(repeating: "x", count: 501))").hasPrefix("BADARG comment"))
    }

    @Test func jobStepsInBothForms() throws {
        for step in JobStep.allCases {
            #expect(try decode("\(step.rawValue.lowercased()) 7") == .jobStep(step, worker: nil, job: 7, reason: nil))
            #expect(try decode("\(step.rawValue) w-1 7") == .jobStep(step, worker: "w-1", job: 7, reason: nil))
        }
        #expect(try decode("DECLINE 7 reason=far") == .jobStep(.decline, worker: nil, job: 7, reason: "far"))
        #expect(refusal("ACCEPT 7 reason=far").hasPrefix("BADARG reason: unknown key for ACCEPT"))
        #expect(refusal("ACCEPT").hasPrefix("BADARG job: missing"))
        #expect(refusal("DONE w/1 7").hasPrefix("BADARG worker"))
    }

    @Test func watchFeedSubscribe() throws {
        #expect(try decode("WATCH 3") == .watch(job: 3))
        #expect(try decode("unwatch 3") == .unwatch(job: 3))
        #expect(try decode("FEED") == .feed(since: 0, limit: nil))
        #expect(try decode("FEED since=120 limit=50") == .feed(since: 120, limit: 50))
        var subscription = JobSubscription()
        subscription.since = 9
        subscription.skill = "nurse"
        subscription.district = "lucknow"
        #expect(try decode("SUBSCRIBE jobs since=9 skill=nurse district=lucknow") == .subscribe(subscription))
        #expect(try decode("SUBSCRIBE JOBS") == .subscribe(JobSubscription()))
        #expect(try decode("UNSUBSCRIBE jobs") == .unsubscribe)
        #expect(refusal("SUBSCRIBE").hasPrefix("BADARG topic: missing"))
        #expect(refusal("UNSUBSCRIBE jobs since=1").hasPrefix("BADARG since"))
        #expect(refusal("FEED limit=0").hasPrefix("BADARG limit"))
    }
}
