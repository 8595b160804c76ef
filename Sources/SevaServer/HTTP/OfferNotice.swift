import SevaCore
import SevaWire

/// A worker's pending offer, told in the reply of a tracker request that can carry a message
/// back — OsmAnd's body, OwnTracks' array — for phones that run no sevad app of their own.
struct OfferNotice: Sendable, Equatable {
    let job: Int64
    let skill: String
    let address: String

    /// One line a person reads on a notification.
    var text: String {
        "Seva Mitra: a \(skill) job\(address.isEmpty ? "" : " at \(address)") is offered to you (job \(job)); accept or decline it"
    }

    /// `"offer": {"job", "skill", "address", "text"}` in a tracker reply.
    func write(into json: inout JSONWriter) {
        json.beginObject()
        json.key("job"); json.integer(Int(job))
        json.key("skill"); json.string(skill)
        json.key("address"); json.string(address)
        json.key("text"); json.string(text)
        json.endObject()
    }

    /// OwnTracks' `{"_type": "cmd", "action": "action", "content": …}`, which it shows the user.
    func writeOwnTracksCommand(into json: inout JSONWriter) {
        json.beginObject()
        json.key("_type"); json.string("cmd")
        json.key("action"); json.string("action")
        json.key("content"); json.string(text)
        json.endObject()
    }
}

extension Engine {
    /// The offer waiting for `worker`'s answer, if one is.
    func offerNotice(for worker: String) -> OfferNotice? {
        loop.preconditionInEventLoop()
        guard let id = dispatcher.offeredJob(of: worker), let job = dispatcher.jobs[id] else { return nil }
        return OfferNotice(job: id, skill: job.skill, address: job.address)
    }
}
