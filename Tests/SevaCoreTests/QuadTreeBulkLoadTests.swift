import Testing
@testable import SevaCore

/// The index a restart builds in one pass answers as the one grown point by point.
@Suite struct QuadTreeBulkLoadTests {
    typealias Generator = QuadTreeTests.Generator

    static func generator(_ spread: String) -> Generator {
        spread == "up" ? Scatter.upLike : spread == "anywhere" ? Scatter.anywhere : Scatter.edges
    }

    /// `count` generated points (handles with gaps, as a registry with removals has), loaded
    /// in bulk, with their brute-force reference.
    func bulkLoaded(_ count: Int, seed: UInt64, bucket: Int, _ generate: Generator)
        -> (QuadTree, QuadTreeReference, SeededGenerator) {
        var random = SeededGenerator(seed: seed)
        var reference = QuadTreeReference()
        var points: [QuadTree.BulkPoint] = []
        for index in 0..<count {
            let handle = index * 3 / 2
            let point = generate(&random)
            let tags = Scatter.tags(&random)
            points.append(QuadTree.BulkPoint(handle: handle, point: point, tags: tags))
            reference.points[handle] = (point, tags)
        }
        return (QuadTree(bulk: points, bucketCapacity: bucket), reference, random)
    }

    @Test(arguments: ["up", "anywhere", "edges"])
    func queriesMatchBruteForce(_ spread: String) {
        let generate = Self.generator(spread)
        var (tree, reference, random) = bulkLoaded(10_000, seed: 7, bucket: 16, generate)
        #expect(tree.invariantViolations() == [])
        #expect(tree.count == 10_000)
        QuadTreeTests().compareQueries(tree, reference, random: &random, queries: 150, generate)
    }

    @Test func aBulkLoadedTreeTakesEveryLaterChange() {
        let generate = Self.generator("up")
        var (tree, reference, random) = bulkLoaded(8_000, seed: 8, bucket: 16, generate)
        QuadTreeTests().churn(&tree, &reference, random: &random, operations: 16_000, handles: 12_500, generate)
        #expect(tree.invariantViolations() == [])
        #expect(tree.count == reference.points.count)
        QuadTreeTests().compareQueries(tree, reference, random: &random, queries: 100, generate)
    }

    /// A node splits exactly when it holds more than a bucket, whichever way it was built:
    /// the bulk tree has the leaves an insertion of the same points grows.
    @Test func theTreeHasTheShapeInsertionGrows() {
        var random = SeededGenerator(seed: 9)
        var points: [QuadTree.BulkPoint] = []
        var grown = QuadTree(bucketCapacity: 8)
        for handle in 0..<3_000 {
            let point = Scatter.upLike(&random)
            points.append(QuadTree.BulkPoint(handle: handle, point: point, tags: 1))
            grown.insert(handle, at: point, tags: 1)
        }
        let bulk = QuadTree(bulk: points, bucketCapacity: 8)
        let leafSizes = { (tree: QuadTree) in tree.nodes.filter { $0.isLeaf && $0.count > 0 }.map(\.count).sorted() }
        #expect(leafSizes(bulk) == leafSizes(grown))
        #expect(bulk.nodes.count == grown.nodes.count)
    }

    /// Points piled on one spot go to a leaf at `maxDepth`, which grows past the bucket.
    @Test func pointsOnOneSpotShareADeepLeaf() throws {
        let spot = try GeoPoint(latitude: 26.8467, longitude: 80.9462)
        let points = (0..<100).map { QuadTree.BulkPoint(handle: $0, point: spot, tags: 2) }
        let tree = QuadTree(bulk: points, bucketCapacity: 4, maxDepth: 10)
        #expect(tree.invariantViolations() == [])
        #expect(tree.count(withinMetres: 1, of: spot, requiring: 2) == 100)
        #expect(tree.nearest(to: spot, k: 3, withinMetres: 10, requiring: 0).map(\.handle) == [0, 1, 2])
    }

    @Test func anEmptyLoadIsAnEmptyTree() throws {
        let tree = QuadTree(bulk: [])
        #expect(tree.count == 0)
        #expect(tree.invariantViolations() == [])
        #expect(tree.nearest(to: try GeoPoint(latitude: 0, longitude: 0), k: 5, withinMetres: .infinity, requiring: 0).isEmpty)
    }
}
