import SevaCore

/// A job event's detail as JSON: one writer for the wire (JOB GET, FEED, events) and for the
/// store, which keeps it as the text written here.
extension JSONWriter {
    /// Writes `detail` as an object; detail read back from the store goes out as it was kept.
    public mutating func detail(_ detail: EventDetail) {
        if let recorded = detail.recorded {
            rawValue(recorded)
            return
        }
        beginObject()
        for field in detail.fields {
            key(field.key)
            switch field.value {
            case .text(let text): string(text)
            case .number(let number): self.number(number)
            case .integer(let integer): self.integer(integer)
            case .flag(let flag): bool(flag)
            case .candidates(let candidates):
                beginArray()
                for candidate in candidates {
                    beginObject()
                    key("id"); string(candidate.worker)
                    key("dist_m"); integer(Int(candidate.metres.rounded()))
                    key("score"); number(candidate.score.rounded())
                    key("jobs_today"); integer(candidate.jobsToday)
                    key("work"); number((candidate.work * 100).rounded() / 100)
                    endObject()
                }
                endArray()
            }
        }
        endObject()
    }
}

extension EventDetail {
    /// The detail as one JSON object's text, as the store keeps it and the journal shows it.
    public var jsonText: String {
        var json = JSONWriter()
        json.detail(self)
        return json.text
    }
}
