/// A worker's position at a moment: what the periodic snapshot keeps so a restart is warm,
/// and a sample of the location history.
public struct WorkerPosition: Sendable, Equatable {
    public var worker: String
    public var point: GeoPoint
    public var accuracyMetres: Double?
    /// When the fix was taken, Unix seconds.
    public var at: Double

    public init(worker: String, point: GeoPoint, accuracyMetres: Double? = nil, at: Double) {
        self.worker = worker
        self.point = point
        self.accuracyMetres = accuracyMetres
        self.at = at
    }
}
