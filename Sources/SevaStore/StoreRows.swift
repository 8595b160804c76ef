import SevaCore

extension DatabaseStatement {
    /// An enum column: a value this build does not know is an error naming the table, the row
    /// and the value — never a silent default.
    func value<Value: RawRepresentable & CaseIterable>(_ column: Int32, of table: String, row: String) throws(DatabaseError) -> Value
        where Value.RawValue == String {
        let raw = text(column)
        guard let value = Value(rawValue: raw) else {
            let known = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw DatabaseError(extendedCode: 20, message: "\(table) row \(row): \(columnName(column)) '\(raw)' is not one of \(known)")
        }
        return value
    }

}

extension Optional where Wrapped == String {
    var databaseValue: DatabaseValue { map { .text($0) } ?? .null }
}

extension Optional where Wrapped == Int64 {
    var databaseValue: DatabaseValue { map { .integer($0) } ?? .null }
}

extension Optional where Wrapped == Double {
    var databaseValue: DatabaseValue { map { .real($0) } ?? .null }
}
