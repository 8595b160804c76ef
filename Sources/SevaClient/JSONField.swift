import Foundation

/// One field of a one-line JSON reply or event, as text: a string without its quotes, a
/// number, or `null`/`true`/`false` as written. Enough for ids, states and counts in tools and
/// tests; not a JSON parser (the first field of that name wins, nesting is not followed).
public enum JSONField {
    public static func value(_ json: String, _ name: String) -> String? {
        guard let range = json.range(of: #""\#(name)":("[^"]*"|-?[0-9.]+|null|true|false)"#, options: .regularExpression) else {
            return nil
        }
        let text = json[range].dropFirst(name.count + 3)
        return text.hasPrefix("\"") ? String(text.dropFirst().dropLast()) : String(text)
    }
}
