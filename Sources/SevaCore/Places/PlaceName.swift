/// The key a place name is looked up by: ASCII letters lower-cased and digits, everything else
/// (spaces, hyphens, dots, brackets) dropped, so "Lakhimpur Kheri", "lakhimpur-kheri" and
/// "LAKHIMPUR  KHERI" are one name, and "Bara Banki" is "Barabanki".
public enum PlaceName {
    /// The lookup key of `name`; empty when it has no letter or digit.
    public static func key(_ name: some StringProtocol) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(name.utf8.count)
        for byte in name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): bytes.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): bytes.append(byte + 32)
            default: continue
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
