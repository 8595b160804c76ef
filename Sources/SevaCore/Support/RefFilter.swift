/// A Bloom filter over booking refs (a client and its idempotency key): "surely never booked"
/// or "maybe booked". It lets JOB NEW skip the store for a fresh ref — the common case —
/// and ask it only when the ref may be an old one. No false "surely never"; about 1 % false
/// "maybe" while it holds no more than its capacity (10 bits and 7 probes per ref).
public struct RefFilter: Sendable {
    private var words: [UInt64]
    private let mask: UInt64
    /// Refs inserted.
    public private(set) var count = 0
    public let capacity: Int

    static let probes: UInt64 = 7

    public init(capacity: Int) {
        self.capacity = Swift.max(1_024, capacity)
        var bits: UInt64 = 1 << 16
        while bits < UInt64(self.capacity) * 10 { bits <<= 1 }
        words = [UInt64](repeating: 0, count: Int(bits / 64))
        mask = bits - 1
    }

    public mutating func insert(_ key: ClientRef) {
        let (first, step) = Self.hashes(key)
        for probe in 0..<Self.probes {
            let bit = (first &+ probe &* step) & mask
            words[Int(bit >> 6)] |= 1 << (bit & 63)
        }
        count += 1
    }

    /// False only for a ref never inserted.
    public func mayContain(_ key: ClientRef) -> Bool {
        let (first, step) = Self.hashes(key)
        for probe in 0..<Self.probes {
            let bit = (first &+ probe &* step) & mask
            if words[Int(bit >> 6)] & (1 << (bit & 63)) == 0 { return false }
        }
        return true
    }

    /// Two hashes for double hashing: 64-bit FNV-1a over client, a separator and ref, mixed;
    /// the step is odd, so the probes of one key never repeat within the table.
    private static func hashes(_ key: ClientRef) -> (UInt64, UInt64) {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.client.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        hash = (hash ^ 0x1F) &* 0x100_0000_01B3
        for byte in key.ref.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        let step = (hash &* 0xC4CE_B9FE_1A85_EC53) ^ (hash >> 29)
        return (hash, step | 1)
    }
}
