import Testing
@testable import SevaCore

@Suite struct GeoPointTests {
    @Test func acceptsTheWholeRangeIncludingItsEdges() throws {
        for (lat, lon) in [(90.0, 180.0), (-90.0, -180.0), (0.0, 0.0), (27.596, 78.05)] {
            let point = try GeoPoint(latitude: lat, longitude: lon)
            #expect(point.latitude == lat && point.longitude == lon)
        }
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, .signalingNaN])
    func rejectsNonFiniteValues(_ value: Double) {
        #expect(throws: CoordinateError.notFinite(.latitude)) { try GeoPoint(latitude: value, longitude: 0) }
        #expect(throws: CoordinateError.notFinite(.longitude)) { try GeoPoint(latitude: 0, longitude: value) }
    }

    @Test func rejectsOutOfRangeValues() {
        #expect(throws: CoordinateError.outOfRange(.latitude)) { try GeoPoint(latitude: 90.000001, longitude: 0) }
        #expect(throws: CoordinateError.outOfRange(.latitude)) { try GeoPoint(latitude: -91, longitude: 0) }
        #expect(throws: CoordinateError.outOfRange(.longitude)) { try GeoPoint(latitude: 0, longitude: 180.0000001) }
        #expect(throws: CoordinateError.outOfRange(.longitude)) { try GeoPoint(latitude: 0, longitude: -1e300) }
    }

    @Test func negativeZeroBecomesZero() throws {
        let point = try GeoPoint(parsingLatitude: Array("-0".utf8), longitude: Array("-0.000".utf8))
        #expect(point.latitude == 0 && point.latitude.sign == .plus)
        #expect(point.longitude == 0 && point.longitude.sign == .plus)
        #expect(point.description == "0.0,0.0")
    }

    @Test(arguments: [
        ("27.5960", 27.596), ("+78.05", 78.05), ("-0.5", -0.5), (".5", 0.5), ("90", 90), ("007.25", 7.25),
        ("27.", 27), ("0.000000000000000000000000123", 1.23e-25),
    ])
    func parsesPlainDecimals(_ text: String, _ expected: Double) {
        #expect(DecimalText.parse(Array(text.utf8)) == expected)
    }

    @Test func longDecimalsRoundCorrectly() {
        let long = "27.59600000000000000000000000000000000001"
        #expect(DecimalText.parse(Array(long.utf8)) == 27.596)
        let digits = "12.345678901234567890123456789"
        #expect(DecimalText.parse(Array(digits.utf8)) == Double("12.345678901234567890123456789"))
        let sixteen = "1.000000000000000111"
        #expect(DecimalText.parse(Array(sixteen.utf8)) == Double(sixteen))
    }

    @Test func refusesTextsBeyondTheLengthLimit() {
        let huge = "1." + String(repeating: "0", count: DecimalText.maxLength)
        #expect(DecimalText.parse(Array(huge.utf8)) == nil)
    }

    @Test(arguments: ["", "-", "+", ".", "1e5", "1E5", "nan", "NaN", "inf", "-inf", "0x1p3", " 1", "1 ", "1..2",
                      "+-1", "--1", "1-", "１", "27,5", "12a", "\u{0}"])
    func rejectsAnythingButPlainDecimals(_ text: String) {
        #expect(DecimalText.parse(Array(text.utf8)) == nil)
        #expect(throws: CoordinateError.malformed(.latitude)) {
            try GeoPoint(parsingLatitude: Array(text.utf8), longitude: Array("0".utf8))
        }
    }

    @Test func parsedValuesAreRangeChecked() {
        #expect(throws: CoordinateError.outOfRange(.latitude)) {
            try GeoPoint(parsingLatitude: Array("90.00000000000001".utf8), longitude: Array("0".utf8))
        }
        // Beyond double precision the text *is* 90, so it is accepted as 90.
        #expect((try? GeoPoint(parsingLatitude: Array("90.0000000000000000001".utf8), longitude: Array("0".utf8)))?
            .latitude == 90)
        #expect(throws: CoordinateError.outOfRange(.longitude)) {
            try GeoPoint(parsingLatitude: Array("0".utf8), longitude: Array("999999999999999999999999".utf8))
        }
    }

    @Test func errorsNameTheAxis() {
        #expect(CoordinateError.outOfRange(.latitude).description == "lat must be within [-90, 90]")
        #expect(CoordinateError.notFinite(.longitude).description == "lon must be finite")
        #expect(CoordinateError.malformed(.longitude).axis == .longitude)
    }
}
