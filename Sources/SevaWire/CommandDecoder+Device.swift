import SevaCore

/// LOC, AVAIL and NEAR. Device commands take the worker id first in the gateway/admin form
/// and omit it in the worker-role form; the number of positional arguments tells them apart.
extension CommandDecoder {
    static let locationKeys = ["acc", "ts", "speed", "heading"]

    static func decodeLocation(_ line: RequestLine) throws(WireError) -> Command {
        var arguments = try ArgumentReader(line, command: "LOC [<worker>] <lat> <lon> [acc=<m>] [ts=<unix s>] [speed=<m/s>] [heading=<deg>]")
        let worker = arguments.positionalCount >= 3 ? try ArgumentReader.workerID(try arguments.next("worker")) : nil
        let point = try coordinates(&arguments)
        var fix = LocationFix(point: point)
        fix.accuracyMetres = try arguments.number("acc", in: 0...100_000)
        fix.timestamp = try arguments.number("ts", in: 0...1e11)
        fix.speedMetresPerSecond = try arguments.number("speed", in: 0...1_000)
        fix.headingDegrees = try arguments.number("heading", in: 0...360)
        try arguments.finish(allowedKeys: locationKeys)
        return .location(worker: worker, fix)
    }

    static func decodeAvailability(_ line: RequestLine) throws(WireError) -> Command {
        var arguments = try ArgumentReader(line, command: "AVAIL [<worker>] on|off|break")
        let worker = arguments.positionalCount >= 2 ? try ArgumentReader.workerID(try arguments.next("worker")) : nil
        let text = try arguments.next("state").lowercased()
        guard let availability = Availability(rawValue: text) else { throw .badArgument("state", "must be on, off or break") }
        try arguments.finish()
        return .availability(worker: worker, availability)
    }

    static func decodeNear(_ line: RequestLine) throws(WireError) -> Command {
        var arguments = try ArgumentReader(line, command: "NEAR (<lat> <lon> | pincode=<6 digits>) [skill=] [radius_km=] [limit=] [all=yes]")
        var query: NearQuery
        if let pincode = try arguments.take("pincode").map({ text throws(WireError) in try pinCode(text) }) {
            query = NearQuery(pincode: pincode)
        } else {
            query = NearQuery(center: try coordinates(&arguments))
        }
        query.skill = try arguments.take("skill").map { text throws(WireError) in try skillName(text, "skill") }
        query.radiusKm = try arguments.number("radius_km", in: 0.01...500)
        query.limit = try arguments.integer("limit", in: 1...1_000)
        query.includeAll = try arguments.flag("all") ?? false
        try arguments.finish(allowedKeys: ["skill", "radius_km", "limit", "all", "pincode"])
        return .near(query)
    }

    /// `<lat> <lon>`, validated as a `GeoPoint`.
    private static func coordinates(_ arguments: inout ArgumentReader) throws(WireError) -> GeoPoint {
        let latitude = try arguments.nextBytes("lat")
        let longitude = try arguments.nextBytes("lon")
        do {
            return try GeoPoint(parsingLatitude: latitude, longitude: longitude)
        } catch {
            throw WireError(.badArgument, error.description)
        }
    }
}
