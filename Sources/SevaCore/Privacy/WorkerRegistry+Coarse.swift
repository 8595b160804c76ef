/// NEAR for the booker role: the nearest workers as measured from their cells' centres.
extension WorkerRegistry {
    /// One worker found near a point, placed no better than its cell.
    public struct CoarseNearby: Sendable, Equatable {
        public let id: String
        /// From the query's centre to the centre of the worker's cell.
        public let metres: Double
        public let status: WorkerStatus
        public let ageSeconds: Double
    }

    /// The `limit` workers nearest to `center` by the distance to their cells' centres on
    /// `grid`, within `radiusMetres` of it by that same distance; ties (workers of one cell)
    /// by id, never by where in the cell they are. Filters as `nearest(to:…)`.
    ///
    /// Exact and snapped distances differ by at most `grid.maxSnapMetres`, so the exact
    /// nearest-first search runs with that margin, widening until no worker left unseen
    /// could rank among the first `limit`.
    public func nearest(to center: GeoPoint, on grid: PrivacyGrid, skill: SkillSet? = nil, radiusMetres: Double,
                        limit: Int, includeAll: Bool = false, now: Double) -> [CoarseNearby] {
        guard limit > 0 else { return [] }
        let margin = grid.maxSnapMetres
        var fetch = Swift.max(16, limit * 4)
        while true {
            let hits = nearest(to: center, skill: skill, radiusMetres: radiusMetres + margin, limit: fetch,
                               includeAll: includeAll, now: now)
            var rows: [CoarseNearby] = []
            for hit in hits {
                let metres = GeoMath.distanceMetres(center, grid.snap(hit.position))
                guard metres <= radiusMetres else { continue }
                rows.append(CoarseNearby(id: hit.id, metres: metres, status: hit.status, ageSeconds: hit.ageSeconds))
            }
            rows.sort { $0.metres < $1.metres || ($0.metres == $1.metres && $0.id < $1.id) }
            // Everything within reach was seen, or every unseen worker snaps farther than the last one kept.
            if hits.count < fetch { return Array(rows.prefix(limit)) }
            if rows.count >= limit, let farthestSeen = hits.last, rows[limit - 1].metres < farthestSeen.metres - margin {
                return Array(rows.prefix(limit))
            }
            fetch *= 4
        }
    }
}
