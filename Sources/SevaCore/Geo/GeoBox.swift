#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A latitude/longitude rectangle that may cross the antimeridian.
///
/// When `west > east` the box wraps: it covers `west...180` and `-180...east`. A box that
/// reaches a pole covers every longitude (`west == -180`, `east == 180`).
public struct GeoBox: Hashable, Sendable {
    public let south: Double
    public let north: Double
    public let west: Double
    public let east: Double

    public init(south: Double, north: Double, west: Double, east: Double) {
        self.south = south
        self.north = north
        self.west = west
        self.east = east
    }

    /// True when the box crosses the antimeridian.
    public var wraps: Bool { west > east }

    /// The smallest box holding every point within `radiusMetres` of `center` (great circle).
    ///
    /// Uses the tangent-meridian bound: the widest longitude span of a spherical cap is at the
    /// latitude where a meridian touches it, `asin(sin r / cos lat)`. A cap that contains a
    /// pole spans all longitudes.
    public static func around(_ center: GeoPoint, radiusMetres: Double) -> GeoBox {
        let angular = Swift.max(0, radiusMetres) / GeoMath.earthRadiusMetres
        let lat = GeoMath.radians(center.latitude)
        let south = lat - angular
        let north = lat + angular
        let degrees = 180 / Double.pi
        if angular >= Double.pi / 2 || north >= Double.pi / 2 || south <= -Double.pi / 2 {
            return GeoBox(south: Swift.max(-90, south * degrees), north: Swift.min(90, north * degrees),
                          west: -180, east: 180)
        }
        let span = asin(Swift.min(1, sin(angular) / cos(lat))) * degrees
        if span >= 180 {
            return GeoBox(south: south * degrees, north: north * degrees, west: -180, east: 180)
        }
        var west = center.longitude - span
        var east = center.longitude + span
        if west < -180 { west += 360 }
        if east > 180 { east -= 360 }
        return GeoBox(south: south * degrees, north: north * degrees, west: west, east: east)
    }

    /// True when `point` lies inside the box (edges included).
    public func contains(_ point: GeoPoint) -> Bool {
        guard point.latitude >= south, point.latitude <= north else { return false }
        if wraps { return point.longitude >= west || point.longitude <= east }
        return point.longitude >= west && point.longitude <= east
    }

    /// The box as one or two boxes that do not wrap, for indexes that cannot wrap.
    public var unwrapped: [GeoBox] {
        guard wraps else { return [self] }
        return [GeoBox(south: south, north: north, west: west, east: 180),
                GeoBox(south: south, north: north, west: -180, east: east)]
    }
}
