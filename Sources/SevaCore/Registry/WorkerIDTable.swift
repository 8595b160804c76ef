/// Worker id → handle, as an open-addressing hash table of 4-byte slots (a `Dictionary` of
/// `String` keys costs six times as much per worker). The ids themselves live in the
/// registry's records; the table holds only handles and is probed with the records at hand.
struct WorkerIDTable: Sendable {
    private static let empty: UInt32 = 0
    private static let removed: UInt32 = .max

    /// 0 = empty, `removed` = a deleted entry, otherwise handle + 1.
    private var slots = [UInt32](repeating: 0, count: 16)
    private(set) var count = 0
    private var tombstones = 0

    /// FNV-1a over the id's bytes, finished with a 64-bit mix so the low bits are good.
    @inline(__always)
    static func hash(_ id: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        var text = id
        text.withUTF8 { utf8 in
            for byte in utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        }
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        return hash
    }

    func find(_ id: String, in records: [WorkerRecord]) -> Int? {
        let mask = slots.count - 1
        var position = Int(truncatingIfNeeded: Self.hash(id)) & mask
        while true {
            let slot = slots[position]
            if slot == Self.empty { return nil }
            if slot != Self.removed, records[Int(slot) - 1].id == id { return Int(slot) - 1 }
            position = (position + 1) & mask
        }
    }

    /// Adds `handle` for `id`, which must not be in the table.
    mutating func insert(_ id: String, handle: Int, records: [WorkerRecord]) {
        if (count + tombstones + 1) * 10 > slots.count * 7 { rebuild(records: records, capacity: count + 1) }
        let mask = slots.count - 1
        var position = Int(truncatingIfNeeded: Self.hash(id)) & mask
        while slots[position] != Self.empty && slots[position] != Self.removed { position = (position + 1) & mask }
        if slots[position] == Self.removed { tombstones -= 1 }
        slots[position] = UInt32(handle + 1)
        count += 1
    }

    /// Removes `id`'s entry; returns its handle, or nil when absent.
    mutating func remove(_ id: String, records: [WorkerRecord]) -> Int? {
        let mask = slots.count - 1
        var position = Int(truncatingIfNeeded: Self.hash(id)) & mask
        while true {
            let slot = slots[position]
            if slot == Self.empty { return nil }
            if slot != Self.removed, records[Int(slot) - 1].id == id {
                slots[position] = Self.removed
                count -= 1
                tombstones += 1
                return Int(slot) - 1
            }
            position = (position + 1) & mask
        }
    }

    /// Re-inserts every live entry into a table sized for `capacity` entries at ≤ 50 % load.
    private mutating func rebuild(records: [WorkerRecord], capacity: Int) {
        var size = 16
        while size < capacity * 2 { size *= 2 }
        var fresh = [UInt32](repeating: Self.empty, count: size)
        let mask = size - 1
        for slot in slots where slot != Self.empty && slot != Self.removed {
            var position = Int(truncatingIfNeeded: Self.hash(records[Int(slot) - 1].id)) & mask
            while fresh[position] != Self.empty { position = (position + 1) & mask }
            fresh[position] = slot
        }
        slots = fresh
        tombstones = 0
    }
}
