#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Great-circle geometry on a spherical Earth: exact metres and the cheap ranking key.
///
/// The *haversine key* `h = sin²(θ/2)` of the central angle θ is strictly increasing in
/// distance, so comparing keys ranks points exactly as comparing metres would, without the
/// `asin`/`sqrt` of the full formula. Convert with `metres(forKey:)` / `key(forMetres:)`.
public enum GeoMath {
    /// Mean Earth radius in metres (IUGG).
    public static let earthRadiusMetres = 6_371_008.8
    /// Half the Earth's circumference: no two points are farther apart.
    public static let maxDistanceMetres = Double.pi * earthRadiusMetres

    @inlinable static func radians(_ degrees: Double) -> Double { degrees * (Double.pi / 180) }

    /// Haversine key between two points: monotone in great-circle distance, in [0, 1].
    @inlinable public static func haversineKey(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        let dLat = radians(b.latitude - a.latitude)
        let dLon = radians(b.longitude - a.longitude)
        let sinLat = sin(dLat / 2)
        let sinLon = sin(dLon / 2)
        let key = sinLat * sinLat + cos(radians(a.latitude)) * cos(radians(b.latitude)) * sinLon * sinLon
        return Swift.min(1, Swift.max(0, key))
    }

    /// Great-circle distance in metres (haversine formula).
    @inlinable public static func distanceMetres(_ a: GeoPoint, _ b: GeoPoint) -> Double {
        metres(forKey: haversineKey(a, b))
    }

    /// The distance in metres that a haversine key stands for.
    @inlinable public static func metres(forKey key: Double) -> Double {
        2 * earthRadiusMetres * asin(sqrt(Swift.min(1, Swift.max(0, key))))
    }

    /// The haversine key of a distance in metres; distances beyond half the globe give 1.
    @inlinable public static func key(forMetres metres: Double) -> Double {
        guard metres > 0 else { return 0 }
        guard metres < maxDistanceMetres else { return 1 }
        let half = sin(metres / (2 * earthRadiusMetres))
        return half * half
    }

    /// The point reached by travelling `metres` from `start` on initial `bearingDegrees`.
    public static func destination(from start: GeoPoint, metres: Double, bearingDegrees: Double) -> GeoPoint {
        let angular = metres / earthRadiusMetres
        let bearing = radians(bearingDegrees)
        let lat1 = radians(start.latitude)
        let lon1 = radians(start.longitude)
        let sinLat2 = sin(lat1) * cos(angular) + cos(lat1) * sin(angular) * cos(bearing)
        let lat2 = asin(Swift.min(1, Swift.max(-1, sinLat2)))
        let lon2 = lon1 + atan2(sin(bearing) * sin(angular) * cos(lat1), cos(angular) - sin(lat1) * sinLat2)
        var longitude = lon2 * 180 / Double.pi
        longitude = (longitude + 540).truncatingRemainder(dividingBy: 360) - 180
        let latitude = Swift.min(90, Swift.max(-90, lat2 * 180 / Double.pi))
        // The clamps above keep both values in range, so this cannot fail.
        return try! GeoPoint(latitude: latitude, longitude: Swift.min(180, Swift.max(-180, longitude)))
    }
}
