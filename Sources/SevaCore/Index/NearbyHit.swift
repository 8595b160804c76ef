/// One point found by an index query: its handle and its haversine key from the query centre.
public struct NearbyHit: Hashable, Sendable, Comparable {
    public let handle: Int
    /// `GeoMath` haversine key from the centre; ranks exactly as distance does.
    public let key: Double

    @inlinable public init(handle: Int, key: Double) {
        self.handle = handle
        self.key = key
    }

    /// Distance from the query centre in metres.
    public var metres: Double { GeoMath.metres(forKey: key) }

    /// Nearest first; equal distances by the smaller handle, so every order is deterministic.
    @inlinable public static func < (lhs: NearbyHit, rhs: NearbyHit) -> Bool {
        lhs.key < rhs.key || (lhs.key == rhs.key && lhs.handle < rhs.handle)
    }
}
