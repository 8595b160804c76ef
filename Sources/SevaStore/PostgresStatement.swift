import CLibPQ
import Foundation

/// One prepared statement on a PostgreSQL session: the store's SQL with its `?` and `?N`
/// parameters renumbered `$N`, prepared once under `name`. Binding keeps the values; the first
/// `step` executes and later steps walk the rows of the result.
final class PostgresStatement: DatabaseStatement {
    let sql: String
    private let name: String
    private unowned let connection: PostgresConnection
    private var values: [DatabaseValue] = []
    private var result: OpaquePointer?
    /// The row `step` last moved to; -1 before the first.
    private var row: Int32 = -1
    private var rows: Int32 = 0

    init(connection: PostgresConnection, sql: String, name: String) throws(DatabaseError) {
        self.sql = sql
        self.name = name
        self.connection = connection
        let prepared = PQprepare(connection.handle, name, Self.numbered(sql), 0, nil)
        defer { PQclear(prepared) }
        try connection.check(prepared, sql: sql)
    }

    deinit { PQclear(result) }

    @discardableResult
    func bind(_ values: [DatabaseValue]) throws(DatabaseError) -> any DatabaseStatement {
        reset()
        self.values = values
        return self
    }

    func step() throws(DatabaseError) -> Bool {
        if result == nil { try executeBound() }
        row += 1
        if row < rows { return true }
        reset()
        return false
    }

    func reset() {
        PQclear(result)
        result = nil
        row = -1
        rows = 0
    }

    private func executeBound() throws(DatabaseError) {
        let copies: [UnsafeMutablePointer<CChar>?] = values.map { value in Self.text(value).map { strdup($0) } }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { $0.map { UnsafePointer($0) } }
        let executed = PQexecPrepared(connection.handle, name, Int32(pointers.count), pointers, nil, nil, 0)
        do {
            try connection.check(executed, sql: sql)
        } catch {
            PQclear(executed)
            throw error
        }
        result = executed
        rows = PQntuples(executed)
        connection.lastChanges = Int(String(cString: PQcmdTuples(executed))) ?? 0
    }

    /// A value in PostgreSQL's text input form; nil for NULL.
    private static func text(_ value: DatabaseValue) -> String? {
        switch value {
        case .null: return nil
        case .integer(let number): return String(number)
        case .real(let number):
            return number.isNaN ? "NaN" : number.isInfinite ? (number < 0 ? "-Infinity" : "Infinity") : "\(number)"
        case .text(let text): return text
        case .blob(let bytes): return "\\x" + bytes.map { String(format: "%02x", $0) }.joined()
        }
    }

    // MARK: - Columns of the current row

    private func cell(_ column: Int32) -> UnsafeMutablePointer<CChar>? {
        guard let result, row >= 0, row < rows, PQgetisnull(result, row, column) == 0 else { return nil }
        return PQgetvalue(result, row, column)
    }

    func isNull(_ column: Int32) -> Bool {
        guard let result, row >= 0, row < rows else { return true }
        return PQgetisnull(result, row, column) != 0
    }

    func int64(_ column: Int32) -> Int64 { cell(column).map { Int64(strtoll($0, nil, 10)) } ?? 0 }

    func double(_ column: Int32) -> Double { cell(column).map { strtod($0, nil) } ?? 0 }

    func text(_ column: Int32) -> String { cell(column).map { String(cString: $0) } ?? "" }

    func blob(_ column: Int32) -> [UInt8] {
        guard let cell = cell(column) else { return [] }
        let hex = Array(UnsafeBufferPointer(start: UnsafeRawPointer(cell).assumingMemoryBound(to: UInt8.self),
                                            count: Int(strlen(cell))))
        guard hex.count >= 2, hex[0] == UInt8(ascii: "\\"), hex[1] == UInt8(ascii: "x") else { return [] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((hex.count - 2) / 2)
        var index = 2
        while index + 1 < hex.count {
            bytes.append(Self.nibble(hex[index]) << 4 | Self.nibble(hex[index + 1]))
            index += 2
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8 {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        default: return digit &- UInt8(ascii: "A") &+ 10
        }
    }

    func columnName(_ column: Int32) -> String {
        guard let result, let name = PQfname(result, column) else { return "column \(column)" }
        return String(cString: name)
    }

    // MARK: - Parameters

    /// The store's SQL with SQLite's parameters (`?N`, and `?` = one more than the highest so
    /// far) written as PostgreSQL's `$N`; quoted text and identifiers are left as they are.
    static func numbered(_ sql: String) -> String {
        var output = ""
        output.reserveCapacity(sql.utf8.count + 8)
        var highest = 0
        var quote: Character?
        var characters = sql.makeIterator()
        var pending: Character? = characters.next()
        while let character = pending {
            pending = characters.next()
            if let open = quote {
                output.append(character)
                if character == open { quote = nil }
                continue
            }
            if character == "'" || character == "\"" {
                quote = character
                output.append(character)
                continue
            }
            guard character == "?" else {
                output.append(character)
                continue
            }
            var digits = ""
            while let next = pending, next.isASCII, next.isNumber {
                digits.append(next)
                pending = characters.next()
            }
            let number = Int(digits) ?? highest + 1
            highest = max(highest, number)
            output += "$\(number)"
        }
        return output
    }
}
