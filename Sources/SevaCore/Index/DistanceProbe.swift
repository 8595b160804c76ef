#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Distances from one query centre to grid points and grid cells, in haversine-key space.
///
/// Built once per query, it turns the point test into a handful of multiplications: within
/// about 300 km of the centre the key is evaluated by its Taylor expansion around the
/// centre's latitude (relative error below 1e-11), farther out by the exact formula. The cell
/// bounds never use trigonometry and are safe by a margin far wider than rounding, so pruning
/// a cell can never lose a point. Every index query and every reference check ranks through
/// the same `key(_:)`, which makes results reproducible to the bit.
public struct DistanceProbe: Sendable {
    /// The query centre on the grid.
    public let center: GridPoint
    @usableFromInline let sinLat: Double
    @usableFromInline let cosLat: Double
    @usableFromInline let latitude: Double

    /// Beyond this many radians on either axis the exact formula is used.
    @usableFromInline static let seriesLimit = 0.05
    @usableFromInline static let lowerMargin = 1 - 1e-9
    @usableFromInline static let upperMargin = 1 + 1e-9

    public init(_ center: GeoPoint) {
        self.init(grid: GridPoint(center))
    }

    public init(grid: GridPoint) {
        center = grid
        latitude = grid.latitudeRadians
        sinLat = sin(latitude)
        cosLat = cos(latitude)
    }

    /// Signed longitude difference in grid steps, wrapped into [-2³¹, 2³¹).
    @inlinable static func wrappedDelta(_ a: UInt32, from b: UInt32) -> Int32 {
        Int32(bitPattern: a &- b)
    }

    /// The haversine key from the centre to `point`.
    @inlinable @inline(__always) public func key(_ point: GridPoint) -> Double {
        let dLat = Double(Int64(point.y) - Int64(center.y)) * GridPoint.radiansPerStep
        let dLon = Double(Self.wrappedDelta(point.x, from: center.x)) * GridPoint.radiansPerStep
        if Swift.abs(dLat) <= Self.seriesLimit && Swift.abs(dLon) <= Self.seriesLimit {
            let a2 = dLat * dLat
            let b2 = dLon * dLon
            let havLat = a2 * (0.25 - a2 * (1.0 / 48 - a2 / 1440))
            let havLon = b2 * (0.25 - b2 * (1.0 / 48 - b2 / 1440))
            let cosDelta = 1 - a2 * (0.5 - a2 * (1.0 / 24 - a2 / 720))
            let sinDelta = dLat * (1 - a2 * (1.0 / 6 - a2 / 120))
            let cosPoint = cosLat * cosDelta - sinLat * sinDelta
            return havLat + cosLat * cosPoint * havLon
        }
        let sinHalfLat = sin(dLat / 2)
        let sinHalfLon = sin(dLon / 2)
        let key = sinHalfLat * sinHalfLat + cosLat * cos(latitude + dLat) * sinHalfLon * sinHalfLon
        return Swift.min(1, Swift.max(0, key))
    }

    /// A key no greater than that of any grid point in the square cell of side 2^`shift`
    /// steps whose south-west corner is (`x0`, `y0`).
    @inlinable @inline(__always) public func lowerBound(x0: UInt32, y0: UInt32, shift: Int) -> Double {
        let side = UInt64(1) << UInt64(shift)
        let xGap: UInt32
        if shift >= 32 || UInt64(center.x &- x0) < side {
            xGap = 0
        } else {
            let eastward = x0 &- center.x
            let westward = center.x &- UInt32(truncatingIfNeeded: UInt64(x0) + side - 1)
            xGap = Swift.min(eastward, westward)
        }
        let yLow = UInt64(y0)
        let yHigh = yLow + side - 1
        let cy = UInt64(center.y)
        let yGap: UInt64 = cy < yLow ? yLow - cy : (cy > yHigh ? cy - yHigh : 0)
        let north = UInt64(GridPoint.northPoleY)
        let latLow = Double(Swift.min(yLow, north)) * GridPoint.radiansPerStep - Double.pi / 2
        let latHigh = Double(Swift.min(yHigh, north)) * GridPoint.radiansPerStep - Double.pi / 2
        let widest = Swift.max(Swift.abs(latLow), Swift.abs(latHigh))
        let cosFloor = Swift.max(0, 1 - widest * widest / 2)
        let bound = Self.havFloor(Double(yGap) * GridPoint.radiansPerStep)
            + cosLat * cosFloor * Self.havFloor(Double(xGap) * GridPoint.radiansPerStep)
        return bound * Self.lowerMargin
    }

    /// True when every grid point of the cell has a key at most `limit`.
    @inlinable @inline(__always) public func cellWithin(x0: UInt32, y0: UInt32, shift: Int, limit: Double) -> Bool {
        guard shift < 31 else { return false }
        let side = UInt32(1) << UInt32(shift)
        let antipode = center.x &+ (1 << 31)
        if antipode &- x0 < side { return false }
        let west = Self.wrappedDelta(x0, from: center.x)
        let east = Self.wrappedDelta(x0 &+ (side - 1), from: center.x)
        let lonSpan = Double(Swift.max(west.magnitude, east.magnitude)) * GridPoint.radiansPerStep
        let yLow = Int64(y0)
        let yHigh = yLow + Int64(side) - 1
        let cy = Int64(center.y)
        let latSpan = Double(Swift.max(Swift.abs(yLow - cy), Swift.abs(yHigh - cy))) * GridPoint.radiansPerStep
        let latLow = Double(yLow) * GridPoint.radiansPerStep - Double.pi / 2
        let latHigh = Double(yHigh) * GridPoint.radiansPerStep - Double.pi / 2
        let narrowest = (latLow <= 0 && latHigh >= 0) ? 0 : Swift.min(Swift.abs(latLow), Swift.abs(latHigh))
        let n2 = narrowest * narrowest
        let cosCeiling = Swift.min(1, 1 - n2 / 2 + n2 * n2 / 24)
        let bound = latSpan * latSpan / 4 + cosLat * cosCeiling * lonSpan * lonSpan / 4
        return bound * Self.upperMargin <= limit
    }

    /// A lower bound of sin²(t/2) for t in [0, π], from sin u ≥ u − u³/6.
    @inlinable static func havFloor(_ t: Double) -> Double {
        let u = t / 2
        let s = u - u * u * u / 6
        return s > 0 ? s * s : 0
    }
}
