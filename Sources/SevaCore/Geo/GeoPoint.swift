/// A validated position on the Earth in decimal degrees (WGS 84).
///
/// A `GeoPoint` always holds finite values with latitude in [-90, 90] and longitude in
/// [-180, 180]; negative zero is stored as zero so it prints and compares as `0`.
public struct GeoPoint: Hashable, Sendable, CustomStringConvertible {
    /// Latitude in degrees, -90 (south pole) to 90 (north pole).
    public let latitude: Double
    /// Longitude in degrees, -180 to 180 (both name the antimeridian).
    public let longitude: Double

    /// Creates a point, rejecting NaN, infinities and out-of-range values.
    public init(latitude: Double, longitude: Double) throws(CoordinateError) {
        guard latitude.isFinite else { throw .notFinite(.latitude) }
        guard longitude.isFinite else { throw .notFinite(.longitude) }
        guard (-90.0...90.0).contains(latitude) else { throw .outOfRange(.latitude) }
        guard (-180.0...180.0).contains(longitude) else { throw .outOfRange(.longitude) }
        self.latitude = latitude + 0.0
        self.longitude = longitude + 0.0
    }

    /// Parses two decimal-degree texts as a client sends them (`27.5960`, `-0`, `78`).
    @inlinable public init(parsingLatitude latitudeText: some Collection<UInt8>,
                longitude longitudeText: some Collection<UInt8>) throws(CoordinateError) {
        guard let latitude = DecimalText.parse(latitudeText) else { throw .malformed(.latitude) }
        guard let longitude = DecimalText.parse(longitudeText) else { throw .malformed(.longitude) }
        try self.init(latitude: latitude, longitude: longitude)
    }

    public var description: String { "\(latitude),\(longitude)" }
}

/// Why a coordinate was refused; the axis it concerns is named so replies can say which argument.
public struct CoordinateError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The coordinate axis an error refers to.
    public enum Axis: String, Sendable { case latitude = "lat", longitude = "lon" }

    private enum Code: Hashable, Sendable { case malformed, notFinite, outOfRange }

    private let code: Code
    /// The offending axis.
    public let axis: Axis

    private init(_ code: Code, _ axis: Axis) { self.code = code; self.axis = axis }

    /// The text is not a plain decimal number (`[-+]digits[.digits]`).
    public static func malformed(_ axis: Axis) -> Self { .init(.malformed, axis) }
    /// NaN or an infinity.
    public static func notFinite(_ axis: Axis) -> Self { .init(.notFinite, axis) }
    /// Outside [-90, 90] for latitude or [-180, 180] for longitude.
    public static func outOfRange(_ axis: Axis) -> Self { .init(.outOfRange, axis) }

    public var description: String {
        switch code {
        case .malformed: return "\(axis.rawValue) must be a decimal number of degrees"
        case .notFinite: return "\(axis.rawValue) must be finite"
        case .outOfRange:
            return axis == .latitude ? "lat must be within [-90, 90]" : "lon must be within [-180, 180]"
        }
    }
}
