import Foundation
import SevaClient
import Testing

/// Helpline bookings and worker homes by PIN code and district, on the real daemon with the
/// gazetteer it ships. The expected places are India Post's, as the source has them (the
/// values SevaCoreTests.GazetteerTests checks against the source database).
@Suite(.serialized) struct DaemonGazetteerTests {
    /// PIN code 204101's centroid, and Hathras district's centre (the median of its post offices).
    static let pin204101 = (lat: 27.57078, lon: 78.05841)
    static let hathrasCentre = (lat: 27.60000, lon: 78.08231)

    /// `metres` east of a point, as "lat lon".
    static func east(of point: (lat: Double, lon: Double), _ metres: Double) -> String {
        String(format: "%.6f %.6f", point.lat, point.lon + metres / (111_320 * cos(point.lat * .pi / 180)))
    }

    static func jobID(_ reply: String) -> String { JSONField.value(reply, "id") ?? "?" }

    @Test func aHelplineBookingByPinCodeGoesToTheWorkerNearestItsCentroid() throws {
        let daemon = try DaemonProcess(arguments: ["--dispatch.accept", "auto"])
        defer { daemon.stop() }
        let admin = EventClient(try LineConnection(unixPath: daemon.socketPath))
        for (id, place) in [("w-pin", Self.pin204101), ("w-town", Self.hathrasCentre)] {
            #expect(admin.ask("WORKER ADD \(id) skills=plumber verified=yes") == "OK")
            #expect(admin.ask("LOC \(id) \(Self.east(of: place, 300))") == "OK")
            #expect(admin.ask("AVAIL \(id) on") == "OK")
        }
        let byDistrict = Self.jobID(admin.ask("JOB NEW skill=plumber district=\"Mahamaya Nagar\""))
        let district = admin.ask("JOB GET \(byDistrict)")
        #expect(district.contains(#""lat":27.600000,"lon":78.082310"#), "Hathras' centre: \(district)")
        #expect(district.contains(#""district":"Hathras","placed":"district""#), "the district as India Post names it")
        #expect(JSONField.value(district, "worker") == "w-town")
        #expect(admin.ask("JOB CANCEL \(byDistrict)") == "OK")

        let byPin = Self.jobID(admin.ask("JOB NEW skill=plumber pincode=204101 address=\"near the tube well\""))
        let pin = admin.ask("JOB GET \(byPin)")
        #expect(pin.contains(#""lat":27.570780,"lon":78.058410"#), "the PIN code's centroid: \(pin)")
        #expect(pin.contains(#""district":"Hathras","placed":"pincode","pincode":"204101""#))
        #expect(JSONField.value(pin, "worker") == "w-pin", "the worker nearest the centroid, not the town's")

        let gps = admin.ask("JOB GET " + Self.jobID(admin.ask("JOB NEW skill=plumber lat=27.5 lon=78.0")))
        #expect(gps.contains(#""placed":"gps""#) && !gps.contains(#""pincode""#))

        // After a restart the job still says how it was placed.
        #expect(daemon.stop() == 0)
        let restarted = try DaemonProcess(directory: daemon.directory, arguments: ["--dispatch.accept", "auto"])
        defer { restarted.stop() }
        let again = EventClient(try LineConnection(unixPath: restarted.socketPath))
        #expect(again.ask("JOB GET \(byPin)").contains(#""placed":"pincode","pincode":"204101""#))
    }

    @Test func districtsByAnySpellingAndTheStateThatSettlesTwins() throws {
        let daemon = try DaemonProcess(arguments: ["--districts.agra", "[27.2, 78.0]"])
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        func placed(_ arguments: String) -> String {
            let reply = admin.ask("JOB NEW skill=cook \(arguments)")
            guard reply.hasPrefix("OK") else { return reply }
            let job = admin.ask("JOB GET \(Self.jobID(reply))")
            return "\(JSONField.value(job, "district") ?? "?") \(JSONField.value(job, "lat") ?? "?")"
        }
        #expect(placed("district=Allahabad") == "Prayagraj 25.453180")
        #expect(placed("district=PRAYAGRAJ") == "Prayagraj 25.453180")
        #expect(placed("district=lakhimpur-kheri").hasPrefix("Kheri "))
        #expect(placed("district=\"Bara Banki\"").hasPrefix("Barabanki "))
        #expect(placed("district=Hamirpur") == "Hamirpur 25.749850", "the home state, Uttar Pradesh, settles it")
        #expect(placed("district=Hamirpur state=\"himachal pradesh\"") == "Hamirpur 31.672900")
        #expect(placed("district=agra") == "agra 27.200000", "[districts] overrides the gazetteer")
        #expect(placed("district=Atlantis") == "ERR BADARG district: no district 'Atlantis' in India Post's directory or [districts]")
        #expect(placed("pincode=999999") == "ERR BADARG pincode: no PIN code 999999 in India Post's directory")
        #expect(placed("pincode=20410").hasPrefix("ERR BADARG pincode: '20410' is not a PIN code"))
        #expect(placed("").hasPrefix("ERR BADARG pincode: pincode= or district= is required"))
        #expect(admin.ask("JOB LIST").components(separatedBy: #""id":"#).count - 1 == 7, "refused bookings made no job")

        let noHome = try DaemonProcess(arguments: ["--gazetteer.home_state", "\"\""])
        defer { noHome.stop() }
        let other = try LineConnection(unixPath: noHome.socketPath)
        #expect(other.ask("JOB NEW skill=cook district=Hamirpur")
            == "ERR BADARG state: 'Hamirpur' is a district in Himachal Pradesh and Uttar Pradesh; say which with state=")
    }

    @Test func aWorkersHomePinCodeGivesItsDistrictAndNearSearchesFromACentroid() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER ADD h1 skills=cook pincode=204101 verified=yes") == "OK")
        #expect(admin.ask("WORKER ADD h2 skills=cook pincode=226001 district=\"Lucknow city\" verified=yes") == "OK")
        #expect(admin.ask("WORKER GET h1").contains(#""district":"Hathras","pincode":"204101""#))
        #expect(admin.ask("WORKER GET h2").contains(#""district":"Lucknow city","pincode":"226001""#), "a given district is kept")
        #expect(admin.ask("WORKER ADD h3 skills=cook pincode=999999").hasPrefix("ERR BADARG pincode: no PIN code 999999"))
        #expect(admin.ask("WORKER GET h3") == "ERR NOTFOUND no worker h3", "a refused add adds nothing")
        #expect(admin.ask("WORKER SET h1 pincode=999999").hasPrefix("ERR BADARG pincode"))
        #expect(admin.ask("WORKER GET h1").contains(#""pincode":"204101""#), "a refused change changes nothing")
        let hathras = admin.ask("WORKER LIST district=hathras")
        #expect(hathras.contains(#""id":"h1""#) && !hathras.contains(#""id":"h2""#), "\(hathras)")

        for (id, place) in [("h1", Self.pin204101), ("h2", Self.hathrasCentre)] {
            #expect(admin.ask("LOC \(id) \(Self.east(of: place, 200))") == "OK")
        }
        let near = admin.ask("NEAR pincode=204101 all=yes")
        #expect(near.hasPrefix(#"OK [{"id":"h1","dist_m":200"#), "\(near)")
        #expect(admin.ask("NEAR pincode=999999").hasPrefix("ERR BADARG pincode: no PIN code 999999"))

        #expect(daemon.stop() == 0)
        let restarted = try DaemonProcess(directory: daemon.directory)
        defer { restarted.stop() }
        let again = try LineConnection(unixPath: restarted.socketPath)
        #expect(again.ask("WORKER GET h1").contains(#""district":"Hathras","pincode":"204101""#), "kept across a restart")
    }
}
