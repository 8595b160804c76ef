/// A line of the table that could not be read: the line and what is wrong with it.
public struct GazetteerError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let problem: String

    public var description: String { "gazetteer line \(line): \(problem)" }
}

extension Gazetteer {
    /// Reads the tab-separated table `data/gazetteer/places.tsv` describes: `#` comments, then
    /// `S id name` (states), `D id state lat_e5 lon_e5 name` (districts), `A district name`
    /// (alternative names) and `P pincode district lat_e5 lon_e5` (PIN codes, ascending).
    /// Numbers are dense from 1 and refer only to lines above them.
    public init(parsing table: UnsafeRawBufferPointer) throws(GazetteerError) {
        var lines = TableLines(table)
        while let line = lines.next() {
            var fields = line
            let kind = fields.text()
            switch kind {
            case "S":
                guard try fields.number() == states.count + 1 else { throw fields.failure("states are numbered from 1 in order") }
                states.append(try fields.name())
            case "D":
                guard try fields.number() == districts.count + 1 else { throw fields.failure("districts are numbered from 1 in order") }
                let state = try fields.number()
                guard (1...states.count).contains(state) else { throw fields.failure("no state \(state) above") }
                let centre = try fields.point()
                let name = try fields.name()
                districts.append(District(number: districts.count + 1, name: name, state: states[state - 1], centre: centre))
                addName(name, district: districts.count - 1)
            case "A":
                let district = try fields.district(of: districts.count)
                addName(try fields.name(), district: district)
            case "P":
                let code = try fields.number()
                guard let pincode = PinCode(value: UInt32(clamping: code)) else { throw fields.failure("\(code) is not a PIN code") }
                guard pinCodes.last.map({ $0 < pincode.value }) ?? true else { throw fields.failure("PIN codes must ascend") }
                let district = try fields.district(of: districts.count)
                pinCodes.append(pincode.value)
                pinDistricts.append(UInt16(district))
                pinCentres.append(try fields.point())
            default:
                throw fields.failure("unknown record '\(kind)'; expected S, D, A or P")
            }
        }
    }

    private mutating func addName(_ name: String, district: Int) {
        let key = PlaceName.key(name)
        guard !key.isEmpty, !(districtsByName[key]?.contains(district) ?? false) else { return }
        districtsByName[key, default: []].append(district)
    }
}

/// The lines of a table, without comments and blank lines.
struct TableLines {
    private let bytes: UnsafeRawBufferPointer
    private var offset = 0
    private var number = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func next() -> TableFields? {
        while offset < bytes.count {
            let start = offset
            while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
            let end = offset
            offset += 1
            number += 1
            guard end > start, bytes[start] != UInt8(ascii: "#") else { continue }
            return TableFields(bytes: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), line: number)
        }
        return nil
    }
}

/// The tab-separated fields of one table line, read in order.
struct TableFields {
    let bytes: UnsafeRawBufferPointer
    let line: Int
    private var offset = 0

    init(bytes: UnsafeRawBufferPointer, line: Int) {
        self.bytes = bytes
        self.line = line
    }

    func failure(_ problem: String) -> GazetteerError { GazetteerError(line: line, problem: problem) }

    /// The next field as text (empty at the end of the line).
    mutating func text() -> String {
        let start = offset
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\t") { offset += 1 }
        let field = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        offset += 1
        return field
    }

    mutating func name() throws(GazetteerError) -> String {
        let name = text()
        guard !name.isEmpty else { throw failure("a name is missing") }
        return name
    }

    /// The next field as a whole number, optionally negative.
    mutating func number() throws(GazetteerError) -> Int {
        var value = 0, digits = 0, sign = 1
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") { sign = -1; offset += 1 }
        while offset < bytes.count, bytes[offset] != UInt8(ascii: "\t") {
            let digit = bytes[offset]
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit), digits < 12 else {
                throw failure("field \(Self.fieldNumber(bytes, offset)) is not a number")
            }
            value = value * 10 + Int(digit - UInt8(ascii: "0"))
            digits += 1
            offset += 1
        }
        guard digits > 0 else { throw failure("a number is missing") }
        offset += 1
        return sign * value
    }

    /// Latitude then longitude, each in 1e-5 degrees.
    mutating func point() throws(GazetteerError) -> GeoPoint {
        let latitude = Double(try number()) / 100_000
        let longitude = Double(try number()) / 100_000
        do { return try GeoPoint(latitude: latitude, longitude: longitude) } catch { throw failure("\(error)") }
    }

    /// A district number that a line above defined, as an index.
    mutating func district(of count: Int) throws(GazetteerError) -> Int {
        let district = try number()
        guard district >= 1, district <= count else { throw failure("no district \(district) above") }
        return district - 1
    }

    private static func fieldNumber(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> Int {
        1 + bytes[..<offset].reduce(0) { $0 + ($1 == UInt8(ascii: "\t") ? 1 : 0) }
    }
}
