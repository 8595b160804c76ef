import SevaCore
import SevaWire

/// The JSON shapes of DESIGN.md §2 for jobs, their events and the pushed `EVT` lines.
public enum JobJSON {
    /// A job: `{"id","ref","skill","lat","lon","address","district","state","worker","created_at",…}`
    /// with `"events"` when `events` is given (JOB GET), without (JOB LIST rows).
    /// `explained`: each event's detail as recorded — the match decision, with the candidates'
    /// distances to the job — for admins and viewers; a booker gets `"detail":{}`, since
    /// distances from points it chose would let it place workers (DESIGN.md §2 "Worker privacy").
    public static func write(_ job: Job, events: [JobEvent]?, explained: Bool = true, into json: inout JSONWriter) {
        json.beginObject()
        json.key("id"); json.integer(Int(job.id))
        json.key("ref"); if let ref = job.ref { json.string(ref) } else { json.null() }
        json.key("skill"); json.string(job.skill)
        json.key("lat"); json.number(job.point.latitude, decimals: 6)
        json.key("lon"); json.number(job.point.longitude, decimals: 6)
        json.key("address"); json.string(job.address)
        json.key("customer"); json.string(job.customer)
        json.key("district"); json.string(job.district)
        json.key("placed"); json.string(job.placed.rawValue)
        if let pincode = job.pincode { json.key("pincode"); json.string(pincode.description) }
        json.key("rate_inr"); if let rate = job.rateInr { json.integer(rate) } else { json.null() }
        json.key("state"); json.string(job.state.rawValue)
        json.key("worker"); if let worker = job.worker { json.string(worker) } else { json.null() }
        json.key("created_at"); json.integer(Int(job.createdAt))
        if let at = job.scheduledAt { json.key("at"); json.integer(Int(at)) }
        json.key("offers"); json.integer(job.offersMade)
        json.key("client"); json.string(job.client)
        if let events {
            json.key("events"); json.beginArray()
            for event in events { write(event, explained: explained, into: &json) }
            json.endArray()
        }
        json.endObject()
    }

    /// A history entry: `{"seq","at","state","worker","detail":{…}}`, and `"event":"rated"` for
    /// a rating (whose detail, the stars and comment, every role that sees the job sees).
    static func write(_ event: JobEvent, explained: Bool, into json: inout JSONWriter) {
        json.beginObject()
        json.key("seq"); json.integer(Int(event.seq))
        json.key("at"); json.integer(Int(event.at))
        json.key("state"); json.string(event.state.rawValue)
        writeKind(event, into: &json)
        json.key("worker"); if let worker = event.worker { json.string(worker) } else { json.null() }
        json.key("detail"); json.detail(explained || event.kind == .rated ? event.detail : EventDetail())
        json.endObject()
    }

    /// A FEED row: `{"seq","job","at","state","worker"}` (and `"event"` as in the history).
    static func writeFeedRow(_ event: JobEvent, into json: inout JSONWriter) {
        json.beginObject()
        json.key("seq"); json.integer(Int(event.seq))
        json.key("job"); json.integer(Int(event.job))
        json.key("at"); json.integer(Int(event.at))
        json.key("state"); json.string(event.state.rawValue)
        writeKind(event, into: &json)
        json.key("worker"); if let worker = event.worker { json.string(worker) } else { json.null() }
        json.endObject()
    }

    /// `"event":"rated"` for an event that is not a move to `state` (transitions say nothing).
    private static func writeKind(_ event: JobEvent, into json: inout JSONWriter) {
        guard event.kind != .transition else { return }
        json.key("event"); json.string(event.kind.rawValue)
    }

    /// One `EVT <topic> <json>` line, LF included.
    static func event(_ topic: StaticString, _ write: (inout JSONWriter) -> Void) -> [UInt8] {
        var json = JSONWriter()
        write(&json)
        var bytes = Array("EVT ".utf8)
        bytes.append(contentsOf: UnsafeBufferPointer(start: topic.utf8Start, count: topic.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: json.bytes)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// `worker` is there for gateways, which hear the offers of many workers.
    static func offer(_ job: Job, worker: String, metres: Double, expiresIn: Double) -> [UInt8] {
        event("offer") { json in
            json.beginObject()
            json.key("job"); json.integer(Int(job.id))
            json.key("worker"); json.string(worker)
            json.key("skill"); json.string(job.skill)
            json.key("lat"); json.number(job.point.latitude, decimals: 6)
            json.key("lon"); json.number(job.point.longitude, decimals: 6)
            json.key("address"); json.string(job.address)
            json.key("dist_m"); json.integer(Int(metres.rounded()))
            json.key("expires_in_s"); json.number(expiresIn)
            json.key("rate_inr"); if let rate = job.rateInr { json.integer(rate) } else { json.null() }
            json.endObject()
        }
    }

    static func offerWithdrawn(job: Int64, worker: String, reason: String) -> [UInt8] {
        event("offer_withdrawn") { json in
            json.beginObject()
            json.key("job"); json.integer(Int(job))
            json.key("worker"); json.string(worker)
            json.key("reason"); json.string(reason)
            json.endObject()
        }
    }

    static func jobChanged(_ event: JobEvent) -> [UInt8] {
        JobJSON.event("job") { json in
            json.beginObject()
            json.key("seq"); json.integer(Int(event.seq))
            json.key("job"); json.integer(Int(event.job))
            json.key("state"); json.string(event.state.rawValue)
            writeKind(event, into: &json)
            json.key("worker"); if let worker = event.worker { json.string(worker) } else { json.null() }
            json.endObject()
        }
    }

    /// `point` is nil for a booker's watcher: the household learns how far and how long, never where.
    static func track(job: Int64, worker: String, point: GeoPoint?, metres: Double, eta: Double) -> [UInt8] {
        event("track") { json in
            json.beginObject()
            json.key("job"); json.integer(Int(job))
            json.key("worker"); json.string(worker)
            if let point {
                json.key("lat"); json.number(point.latitude, decimals: 6)
                json.key("lon"); json.number(point.longitude, decimals: 6)
            }
            json.key("dist_m"); json.integer(Int(metres.rounded()))
            json.key("eta_s"); json.integer(Int(eta.rounded()))
            json.endObject()
        }
    }
}
