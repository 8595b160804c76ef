/// Ratings: JOB RATE's stars, and the floor (`dispatch.min_rating` once a worker has
/// `min_ratings`) that keeps low-rated workers out of dispatch.
extension WorkerRegistry {
    /// Adds one rating to the worker's mean; false when the worker is unknown (deleted since).
    @discardableResult
    public mutating func addRating(_ id: String, stars: Int, now: Double) -> Bool {
        guard let handle = handles.find(id, in: records) else { return false }
        records[handle].ratingSum &+= UInt32(clamping: stars)
        records[handle].ratingCount &+= 1
        refresh(handle, now: now)
        return true
    }

    /// Whether the rating floor keeps this worker out of dispatch.
    func isBelowRatingFloor(_ handle: Int) -> Bool {
        let record = records[handle]
        guard rules.minRating > 0, record.ratingCount >= rules.minRatings, let rating = record.rating else { return false }
        return rating < rules.minRating
    }

    /// The workers within `radiusMetres` of `center` who would be candidates for `skill` but
    /// for the rating floor (at most `limit`, nearest first): what a match decision names.
    public func belowRatingFloor(near center: GeoPoint, skill: SkillSet, radiusMetres: Double, limit: Int,
                                 now: Double) -> [String] {
        guard rules.minRating > 0 else { return [] }
        let hits = index.nearest(to: center, k: limit, withinMetres: radiusMetres, requiring: Self.visibleTag | skill.rawValue) { handle in
            guard isBelowRatingFloor(handle), records[handle].skills.isSuperset(of: skill), records[handle].verified,
                  status(of: handle, now: now) == .available else { return false }
            if let accuracy = live[handle].accuracy, accuracy > rules.maxAccuracyMetres { return false }
            return true
        }
        return hits.map { records[$0.handle].id }
    }
}
