/// The Gini coefficient of non-negative values, as the tools report the spread of work:
/// 0 when all are equal, towards 1 when one holds everything.
public enum Gini {
    /// nil for no values; 0 for one value or when all are 0.
    public static func of(_ values: [Double]) -> Double? {
        let total = values.reduce(0, +)
        guard values.count > 1, total > 0 else { return values.isEmpty ? nil : 0 }
        let n = Double(values.count)
        let weighted = values.sorted().enumerated().reduce(0.0) { $0 + Double($1.offset + 1) * $1.element }
        return 2 * weighted / (n * total) - (n + 1) / n
    }
}
