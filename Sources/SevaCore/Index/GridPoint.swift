/// A position quantised onto the index's 32-bit grid (about 9 mm per step at the equator).
///
/// `x` counts longitude eastwards from -180° in steps of 360°/2³², so it wraps at the
/// antimeridian exactly as longitude does; `y` counts latitude northwards from -90° in the
/// same angular step, so 0...2³¹ covers the globe and cells are square in degrees.
public struct GridPoint: Hashable, Sendable {
    public var x: UInt32
    public var y: UInt32

    /// Radians per grid step, the same on both axes.
    public static let radiansPerStep = Double.pi / 2_147_483_648.0
    /// Degrees per grid step, the same on both axes.
    public static let degreesPerStep = 180.0 / 2_147_483_648.0
    /// The `y` of the north pole.
    public static let northPoleY: UInt32 = 1 << 31

    @inlinable public init(x: UInt32, y: UInt32) {
        self.x = x
        self.y = y
    }

    /// Quantises a validated point (rounding down; longitude 180 wraps to -180's step).
    @inlinable public init(_ point: GeoPoint) {
        let lonSteps = ((point.longitude + 180) / Self.degreesPerStep).rounded(.down)
        let latSteps = ((point.latitude + 90) / Self.degreesPerStep).rounded(.down)
        x = UInt32(truncatingIfNeeded: Int64(lonSteps))
        y = UInt32(Swift.min(latSteps, Double(Self.northPoleY)))
    }

    /// The grid step's south-west corner as a point in degrees.
    public var point: GeoPoint {
        // Both values are in range by construction of the grid.
        try! GeoPoint(latitude: Swift.min(90, Double(y) * Self.degreesPerStep - 90),
                      longitude: Double(x) * Self.degreesPerStep - 180)
    }

    /// Latitude in radians.
    @inlinable public var latitudeRadians: Double { Double(y) * Self.radiansPerStep - Double.pi / 2 }
}

extension GridPoint {
    /// The middle of the grid step, so a point read back and stored again lands on the same
    /// step.
    public var centre: GeoPoint {
        try! GeoPoint(latitude: Swift.min(90, (Double(y) + 0.5) * Self.degreesPerStep - 90),
                      longitude: (Double(x) + 0.5) * Self.degreesPerStep - 180)
    }
}
