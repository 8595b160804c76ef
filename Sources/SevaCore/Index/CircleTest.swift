#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// "Is this grid point within the radius?" for one query circle, answered mostly without
/// evaluating the haversine key, yet always exactly as `DistanceProbe.key(_:) <= limit`.
///
/// Built from the circle's bounding box: a point outside the box is outside the circle (the
/// box is drawn a little wider than the circle); inside it, two planar quadratic forms in the
/// grid offsets bound the key from above and below — `sin²(x/2)` lies between `(x/2)²(1 − x²/12)`
/// and `(x/2)²`, and the cosine of the point's latitude between its values at the box's
/// outer and inner rows. Only a point whose bounds straddle the limit (a band well under a
/// metre wide at city radii) falls back to the key. Circles wider than 100 km, or crossing
/// the antimeridian or a pole, always use the key.
struct CircleTest: Sendable {
    let probe: DistanceProbe
    let limit: Double
    /// False when the planar bounds do not apply and every point goes to the key.
    let bounded: Bool
    let xMin: UInt32, xMax: UInt32, yMin: UInt32, yMax: UInt32
    private let latUpper: Double, lonUpper: Double, latLower: Double, lonLower: Double
    private let insideLimit: Double, outsideLimit: Double

    static let maxBoundedRadiusMetres = 100_000.0

    init(probe: DistanceProbe, center: GeoPoint, radiusMetres: Double) {
        self.probe = probe
        limit = GeoMath.key(forMetres: radiusMetres)
        insideLimit = limit * (1 - 1e-9)
        outsideLimit = limit * (1 + 1e-9)
        let box = GeoBox.around(center, radiusMetres: radiusMetres * 1.001 + 1)
        guard radiusMetres <= Self.maxBoundedRadiusMetres, !box.wraps, box.west > -180, box.east < 180,
              box.south > -90, box.north < 90 else {
            bounded = false
            xMin = 0; xMax = 0; yMin = 0; yMax = 0
            latUpper = 0; lonUpper = 0; latLower = 0; lonLower = 0
            return
        }
        bounded = true
        let southWest = GridPoint(try! GeoPoint(latitude: box.south, longitude: box.west))
        let northEast = GridPoint(try! GeoPoint(latitude: box.north, longitude: box.east))
        xMin = southWest.x; yMin = southWest.y
        xMax = northEast.x; yMax = northEast.y
        let step = GridPoint.radiansPerStep
        let quarterStep2 = step * step / 4
        let south = GridPoint(x: 0, y: yMin).latitudeRadians, north = GridPoint(x: 0, y: yMax).latitudeRadians
        let nearestEquator = (south <= 0 && north >= 0) ? 0 : Swift.min(Swift.abs(south), Swift.abs(north))
        let farthestEquator = Swift.max(Swift.abs(south), Swift.abs(north))
        let cosHigh = cos(nearestEquator) * (1 + 1e-12)
        let cosLow = cos(farthestEquator) * (1 - 1e-12)
        let latSpan = Double(Swift.max(yMax - probe.center.y, probe.center.y - yMin)) * step
        let lonSpan = Double(Swift.max(xMax &- probe.center.x, probe.center.x &- xMin)) * step
        latUpper = quarterStep2
        lonUpper = probe.cosLat * cosHigh * quarterStep2
        latLower = quarterStep2 * (1 - latSpan * latSpan / 12)
        lonLower = probe.cosLat * cosLow * quarterStep2 * (1 - lonSpan * lonSpan / 12)
    }

    /// True exactly when `probe.key(point) <= limit`.
    @inline(__always) func contains(_ point: GridPoint) -> Bool {
        guard bounded else { return probe.key(point) <= limit }
        guard point.x >= xMin, point.x <= xMax, point.y >= yMin, point.y <= yMax else { return false }
        let dx = Double(Int32(bitPattern: point.x &- probe.center.x))
        let dy = Double(Int64(point.y) - Int64(probe.center.y))
        let dx2 = dx * dx, dy2 = dy * dy
        if latUpper * dy2 + lonUpper * dx2 <= insideLimit { return true }
        if latLower * dy2 + lonLower * dx2 > outsideLimit { return false }
        return probe.key(point) <= limit
    }

    /// True when the cell of side 2^`shift` at (`x0`, `y0`) cannot touch the circle's box.
    @inline(__always) func cellOutsideBox(x0: UInt32, y0: UInt32, shift: Int) -> Bool {
        guard bounded, shift < 32 else { return false }
        let last = UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(shift)) - 1)
        return x0 > xMax || x0 &+ last < xMin || y0 > yMax || y0 &+ last < yMin
    }
}
