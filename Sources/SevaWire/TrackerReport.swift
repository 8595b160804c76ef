import SevaCore

/// What a tracker app sent in one HTTP request — the device it names and its fixes, oldest
/// first — whichever of the formats phones already run it came in (DESIGN §10):
/// - OsmAnd / Traccar Client's query or form parameters: `id`/`deviceid`, `lat`, `lon`,
///   `timestamp`, `accuracy`, `speed` (knots), `bearing`/`heading`, `batt`; GPSLogger's custom
///   URL with the same names, or `spd` for its speed in m/s;
/// - Traccar Client's JSON object `{"device_id", "location": {"timestamp", "coords": {"latitude",
///   "longitude", "accuracy", "speed" (m/s), "heading"}, "battery": {"level"}}}`, or a JSON array
///   of flat objects with the query's names (`uploadJson`);
/// - OwnTracks' `{"_type": "location", "lat", "lon", "tst", "acc", "vel" (km/h), "cog"}`; any
///   other `_type`, and an empty body, carry no fix.
public struct TrackerReport: Sendable, Equatable {
    /// The format the request was read as.
    public enum Format: String, Sendable {
        case osmand, traccarJSON = "traccar-json", flatArray = "json-array", ownTracks = "owntracks", empty
    }

    /// Why a request cannot be read as a report: one line for a 400 reply.
    public struct Malformed: Error, Equatable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public var format: Format
    /// The device id the request names, if it names one.
    public var device: String?
    /// Oldest first (by timestamp; fixes without one keep their place at the end).
    public var fixes: [LocationFix]

    /// Most fixes one request may carry (Traccar sends at most 100).
    public static let maxFixes = 1_000

    /// Reads a request: its query pairs, body and `Content-Type`.
    public static func decode(query: [(name: String, value: String)], body: [UInt8],
                              contentType: String?) throws(Malformed) -> TrackerReport {
        var fields = query
        let type = contentType?.lowercased() ?? ""
        let trimmed = body.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if type.hasPrefix("application/x-www-form-urlencoded") || (!trimmed.isEmpty && !type.contains("json")
                                                                   && trimmed.first != UInt8(ascii: "{") && trimmed.first != UInt8(ascii: "[")) {
            fields += FormDecoder.pairs(body)
        } else if !trimmed.isEmpty {
            let json: JSONValue
            do { json = try JSONReader.parse(body) } catch { throw Malformed("the body is not JSON: \(error)") }
            return try decode(json, query: query)
        }
        let named = Dictionary(fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        if named["lat"] == nil && named["lon"] == nil {
            return TrackerReport(format: .empty, device: named["id"] ?? named["deviceid"], fixes: [])
        }
        let fix = try flatFix { named[$0].map(JSONValue.string) }
        return TrackerReport(format: .osmand, device: named["id"] ?? named["deviceid"], fixes: [fix])
    }

    private static func decode(_ json: JSONValue, query: [(name: String, value: String)]) throws(Malformed) -> TrackerReport {
        let queryDevice = query.first { $0.name == "id" || $0.name == "deviceid" }?.value
        switch json {
        case .array(let elements):
            guard elements.count <= maxFixes else { throw Malformed("\(elements.count) fixes in one request; at most \(maxFixes)") }
            var device = queryDevice
            var fixes: [LocationFix] = []
            for (number, element) in elements.enumerated() {
                guard case .object = element else { throw Malformed("element \(number) of the array is not an object") }
                let named = element["location"] != nil
                    ? try traccar(element)
                    : (device: (element["id"] ?? element["deviceid"] ?? element["device_id"])?.text, fix: try flatFix { element[$0] })
                if let id = named.device {
                    guard device == nil || device == id else { throw Malformed("element \(number) names device \(id), not \(device!)") }
                    device = id
                }
                fixes.append(named.fix)
            }
            return TrackerReport(format: .flatArray, device: device, fixes: oldestFirst(fixes))
        case .object where json["_type"] != nil:
            guard json["_type"]?.text == "location" else { return TrackerReport(format: .ownTracks, device: queryDevice, fixes: []) }
            var fix = try point(json["lat"], json["lon"])
            fix.timestamp = try json["tst"].map { value throws(Malformed) in try seconds(value, "tst") }
            fix.accuracyMetres = try optional(json["acc"], "acc", 0...1_000_000)
            fix.speedMetresPerSecond = try optional(json["vel"], "vel", 0...2_000).map { $0 / 3.6 }
            fix.headingDegrees = try optional(json["cog"], "cog", 0...360)
            return TrackerReport(format: .ownTracks, device: queryDevice, fixes: [fix])
        case .object where json["location"] != nil:
            let (device, fix) = try traccar(json)
            return TrackerReport(format: .traccarJSON, device: device ?? queryDevice, fixes: [fix])
        case .object:
            let fix = try flatFix { json[$0] }
            return TrackerReport(format: .flatArray, device: (json["id"] ?? json["deviceid"] ?? json["device_id"])?.text ?? queryDevice,
                                 fixes: [fix])
        default:
            throw Malformed("the body is JSON but neither an object nor an array")
        }
    }

    /// Traccar Client's `{"device_id", "location": {"timestamp", "coords": {…}}}`.
    private static func traccar(_ json: JSONValue) throws(Malformed) -> (device: String?, fix: LocationFix) {
        guard let location = json["location"], let coords = location["coords"] else { throw Malformed("location.coords is missing") }
        var fix = try point(coords["latitude"], coords["longitude"], names: ("latitude", "longitude"))
        fix.timestamp = try location["timestamp"].map { value throws(Malformed) in try seconds(value, "timestamp") }
        fix.accuracyMetres = try optional(coords["accuracy"], "accuracy", 0...1_000_000)
        fix.speedMetresPerSecond = try optional(coords["speed"], "speed", -1...600).flatMap { $0 < 0 ? nil : $0 }
        fix.headingDegrees = try optional(coords["heading"], "heading", -1...360).flatMap { $0 < 0 ? nil : $0 }
        return ((json["device_id"] ?? json["id"])?.text, fix)
    }

    /// A fix with OsmAnd's names, each looked up by `field`.
    private static func flatFix(_ field: (String) -> JSONValue?) throws(Malformed) -> LocationFix {
        var fix = try point(field("lat"), field("lon"))
        fix.timestamp = try field("timestamp").map { value throws(Malformed) in try seconds(value, "timestamp") }
        fix.accuracyMetres = try optional(field("accuracy"), "accuracy", 0...1_000_000)
        if let knots = try optional(field("speed"), "speed", 0...1_000) {
            fix.speedMetresPerSecond = knots * 1_852 / 3_600
        } else {
            fix.speedMetresPerSecond = try optional(field("spd"), "spd", 0...600)
        }
        fix.headingDegrees = try optional(field("bearing") ?? field("heading"), "bearing", 0...360)
        return fix
    }

    private static func point(_ latitude: JSONValue?, _ longitude: JSONValue?,
                              names: (String, String) = ("lat", "lon")) throws(Malformed) -> LocationFix {
        guard let latitude else { throw Malformed("\(names.0) is missing") }
        guard let longitude else { throw Malformed("\(names.1) is missing") }
        guard let lat = latitude.number, (-90...90).contains(lat) else { throw Malformed("\(names.0) must be a number from -90 to 90") }
        guard let lon = longitude.number, (-180...180).contains(lon) else {
            throw Malformed("\(names.1) must be a number from -180 to 180")
        }
        guard let point = try? GeoPoint(latitude: lat, longitude: lon) else { throw Malformed("\(names.0),\(names.1) is not a point") }
        return LocationFix(point: point)
    }

    /// An optional number within `range`; an empty string counts as absent (GPSLogger sends
    /// its placeholders empty when the phone has no value).
    private static func optional(_ value: JSONValue?, _ name: String, _ range: ClosedRange<Double>) throws(Malformed) -> Double? {
        guard let value, value != .null, value != .string("") else { return nil }
        guard let number = value.number, range.contains(number) else {
            throw Malformed("\(name) must be a number from \(Int(range.lowerBound)) to \(Int(range.upperBound))")
        }
        return number
    }

    /// Unix seconds from a number (milliseconds when it is that large) or a text: digits, or
    /// ISO 8601 / `yyyy-MM-dd HH:mm:ss` in UTC or with an offset.
    static func seconds(_ value: JSONValue, _ name: String) throws(Malformed) -> Double {
        if let number = value.number, number.isFinite, number >= 0 { return number > 100_000_000_000 ? number / 1_000 : number }
        if case .string(let text) = value, let seconds = TrackerTime.parse(text) { return seconds }
        throw Malformed("\(name) must be unix seconds or an ISO 8601 time")
    }

    /// Sorted by timestamp, stable; fixes without one after those with one.
    private static func oldestFirst(_ fixes: [LocationFix]) -> [LocationFix] {
        fixes.enumerated().sorted { left, right in
            switch (left.element.timestamp, right.element.timestamp) {
            case (let a?, let b?): return a != b ? a < b : left.offset < right.offset
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return left.offset < right.offset
            }
        }.map(\.element)
    }
}
