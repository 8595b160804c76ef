/// Redis's protocol (RESP2) as far as a load generator needs it: commands written as arrays
/// of bulk strings (Redis's fastest form), and a counter that tells complete top-level
/// replies apart in a byte stream without building them.
public enum RESP {
    /// One command as a RESP array of bulk strings: `*3\r\n$6\r\nGEOADD\r\n…`.
    public static func command(_ parts: [String]) -> [UInt8] {
        var bytes = Array("*\(parts.count)\r\n".utf8)
        for part in parts {
            let utf8 = Array(part.utf8)
            bytes += Array("$\(utf8.count)\r\n".utf8)
            bytes += utf8
            bytes += [13, 10]
        }
        return bytes
    }
}

/// Counts complete RESP replies as bytes arrive in any split: simple strings, errors,
/// integers, bulk strings (and nil), and arrays nested to any depth. An error reply (`-…`) at
/// the top level is counted and noted in `errors`.
public struct RESPReplyCounter: Sendable {
    /// Elements still owed by each open array, innermost last.
    private var owed: [Int] = []
    /// Bytes of bulk payload (and its CRLF) still to skip.
    private var skipping = 0
    /// The header line being read (type byte and digits), across reads.
    private var header: [UInt8] = []
    public private(set) var errors = 0

    public init() {}

    /// Consumes `bytes`; returns how many top-level replies they completed.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) -> Int {
        var completed = 0
        var index = 0
        while index < bytes.count {
            if skipping > 0 {
                let take = min(skipping, bytes.count - index)
                skipping -= take
                index += take
                if skipping == 0 { completed += finishElement() }
                continue
            }
            let byte = bytes[index]
            index += 1
            guard byte == 10 else {
                if byte != 13 { header.append(byte) }
                continue
            }
            completed += finishHeader()
        }
        return completed
    }

    /// A header line ended: a scalar completes an element, a bulk string starts a skip, an
    /// array opens (or, when empty or nil, completes at once).
    private mutating func finishHeader() -> Int {
        let kind = header.first ?? 0
        let number = kind == UInt8(ascii: "$") || kind == UInt8(ascii: "*") ? Self.integer(header.dropFirst()) : 0
        header.removeAll(keepingCapacity: true)
        switch kind {
        case UInt8(ascii: "$"):
            guard number >= 0 else { return finishElement() }
            skipping = number + 2
            return 0
        case UInt8(ascii: "*"):
            guard number > 0 else { return finishElement() }
            owed.append(number)
            return 0
        case UInt8(ascii: "-"):
            if owed.isEmpty { errors += 1 }
            return finishElement()
        default:
            return finishElement()
        }
    }

    /// One element is complete: it closes every array it was the last element of; returns 1
    /// when that completes a top-level reply.
    private mutating func finishElement() -> Int {
        while let last = owed.last {
            if last > 1 {
                owed[owed.count - 1] = last - 1
                return 0
            }
            owed.removeLast()
        }
        return 1
    }

    private static func integer(_ digits: ArraySlice<UInt8>) -> Int {
        var value = 0
        var negative = false
        for digit in digits {
            if digit == UInt8(ascii: "-") { negative = true; continue }
            value = value &* 10 &+ Int(digit &- 48)
        }
        return negative ? -value : value
    }
}
