import SevaCore
import SevaWire

/// The JSON shapes of DESIGN.md §2 for workers and NEAR rows, written with `JSONWriter`.
/// Coordinates carry 6 decimals (≈ 0.1 m); distances and ages are whole numbers.
public enum WorkerJSON {
    /// A worker: `{"id","name","phone","skills":[…],"verified","district","status","lat","lon",
    /// "age_s","jobs_today","rating","ratings"}`; position fields only when the position is
    /// known, `rating` (the mean, one decimal) only after the first.
    public static func write(_ worker: WorkerSnapshot, jobsToday: Int, catalogue: SkillCatalogue, into json: inout JSONWriter) {
        write(worker, catalogue: catalogue, whereabouts: jobsToday, into: &json)
    }

    /// What a booker may know of the worker on one of its jobs: who they are and how to call
    /// them, `{"id","name","phone","skills","verified","rating","ratings"}` — never where they are.
    public static func writeContact(_ worker: WorkerSnapshot, catalogue: SkillCatalogue, into json: inout JSONWriter) {
        write(worker, catalogue: catalogue, whereabouts: nil, into: &json)
    }

    /// `whereabouts` (the jobs today): the district, status, position and work too.
    private static func write(_ worker: WorkerSnapshot, catalogue: SkillCatalogue, whereabouts: Int?,
                              into json: inout JSONWriter) {
        let profile = worker.profile
        json.beginObject()
        json.key("id"); json.string(profile.id)
        json.key("name"); json.string(profile.name)
        json.key("phone"); json.string(profile.phone)
        json.key("skills"); json.beginArray()
        for skill in catalogue.names(of: profile.skills) { json.string(skill) }
        json.endArray()
        json.key("verified"); json.bool(profile.verified)
        if let jobsToday = whereabouts {
            json.key("district"); json.string(profile.district)
            if let pincode = profile.pincode { json.key("pincode"); json.string(pincode.description) }
            json.key("status"); json.string(worker.status.rawValue)
            if let position = worker.position, let age = worker.ageSeconds {
                json.key("lat"); json.number(position.latitude, decimals: 6)
                json.key("lon"); json.number(position.longitude, decimals: 6)
                json.key("age_s"); json.integer(Int(age.rounded()))
            }
            json.key("jobs_today"); json.integer(jobsToday)
        }
        if let rating = profile.rating {
            json.key("rating"); json.number(rating, decimals: 1)
        }
        json.key("ratings"); json.integer(profile.ratingCount)
        json.endObject()
    }

    /// NEAR's rows for admin, viewer and gateway, nearest first: exact distance and position.
    public static func write(_ rows: [WorkerRegistry.Nearby], into json: inout JSONWriter) {
        json.reserve(rows.count * rowBytes)
        json.beginArray()
        for row in rows {
            writeRow(row.id, metres: Int(row.metres.rounded()), position: row.position, status: row.status,
                     ageSeconds: row.ageSeconds, into: &json)
        }
        json.endArray()
    }

    /// NEAR's rows for a booker: the distance from the worker's privacy-grid cell, rounded to
    /// 100 m, and no coordinates.
    public static func write(_ rows: [WorkerRegistry.CoarseNearby], into json: inout JSONWriter) {
        json.reserve(rows.count * rowBytes)
        json.beginArray()
        for row in rows {
            writeRow(row.id, metres: Int((row.metres / 100).rounded()) * 100, position: nil, status: row.status,
                     ageSeconds: row.ageSeconds, into: &json)
        }
        json.endArray()
    }

    /// About the most one NEAR row takes, so a reply's bytes are allocated once.
    static let rowBytes = 112

    /// One NEAR row: `{"id","dist_m"[,"lat","lon"],"status","age_s"}`.
    private static func writeRow(_ id: String, metres: Int, position: GeoPoint?, status: WorkerStatus, ageSeconds: Double,
                                 into json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.string(id)
        json.key("dist_m"); json.integer(metres)
        if let position {
            json.key("lat"); json.number(position.latitude, decimals: 6)
            json.key("lon"); json.number(position.longitude, decimals: 6)
        }
        json.key("status"); json.string(status.rawValue)
        json.key("age_s"); json.integer(Int(ageSeconds.rounded()))
        json.endObject()
    }
}
