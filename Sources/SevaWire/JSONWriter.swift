/// Writes one line of JSON into a byte buffer, without `Foundation.JSONEncoder`.
///
/// Strings are escaped per RFC 8259 (quotes, backslash, every control character), numbers
/// are finite (a NaN or infinity becomes `null`), and coordinates use a fixed number of
/// decimals. Commas between members and elements are inserted automatically.
public struct JSONWriter: Sendable {
    /// The JSON text written so far, UTF-8.
    public private(set) var bytes: [UInt8] = []
    private var needsComma = false

    public init() {}

    /// The text as a `String`.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// `value` with `decimals` places, as the protocol writes coordinates (no Foundation).
    public static func decimal(_ value: Double, places decimals: Int = 6) -> String {
        var json = JSONWriter()
        json.number(value, decimals: decimals)
        return json.text
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    public mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    public mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// Writes an object member's name; the next value written is its value.
    @_disfavoredOverload
    public mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// A name written in the source (every key but the few made at run time): its bytes are
    /// copied straight from the binary, without making a `String` of them; one that needs an
    /// escape (none of sevad's do) takes the general path.
    public mutating func key(_ name: StaticString) {
        guard name.hasPointerRepresentation else { return key(name.description) }
        let utf8 = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        guard !utf8.contains(where: Self.needsEscape) else { return key(name.description) }
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: utf8)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Room for `count` more bytes, for a writer about to write many rows.
    public mutating func reserve(_ count: Int) { bytes.reserveCapacity(bytes.count + count) }

    public mutating func string(_ value: String) { separate(); appendQuoted(value); needsComma = true }

    /// Writes a value that is already JSON (one this writer made earlier, kept as text).
    public mutating func rawValue(_ json: String) {
        separate()
        bytes.append(contentsOf: json.utf8)
        needsComma = true
    }
    public mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }
    public mutating func null() { raw("null") }
    public mutating func integer(_ value: Int) {
        separate()
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        appendDigits(value.magnitude)
        needsComma = true
    }

    /// Writes a finite number in Swift's shortest round-tripping form; NaN and infinities as `null`.
    public mutating func number(_ value: Double) {
        guard value.isFinite else { return null() }
        if value == value.rounded(), Swift.abs(value) < 1e15 { return integer(Int(value)) }
        separate()
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    /// Writes a finite number with exactly `decimals` digits after the point (0...9), as
    /// coordinates and distances are shown; NaN and infinities as `null`.
    public mutating func number(_ value: Double, decimals: Int) {
        precondition((0...9).contains(decimals), "decimals must be in 0...9")
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        guard value.isFinite, Swift.abs(value) * scale < 9e18 else { return null() }
        let scaled = (Swift.abs(value) * scale).rounded()
        let units = Int(scaled)
        separate()
        if value < 0 && units != 0 { bytes.append(UInt8(ascii: "-")) }
        let divisor = Int(scale)
        appendDigits(UInt(units / divisor))
        if decimals > 0 {
            bytes.append(UInt8(ascii: "."))
            appendDigits(UInt(units % divisor), width: decimals)
        }
        needsComma = true
    }

    /// The decimal digits of `value`, zero-padded on the left to `width`.
    private mutating func appendDigits(_ value: UInt, width: Int = 1) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                count += 1
                buffer[buffer.count - count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0 || count < width
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(buffer.count - count)...]))
        }
    }

    private mutating func raw(_ token: StaticString) {
        separate()
        bytes.append(contentsOf: UnsafeBufferPointer(start: token.utf8Start, count: token.utf8CodeUnitCount))
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A control character, a quote, a backslash or DEL.
    private static func needsEscape(_ byte: UInt8) -> Bool { byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F }

    private mutating func appendQuoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = value
        text.withUTF8 { utf8 in
            // Most strings (ids, skills, states, keys) need no escape: copy them whole.
            var clean = true
            for byte in utf8 where Self.needsEscape(byte) {
                clean = false
                break
            }
            guard !clean else {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
                case 0..<0x20, 0x7F:
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(Self.hexDigits[Int(byte >> 4)])
                    bytes.append(Self.hexDigits[Int(byte & 0xF)])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
