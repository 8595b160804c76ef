/// The key a place name is looked up by: ASCII letters lower-cased and digits, everything else
/// (spaces, hyphens, dots, brackets) dropped, so "Lakhimpur Kheri", "lakhimpur-kheri" and
/// "LAKHIMPUR  KHERI" are one name, and "Bara Banki" is "Barabanki".
public enum PlaceName {
    /// The lookup key of `name`; empty when it has no letter or digit.
    public static func key(_ name: some StringProtocol) -> String {
        String(decoding: name.utf8.compactMap(keyByte), as: UTF8.self)
    }

    /// Whether `name`'s key is `key`, without building it (for filters that test many names).
    public static func matches(_ name: String, key: String) -> Bool {
        var wanted = key.utf8.makeIterator()
        for byte in name.utf8 {
            guard let own = keyByte(byte) else { continue }
            guard wanted.next() == own else { return false }
        }
        return wanted.next() == nil
    }

    /// A byte as the key keeps it: letters lower-cased, digits, nothing else.
    private static func keyByte(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): byte
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
        default: nil
        }
    }
}
