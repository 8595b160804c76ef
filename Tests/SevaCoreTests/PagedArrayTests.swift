import Testing
@testable import SevaCore

/// The registry's paged tables behave as an array across page boundaries, against an Array
/// put through the same operations.
@Suite struct PagedArrayTests {
    @Test func itMatchesAnArrayThroughAppendsWritesGrowthAndTruncation() {
        var paged = PagedArray<Int>()
        var reference: [Int] = []
        var random = SeededGenerator(seed: 5)
        let page = PagedArray<Int>.pageSize
        for step in 0..<(3 * page + 17) {
            paged.append(step)
            reference.append(step)
            if step % 7 == 0 {
                let index = Int(random.next() % UInt64(reference.count))
                paged[index] += 1_000_000
                reference[index] += 1_000_000
            }
        }
        #expect(paged.count == reference.count && paged.indices == reference.indices)
        #expect(paged.indices.allSatisfy { paged[$0] == reference[$0] })
        paged.grow(to: 4 * page + 3, filling: -1)
        reference += Array(repeating: -1, count: 4 * page + 3 - reference.count)
        #expect(paged.indices.allSatisfy { paged[$0] == reference[$0] })
        #expect(paged.lastIndex { $0 >= 0 } == reference.lastIndex { $0 >= 0 })
        for cut in [2 * page + 1, 2 * page, page - 1, 0] {
            paged.truncate(to: cut)
            reference.removeLast(reference.count - cut)
            #expect(paged.count == cut && paged.indices.allSatisfy { paged[$0] == reference[$0] })
        }
        #expect(paged.isEmpty)
        paged.append(42)
        #expect(paged[0] == 42 && paged.count == 1)
    }
}
