/// A dictionary that grows without a pause, for the engine's maps keyed by worker.
///
/// A Swift `Dictionary` that fills rehashes every key at once: at 98 304 workers listening for
/// offers that was 16 ms on the engine loop, inside one `AVAIL`. Here a full table becomes the
/// `draining` one, untouched from then on, beside a new one twice its size; each change moves a
/// few of its entries across (as Redis rehashes its dictionaries, and `WorkerIDTable` grows).
/// Until it is empty, a lookup tries the new table, then the draining one. A change to a key
/// still in the draining table is made in the new table: a removal leaves a `nil` there that
/// hides the old entry, cleared when the drain ends.
public struct IncrementalDictionary<Key: Hashable, Value> {
    /// Entries moved from the draining table per change: it empties long before the new table
    /// (twice its size) fills.
    static var drainStep: Int { 8 }

    private var current: [Key: Value?] = [:]
    /// The full table being emptied; never changed while it drains (its index stays valid).
    private var draining: [Key: Value?] = [:]
    private var drainPosition: Dictionary<Key, Value?>.Index?
    /// Keys removed while still in the draining table: their `nil`s in `current` go when it ends.
    private var hidden: [Key] = []
    /// Entries present.
    public private(set) var count = 0
    /// Takes a drained table to be freed: by default here, or on another thread (as Redis
    /// frees large values lazily) — freeing a million keys' table at once is milliseconds.
    private let retire: ([Key: Value?]) -> Void

    public init(retire: @escaping ([Key: Value?]) -> Void = { _ in }) {
        self.retire = retire
    }

    public var isEmpty: Bool { count == 0 }
    /// True while a full table is still being emptied into the new one.
    public var isGrowing: Bool { drainPosition != nil }

    public subscript(key: Key) -> Value? {
        get {
            if let entry = current[key] { return entry }
            return drainPosition == nil ? nil : draining[key] ?? nil
        }
        set {
            let existed = self[key] != nil
            if let newValue {
                if !existed { growIfFull() }
                current[key] = .some(newValue)
            } else if existed {
                if drainPosition != nil && draining[key] != nil {
                    current[key] = .some(nil)
                    hidden.append(key)
                } else {
                    current.removeValue(forKey: key)
                }
            }
            count += (newValue != nil ? 1 : 0) - (existed ? 1 : 0)
            drain()
        }
    }

    private mutating func growIfFull() {
        guard drainPosition == nil, current.count >= current.capacity else { return }
        draining = current
        current = Dictionary(minimumCapacity: max(16, 2 * draining.count))
        drainPosition = draining.startIndex
    }

    private mutating func drain() {
        guard var position = drainPosition else { return }
        for _ in 0..<Self.drainStep where position != draining.endIndex {
            let (key, value) = draining[position]
            if current[key] == nil { current[key] = value }
            // The draining copy lets go of the value now: dropping a million references at
            // once, when the drain ends, held the loop 50 ms (values in place keep indices valid).
            draining.values[position] = nil
            position = draining.index(after: position)
        }
        guard position == draining.endIndex else {
            drainPosition = position
            return
        }
        for key in hidden {
            if case .some(.none) = current[key] { current.removeValue(forKey: key) }
        }
        hidden = []
        drainPosition = nil
        let drained = draining
        draining = [:]
        retire(drained)
    }
}
