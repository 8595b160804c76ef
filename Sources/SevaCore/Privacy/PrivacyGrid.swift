#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A coarse grid over the Earth that workers' positions are snapped to before a booker learns
/// anything measured from them (DESIGN.md §2 "Worker privacy"): every point of a cell answers
/// as the cell's centre, so no set of probes — many centres, tiny radii — places a worker
/// better than the cell it is in.
///
/// Rows are `cellMetres` of latitude tall; each row is cut into columns that are at most
/// `cellMetres` wide anywhere in the row (measured on the row's edge nearer the equator), so
/// a point is never farther than `cellMetres` from its cell's centre (half a cell north or
/// south, then half a cell east or west).
public struct PrivacyGrid: Sendable, Equatable {
    public let cellMetres: Double

    public init(cellMetres: Double) {
        self.cellMetres = cellMetres
    }

    /// No point is farther than this from the centre it snaps to.
    public var maxSnapMetres: Double { cellMetres }

    /// The centre of the cell holding `point`.
    public func snap(_ point: GeoPoint) -> GeoPoint {
        let metresPerDegree = GeoMath.earthRadiusMetres * Double.pi / 180
        let rowDegrees = cellMetres / metresPerDegree
        let row = ((point.latitude + 90) / rowDegrees).rounded(.down)
        let south = -90 + row * rowDegrees
        let north = Swift.min(90, south + rowDegrees)
        let nearestEquator = south <= 0 && north >= 0 ? 0 : Swift.min(abs(south), abs(north))
        let widest = Swift.max(cos(nearestEquator * Double.pi / 180), 1e-9)
        let columnDegrees = Swift.min(360, cellMetres / (metresPerDegree * widest))
        let column = ((point.longitude + 180) / columnDegrees).rounded(.down)
        let latitude = Swift.min(90, (south + north) / 2)
        let longitude = Swift.min(180, -180 + (column + 0.5) * columnDegrees)
        // In range by construction: both are clamped to the globe.
        return try! GeoPoint(latitude: latitude, longitude: longitude)
    }
}
