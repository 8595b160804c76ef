/// Strict parser for decimal numbers as the protocol sends them (degrees, metres, seconds):
/// `[+-]digits[.digits]` or `[+-].digits`, nothing else.
///
/// No exponents, no `nan`/`inf`, no hex floats, no spaces. Up to 15 significant digits are
/// converted exactly by integer arithmetic and one correctly rounded division; longer texts
/// (up to `maxLength` bytes) fall back to the C library's correctly rounded conversion.
public enum DecimalText {
    /// Longest accepted text; anything longer is malformed, not silently truncated.
    public static let maxLength = 64

    @usableFromInline static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// The value of `text`, or nil when it is not a plain decimal number.
    @inlinable public static func parse(_ text: some Collection<UInt8>) -> Double? {
        let count = text.count
        guard count > 0, count <= maxLength else { return nil }
        var negative = false
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var fractionDigits = 0
        var digitsSeen = 0
        var seenPoint = false
        var index = 0
        for byte in text {
            defer { index += 1 }
            switch byte {
            case UInt8(ascii: "-") where index == 0: negative = true
            case UInt8(ascii: "+") where index == 0: break
            case UInt8(ascii: ".") where !seenPoint: seenPoint = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digitsSeen += 1
                if mantissa == 0 && byte == UInt8(ascii: "0") {
                    if seenPoint { fractionDigits += 1 }
                    continue
                }
                significantDigits += 1
                if significantDigits <= 15 {
                    mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
                    if seenPoint { fractionDigits += 1 }
                }
            default: return nil
            }
        }
        guard digitsSeen > 0 else { return nil }
        let magnitude: Double
        if significantDigits <= 15 && fractionDigits <= 22 {
            magnitude = Double(mantissa) / powersOfTen[fractionDigits]
        } else {
            guard let slow = Double(String(decoding: text, as: UTF8.self)) else { return nil }
            magnitude = Swift.abs(slow)
        }
        return negative ? -magnitude : magnitude
    }
}
