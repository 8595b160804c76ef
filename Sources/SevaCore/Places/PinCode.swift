/// An Indian postal index number: six digits, the first (the postal region) 1 to 9.
public struct PinCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The code as a number, 110001 … 999999.
    public let value: UInt32

    /// The code in `text`, or nil when it is not six digits with a first digit of 1 to 9.
    public init?(_ text: some StringProtocol) {
        guard text.utf8.count == 6 else { return nil }
        var value: UInt32 = 0
        for byte in text.utf8 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + UInt32(byte - UInt8(ascii: "0"))
        }
        self.init(value: value)
    }

    /// The code `value`, or nil outside 100000 … 999999.
    public init?(value: UInt32) {
        guard (100_000...999_999).contains(value) else { return nil }
        self.value = value
    }

    public var description: String { String(value) }

    public static func < (lhs: PinCode, rhs: PinCode) -> Bool { lhs.value < rhs.value }
}
