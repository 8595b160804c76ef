import Foundation

/// Replies for people: arrays of objects as aligned tables with the columns asked for,
/// objects as `key: value` lines; `--json` prints the daemon's JSON as it came.
enum Output {
    static func show(_ json: String, columns: [String], asJSON: Bool) {
        if asJSON || json.isEmpty {
            if !json.isEmpty { print(json) } else { print("ok") }
            return
        }
        guard let data = json.data(using: .utf8), let value = try? JSONSerialization.jsonObject(with: data) else {
            print(json)
            return
        }
        if let rows = value as? [[String: Any]] {
            table(rows, columns: columns)
        } else if let object = value as? [String: Any] {
            for key in (columns.isEmpty ? object.keys.sorted() : columns) where object[key] != nil {
                print("\(key): \(text(object[key]!))")
            }
        } else {
            print(json)
        }
    }

    /// A JSON array reply's objects; an `ERR` or anything else is an error naming it.
    static func rows(_ json: String) throws -> [[String: Any]] {
        guard let data = json.data(using: .utf8), let rows = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw Console.failure(1, "expected a JSON array, got: \(json.prefix(200))")
        }
        return rows
    }

    static func json(_ rows: [[String: Any]]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys]) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decimal(_ value: Double) -> String { String((value * 1000).rounded() / 1000) }

    static func table(_ rows: [[String: Any]], columns: [String]) {
        guard !rows.isEmpty else { return print("(none)") }
        let cells = rows.map { row in columns.map { row[$0].map(text) ?? "" } }
        let widths = columns.indices.map { index in max(columns[index].count, cells.map { $0[index].count }.max() ?? 0) }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        print(line(columns.map { $0.uppercased() }))
        for row in cells { print(line(row)) }
    }

    static func text(_ value: Any) -> String {
        switch value {
        // JSON true/false arrive as NSNumber of type "c" (char); numbers as "i", "q" or "d".
        case let number as NSNumber where String(cString: number.objCType) == "c": return number.boolValue ? "yes" : "no"
        case let number as NSNumber: return number.stringValue
        case let string as String: return string
        case is NSNull: return "-"
        case let array as [Any]: return array.map(text).joined(separator: ",")
        case let object as [String: Any]:
            guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{…}" }
            return String(decoding: data, as: UTF8.self)
        default: return "\(value)"
        }
    }
}
