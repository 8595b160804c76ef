/// `application/x-www-form-urlencoded` text — a URL's query or a form body — as name/value
/// pairs, in order: `+` is a space and `%XX` a byte. A malformed escape is kept as written, as
/// browsers do; bytes that are not UTF-8 become U+FFFD.
public enum FormDecoder {
    public static func pairs(_ text: some Collection<UInt8>) -> [(name: String, value: String)] {
        var pairs: [(name: String, value: String)] = []
        for field in text.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            if let equals = field.firstIndex(of: UInt8(ascii: "=")) {
                pairs.append((decode(field[..<equals]), decode(field[field.index(after: equals)...])))
            } else {
                pairs.append((decode(field), ""))
            }
        }
        return pairs
    }

    /// The path and the query pairs of a request target (`/v1/track?lat=…`).
    public static func target(_ uri: String) -> (path: String, query: [(name: String, value: String)]) {
        let bytes = Array(uri.utf8)
        guard let mark = bytes.firstIndex(of: UInt8(ascii: "?")) else { return (decode(bytes, plusIsSpace: false), []) }
        return (decode(bytes[..<mark], plusIsSpace: false), pairs(bytes[(mark + 1)...]))
    }

    static func decode(_ text: some Collection<UInt8>, plusIsSpace: Bool = true) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var index = text.startIndex
        while index != text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "%") {
                let high = text.index(after: index)
                if high != text.endIndex, text.index(after: high) != text.endIndex,
                   let upper = JSONReader.hexDigit(text[high]), let lower = JSONReader.hexDigit(text[text.index(after: high)]) {
                    bytes.append(UInt8(upper << 4 | lower))
                    index = text.index(index, offsetBy: 3)
                    continue
                }
            }
            bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = text.index(after: index)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
