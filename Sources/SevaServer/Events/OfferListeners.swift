/// The connections that hear one worker's offers: almost always one (the worker's phone, or
/// the gateway that speaks for it), held inline; a set only for the rare worker heard on
/// several. A `Set` for each of a million workers was a million allocations, ~80 bytes each.
enum OfferListeners: Sendable {
    case one(EventSink)
    case many(Set<EventSink>)

    init(_ sink: EventSink) { self = .one(sink) }

    /// Adds `sink`; false when it was already listening.
    mutating func insert(_ sink: EventSink) -> Bool {
        switch self {
        case .one(let only):
            guard only !== sink else { return false }
            self = .many([only, sink])
        case .many(var sinks):
            guard sinks.insert(sink).inserted else { return false }
            self = .many(sinks)
        }
        return true
    }

    /// The listeners without `sink`, or nil when none is left.
    func removing(_ sink: EventSink) -> OfferListeners? {
        switch self {
        case .one(let only): return only === sink ? nil : self
        case .many(var sinks):
            sinks.remove(sink)
            if sinks.count == 1, let only = sinks.first { return .one(only) }
            return sinks.isEmpty ? nil : .many(sinks)
        }
    }

    func forEach(_ body: (EventSink) -> Void) {
        switch self {
        case .one(let only): body(only)
        case .many(let sinks): sinks.forEach(body)
        }
    }
}
