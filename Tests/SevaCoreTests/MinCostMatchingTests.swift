import Testing
@testable import SevaCore

@Suite struct MinCostMatchingTests {
    let x = Double.infinity

    /// The most pairs any injective partial assignment makes and the least cost among those, by
    /// trying every one.
    func bruteForce(_ costs: [[Double]]) -> (count: Int, total: Double) {
        let columns = costs.first?.count ?? 0
        var best = (count: 0, total: 0.0)
        var taken = [Bool](repeating: false, count: columns)
        func visit(_ row: Int, count: Int, total: Double) {
            guard row < costs.count else {
                if count > best.count || (count == best.count && total < best.total) { best = (count, total) }
                return
            }
            visit(row + 1, count: count, total: total)
            for column in 0..<columns where !taken[column] && costs[row][column].isFinite {
                taken[column] = true
                visit(row + 1, count: count + 1, total: total + costs[row][column])
                taken[column] = false
            }
        }
        visit(0, count: 0, total: 0)
        return best
    }

    /// The matching is injective, uses only allowed pairs and its total is the sum of its pairs.
    func expectValid(_ costs: [[Double]], _ result: (columns: [Int?], total: Double)) {
        #expect(result.columns.count == costs.count)
        let used = result.columns.compactMap { $0 }
        #expect(Set(used).count == used.count, "a column matched twice: \(result.columns)")
        var sum = 0.0
        for (row, column) in result.columns.enumerated() {
            guard let column else { continue }
            #expect(costs[row][column].isFinite, "forbidden pair \(row)→\(column)")
            sum += costs[row][column]
        }
        #expect(abs(sum - result.total) <= 1e-9)
    }

    @Test func beatsGreedyNearestFirst() {
        // Greedy takes job 0 → worker 0 (1), leaving job 1 → worker 1 (10): 11. Optimum 2 + 2.
        let costs = [[1.0, 2.0], [2.0, 10.0]]
        let result = MinCostMatching.solve(costs)
        #expect(result.columns == [1, 0])
        #expect(result.total == 4)
    }

    @Test func emptyAndColumnlessInputs() {
        #expect(MinCostMatching.solve([]).columns == [])
        #expect(MinCostMatching.solve([]).total == 0)
        #expect(MinCostMatching.solve([[], []]).columns == [nil, nil])
    }

    @Test func forbiddenPairsAreNeverUsed() {
        let costs = [[x, 5.0, 1.0], [1.0, x, x], [2.0, 3.0, x]]
        let result = MinCostMatching.solve(costs)
        #expect(result.columns == [2, 0, 1])
        #expect(result.total == 5)
    }

    @Test func aRowWithNoAllowedColumnGetsNil() {
        let costs = [[3.0, 4.0], [x, x], [5.0, 1.0]]
        let result = MinCostMatching.solve(costs)
        #expect(result.columns == [0, nil, 1])
        #expect(result.total == 4)
    }

    @Test func moreRowsThanColumnsMatchesTheCheapestRows() {
        let costs = [[9.0, 9.0], [1.0, 8.0], [7.0, 2.0], [3.0, 3.0]]
        let result = MinCostMatching.solve(costs)
        #expect(result.columns == [nil, 0, 1, nil])
        #expect(result.total == 3)
    }

    @Test func moreColumnsThanRowsLeavesColumnsFree() {
        let costs = [[5.0, 1.0, 4.0, 6.0], [5.0, 2.0, 9.0, 3.0]]
        let result = MinCostMatching.solve(costs)
        #expect(result.columns == [1, 3])
        #expect(result.total == 4)
    }

    @Test func moreMatchesComeBeforeLowerCost() {
        // Row 0 alone could take column 0 for 1, but then row 1 would go unmatched.
        let costs = [[1.0, 100.0], [50.0, x]]
        let result = MinCostMatching.solve(costs)
        #expect(result.columns == [1, 0])
        #expect(result.total == 150)
    }

    @Test func agreesWithBruteForceOnRandomSmallMatrices() {
        var random = SeededGenerator(seed: 17)
        for _ in 0..<3_000 {
            let rows = Int(random.next() % 7)
            let columns = Int(random.next() % 7)
            let forbidden = random.unit() * 0.6
            let integral = random.chance(0.5)
            let costs = (0..<rows).map { _ in
                (0..<columns).map { _ -> Double in
                    if random.chance(forbidden) { return .infinity }
                    return integral ? Double(random.next() % 5) : random.uniform(-50...1_000)
                }
            }
            let result = MinCostMatching.solve(costs)
            let expected = bruteForce(costs)
            expectValid(costs, result)
            #expect(result.columns.compactMap { $0 }.count == expected.count, "\(costs)")
            #expect(abs(result.total - expected.total) <= 1e-9, "\(costs): \(result.total) vs \(expected.total)")
        }
    }

    @Test func sameInputSameAnswer() {
        var random = SeededGenerator(seed: 4)
        let costs = (0..<40).map { _ in (0..<60).map { _ in Double(random.next() % 3) } }
        let first = MinCostMatching.solve(costs)
        #expect(MinCostMatching.solve(costs) == first)
    }
}
