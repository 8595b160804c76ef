import SevaCore

/// How SevaCore's `WorkerPosition` is kept in `worker_positions` (the snapshot) and
/// `location_history` (samples): times as integer milliseconds (`StoreTime`).
enum PositionCodec {
    /// `worker_positions`' columns in the order `values` binds them and `workerPosition()` reads them.
    static let columns = "worker, lat, lon, accuracy_m, at_ms"

    static func values(_ position: WorkerPosition) -> [DatabaseValue] {
        [
            .text(position.worker), .real(position.point.latitude), .real(position.point.longitude),
            position.accuracyMetres.databaseValue, .integer(StoreTime.milliseconds(position.at)),
        ]
    }
}

extension DatabaseStatement {
    /// A row of `columns` as SevaCore's position; one that is not a place is an error naming the row.
    func workerPosition(of table: String) throws(DatabaseError) -> WorkerPosition {
        let point: GeoPoint
        do { point = try GeoPoint(latitude: double(1), longitude: double(2)) } catch {
            throw DatabaseError(extendedCode: 20, message: "\(table) row \(text(0)): lat/lon \(double(1)), \(double(2)) is not a place")
        }
        return WorkerPosition(worker: text(0), point: point, accuracyMetres: optionalDouble(3), at: StoreTime.seconds(int64(4)))
    }
}
