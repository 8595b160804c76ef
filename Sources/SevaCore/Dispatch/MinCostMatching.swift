/// Minimum-cost bipartite matching (the Hungarian algorithm with potentials, Jonker–Volgenant
/// style, O(rows² × columns) for rows ≤ columns). Pure and deterministic: the same matrix
/// always gives the same assignment, ties going to the lower index.
public enum MinCostMatching {
    /// The assignment of rows (e.g. jobs) to columns (e.g. workers) that matches as many rows as possible
    /// (every row if there are enough allowed columns) and, among those, has the least total cost.
    /// `costs[r][c]` is the cost of matching row r to column c; `.infinity` (any non-finite cost)
    /// means not allowed. Every row must have the same number of columns.
    /// Returns for each row its column or nil, and the total cost of the matched pairs.
    public static func solve(_ costs: [[Double]]) -> (columns: [Int?], total: Double) {
        let rows = costs.count
        let columns = costs.first?.count ?? 0
        precondition(costs.allSatisfy { $0.count == columns }, "MinCostMatching: ragged cost matrix")
        guard rows > 0, columns > 0 else { return (Array(repeating: nil, count: rows), 0) }

        // The algorithm needs n ≤ m, so transpose when there are more rows than columns.
        let transposed = rows > columns
        let n = transposed ? columns : rows
        let m = transposed ? rows : columns
        func cost(_ i: Int, _ j: Int) -> Double { transposed ? costs[j][i] : costs[i][j] }

        // Every one of the n rows gets a column, so an assignment's finite part lies within
        // ±bound (bound = Σ over rows of the row's largest |cost|). A forbidden pair costing more
        // than 2 × bound therefore outweighs any change in finite cost: the least total uses the
        // fewest forbidden pairs (the most real matches) and, among those, the least real cost.
        var bound = 0.0
        for i in 0..<n {
            bound += (0..<m).lazy.map { abs(cost(i, $0)) }.filter(\.isFinite).max() ?? 0
        }
        let forbidden = 2 * bound + 1
        var matrix = [Double](repeating: forbidden, count: n * m)
        for i in 0..<n {
            for j in 0..<m where cost(i, j).isFinite { matrix[i * m + j] = cost(i, j) }
        }

        let owner = assign(matrix, n: n, m: m)
        var result = [Int?](repeating: nil, count: rows)
        for (column, row) in owner.enumerated() where row >= 0 {
            let (r, c) = transposed ? (column, row) : (row, column)
            if costs[r][c].isFinite { result[r] = c }
        }
        let total = result.enumerated().reduce(0.0) { sum, pair in
            pair.element.map { sum + costs[pair.offset][$0] } ?? sum
        }
        return (result, total)
    }

    /// The square-or-wide assignment on a finite row-major `n × m` matrix (n ≤ m): for each
    /// column, the row assigned to it or -1. Rows are added one at a time, each along a
    /// shortest augmenting path under the potentials `u` (rows) and `v` (columns).
    private static func assign(_ a: [Double], n: Int, m: Int) -> [Int] {
        // 1-based as in the classic formulation; column 0 is the virtual start of each path.
        var u = [Double](repeating: 0, count: n + 1)
        var v = [Double](repeating: 0, count: m + 1)
        var owner = [Int](repeating: 0, count: m + 1)
        var way = [Int](repeating: 0, count: m + 1)
        var minv = [Double](repeating: 0, count: m + 1)
        var used = [Bool](repeating: false, count: m + 1)
        for i in 1...n {
            owner[0] = i
            var j0 = 0
            for j in 0...m {
                minv[j] = .infinity
                used[j] = false
            }
            repeat {
                used[j0] = true
                let i0 = owner[j0]
                let base = (i0 - 1) * m - 1
                var delta = Double.infinity
                var j1 = 0
                for j in 1...m where !used[j] {
                    let reduced = a[base + j] - u[i0] - v[j]
                    if reduced < minv[j] {
                        minv[j] = reduced
                        way[j] = j0
                    }
                    if minv[j] < delta {
                        delta = minv[j]
                        j1 = j
                    }
                }
                for j in 0...m {
                    if used[j] {
                        u[owner[j]] += delta
                        v[j] -= delta
                    } else {
                        minv[j] -= delta
                    }
                }
                j0 = j1
            } while owner[j0] != 0
            repeat {
                let j1 = way[j0]
                owner[j0] = owner[j1]
                j0 = j1
            } while j0 != 0
        }
        return owner.dropFirst().map { $0 - 1 }
    }
}
