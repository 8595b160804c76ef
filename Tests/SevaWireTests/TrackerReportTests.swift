import SevaCore
import Testing
@testable import SevaWire

/// Each tracker format with the fields the real apps send.
@Suite struct TrackerReportTests {
    func report(query: String = "", body: String = "", type: String? = nil) throws(TrackerReport.Malformed) -> TrackerReport {
        try TrackerReport.decode(query: FormDecoder.target("/v1/track?" + query).query, body: Array(body.utf8), contentType: type)
    }

    func malformed(query: String = "", body: String = "", type: String? = nil) -> String? {
        do {
            _ = try report(query: query, body: body, type: type)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func osmAndQueryAsTraccarClientSendsIt() throws {
        let sent = try report(query: "id=w1&timestamp=1796292930&lat=26.8467&lon=80.9462&speed=10.0&bearing=90.5&altitude=120"
                                + "&accuracy=12.5&batt=87.0&charge=false")
        #expect(sent.format == .osmand && sent.device == "w1" && sent.fixes.count == 1)
        let fix = sent.fixes[0]
        #expect(fix.point.latitude == 26.8467 && fix.point.longitude == 80.9462)
        #expect(fix.timestamp == 1_796_292_930 && fix.accuracyMetres == 12.5 && fix.headingDegrees == 90.5)
        #expect(abs(fix.speedMetresPerSecond! - 5.1444) < 0.001, "10 knots")
    }

    @Test func osmAndFormBodyAndDeviceid() throws {
        let sent = try report(body: "deviceid=w2&lat=26.1&lon=80.2&timestamp=1796292930000", type: "application/x-www-form-urlencoded")
        #expect(sent.device == "w2" && sent.fixes[0].timestamp == 1_796_292_930, "milliseconds become seconds")
    }

    @Test func gpsLoggerCustomURLWithItsEmptyPlaceholders() throws {
        let sent = try report(query: "id=w3&lat=26.5&lon=80.5&accuracy=&timestamp=2026-12-03T10:15:30Z&spd=3.5")
        #expect(sent.fixes[0].accuracyMetres == nil && sent.fixes[0].speedMetresPerSecond == 3.5)
        #expect(sent.fixes[0].timestamp == 1_796_292_930)
    }

    @Test func traccarJSONObject() throws {
        let body = #"{"location":{"timestamp":"2026-12-03T15:45:30.250+05:30","coords":{"latitude":26.85,"longitude":80.95,"#
            + #""accuracy":8,"speed":2.5,"heading":-1,"altitude":110},"is_moving":true,"odometer":42,"event":"motionchange","#
            + #""battery":{"level":0.54,"is_charging":false},"activity":{"type":"walking"}},"device_id":"w4"}"#
        let sent = try report(body: body, type: "application/json")
        #expect(sent.format == .traccarJSON && sent.device == "w4")
        #expect(sent.fixes[0].timestamp == 1_796_292_930.25 && sent.fixes[0].speedMetresPerSecond == 2.5)
        #expect(sent.fixes[0].headingDegrees == nil, "-1 is Traccar's 'no heading'")
    }

    @Test func traccarJSONArrayIsAppliedOldestFirst() throws {
        let body = #"[{"id":"w5","lat":26.2,"lon":80.2,"timestamp":1796292990},"#
            + #"{"id":"w5","lat":26.1,"lon":80.1,"timestamp":1796292930},"#
            + #"{"id":"w5","lat":26.1,"lon":80.1,"timestamp":1796292930}]"#
        let sent = try report(body: body, type: "application/json")
        #expect(sent.format == .flatArray && sent.device == "w5")
        #expect(sent.fixes.map(\.timestamp) == [1_796_292_930, 1_796_292_930, 1_796_292_990])
        #expect(malformed(body: #"[{"id":"w5","lat":1,"lon":1},{"id":"w6","lat":1,"lon":1}]"#) == "element 1 names device w6, not w5")
    }

    @Test func ownTracksLocationOtherTypesAndEmptyBodies() throws {
        let body = #"{"_type":"location","tid":"ab","lat":26.9,"lon":80.9,"tst":1796292930,"acc":15,"vel":36,"cog":180,"#
            + #""batt":77,"conn":"m","topic":"owntracks/w7/phone"}"#
        let sent = try report(body: body, type: "application/json")
        #expect(sent.format == .ownTracks && sent.fixes[0].speedMetresPerSecond == 10 && sent.fixes[0].headingDegrees == 180)
        #expect(try report(body: #"{"_type":"transition","event":"enter"}"#).fixes.isEmpty)
        let empty = try report(body: "", type: "application/json")
        #expect(empty.format == .empty && empty.fixes.isEmpty)
    }

    @Test func malformedRequestsSayWhatIsWrongInOneLine() {
        #expect(malformed(query: "id=w1&lat=91&lon=80") == "lat must be a number from -90 to 90")
        #expect(malformed(query: "id=w1&lat=26") == "lon is missing")
        #expect(malformed(query: "id=w1&lat=26&lon=80&timestamp=yesterday") == "timestamp must be unix seconds or an ISO 8601 time")
        #expect(malformed(query: "id=w1&lat=26&lon=80&accuracy=-3") == "accuracy must be a number from 0 to 1000000")
        #expect(malformed(body: "{\"location\":", type: "application/json")?.hasPrefix("the body is not JSON") == true)
        #expect(malformed(body: "42", type: "application/json") == "the body is JSON but neither an object nor an array")
        #expect(malformed(body: #"{"location":{"coords":{"latitude":26}}}"#) == "longitude is missing")
    }

    @Test func isoTimesWithOffsetsAndTraccarsSpaceForm() {
        #expect(TrackerTime.parse("1970-01-01T00:00:00Z") == 0)
        #expect(TrackerTime.parse("2026-12-03 10:15:30") == 1_796_292_930)
        #expect(TrackerTime.parse("2026-12-03T15:45:30+0530") == 1_796_292_930)
        #expect(TrackerTime.parse("2000-02-29T00:00:00-01:00") == 951_786_000)
        #expect(TrackerTime.parse("2026-13-03T10:15:30Z") == nil)
        #expect(TrackerTime.parse("2026-12-03T10:15Z") == nil)
    }

    @Test func formDecodingOfTargetsAndBodies() {
        let (path, query) = FormDecoder.target("/v1/track?id=w%201&name=a+b&flag&bad=%zz")
        #expect(path == "/v1/track")
        #expect(query.map(\.name) == ["id", "name", "flag", "bad"] && query.map(\.value) == ["w 1", "a b", "", "%zz"])
        #expect(FormDecoder.target("/").query.isEmpty)
    }
}
