import Testing
@testable import SevaCore

@Suite struct QuadTreeTests {
    typealias Generator = @Sendable (inout SeededGenerator) -> GeoPoint

    /// Builds a tree and its reference from `count` generated points.
    func populate(_ count: Int, seed: UInt64, bucket: Int = 16, _ generate: Generator)
        -> (QuadTree, QuadTreeReference, SeededGenerator) {
        var random = SeededGenerator(seed: seed)
        var tree = QuadTree(bucketCapacity: bucket)
        var reference = QuadTreeReference()
        for handle in 0..<count {
            let point = generate(&random)
            let tags = Scatter.tags(&random)
            tree.insert(handle, at: point, tags: tags)
            reference.points[handle] = (point, tags)
        }
        return (tree, reference, random)
    }

    /// Runs random queries of every kind and compares each with the brute-force answer.
    func compareQueries(_ tree: QuadTree, _ reference: QuadTreeReference, random: inout SeededGenerator,
                        queries: Int, _ generate: Generator) {
        let radii = [300.0, 2_000, 5_000, 50_000, 2_000_000, .infinity]
        for query in 0..<queries {
            let centre = query % 5 == 0 ? Scatter.anywhere(&random) : generate(&random)
            let radius = radii[Int(random.next() % UInt64(radii.count))]
            let requiring: UInt32 = random.next() % 3 == 0 ? 0 : UInt32(1) << UInt32(random.next() % 12)
            let k = [1, 10, 50][Int(random.next() % 3)]
            let skipEveryThird = random.next() % 2 == 0
            let accept: (Int) -> Bool = { !skipEveryThird || $0 % 3 != 0 }

            let expectedNearest = reference.nearest(to: centre, k: k, radiusMetres: radius, requiring: requiring,
                                                    accept: accept)
            let nearest = tree.nearest(to: centre, k: k, withinMetres: radius, requiring: requiring, where: accept)
            #expect(nearest == expectedNearest, "kNN k=\(k) r=\(radius) tags=\(requiring) at \(centre)")

            let expectedWithin = reference.hits(around: centre, radiusMetres: radius, requiring: requiring,
                                                accept: accept)
            let within = tree.within(metres: radius, of: centre, requiring: requiring, where: accept)
            #expect(within == expectedWithin, "within r=\(radius) tags=\(requiring) at \(centre)")

            let expectedCount = reference.hits(around: centre, radiusMetres: radius, requiring: requiring).count
            #expect(tree.count(withinMetres: radius, of: centre, requiring: requiring) == expectedCount,
                    "count r=\(radius) tags=\(requiring) at \(centre)")
        }
    }

    /// Moves (mostly a few metres, some far), removals, re-insertions and re-tagging.
    func churn(_ tree: inout QuadTree, _ reference: inout QuadTreeReference, random: inout SeededGenerator,
               operations: Int, handles: Int, _ generate: Generator) {
        for _ in 0..<operations {
            let handle = Int(random.next() % UInt64(handles))
            switch random.next() % 10 {
            case 0...4:
                guard let current = reference.points[handle] else { continue }
                let moved = GeoMath.destination(from: current.point, metres: random.unit() * 30,
                                                bearingDegrees: random.unit() * 360)
                let didMove = tree.move(handle, to: moved)
                #expect(didMove)
                reference.points[handle]?.point = moved
            case 5, 6:
                let target = generate(&random)
                let didMove = tree.move(handle, to: target)
                #expect(didMove == (reference.points[handle] != nil))
                reference.points[handle]?.point = target
            case 7:
                let didRemove = tree.remove(handle)
                #expect(didRemove == (reference.points[handle] != nil))
                reference.points[handle] = nil
            case 8:
                let point = generate(&random)
                let tags = Scatter.tags(&random)
                tree.insert(handle, at: point, tags: tags)
                reference.points[handle] = (point, tags)
            default:
                let tags = Scatter.tags(&random)
                let didTag = tree.setTags(handle, tags)
                #expect(didTag == (reference.points[handle] != nil))
                reference.points[handle]?.tags = tags
            }
        }
    }

    @Test(arguments: ["up", "anywhere", "edges"])
    func queriesMatchBruteForce(_ spread: String) {
        let generate: Generator = spread == "up" ? Scatter.upLike : spread == "anywhere" ? Scatter.anywhere : Scatter.edges
        var (tree, reference, random) = populate(10_000, seed: 1, generate)
        #expect(tree.invariantViolations() == [])
        #expect(tree.count == 10_000)
        compareQueries(tree, reference, random: &random, queries: 150, generate)
    }

    @Test(arguments: ["up", "edges"])
    func queriesMatchBruteForceAfterChurn(_ spread: String) {
        let generate: Generator = spread == "up" ? Scatter.upLike : Scatter.edges
        var (tree, reference, random) = populate(10_000, seed: 2, generate)
        churn(&tree, &reference, random: &random, operations: 20_000, handles: 10_500, generate)
        #expect(tree.invariantViolations() == [])
        #expect(tree.count == reference.points.count)
        compareQueries(tree, reference, random: &random, queries: 150, generate)
        tree.compact()
        #expect(tree.invariantViolations() == [])
        compareQueries(tree, reference, random: &random, queries: 50, generate)
    }

    @Test func invariantsHoldThroughEveryKindOfOperation() {
        for bucket in [4, 16, 64] {
            var (tree, reference, random) = populate(2_000, seed: UInt64(bucket), bucket: bucket, Scatter.upLike)
            for round in 0..<20 {
                churn(&tree, &reference, random: &random, operations: 500, handles: 2_200, Scatter.upLike)
                let problems = tree.invariantViolations()
                #expect(problems == [], "bucket \(bucket) round \(round): \(problems.prefix(3))")
                if !problems.isEmpty { return }
            }
            for (handle, entry) in reference.points {
                #expect(tree.gridPosition(of: handle) == GridPoint(entry.point))
                #expect(tree.tags(of: handle) == entry.tags)
            }
        }
    }

    @Test func duplicatePointsTieByHandle() throws {
        var tree = QuadTree(bucketCapacity: 8, maxDepth: 12)
        let spot = try GeoPoint(latitude: 27.596, longitude: 78.05)
        for handle in (0..<500).reversed() { tree.insert(handle, at: spot, tags: 1) }
        #expect(tree.invariantViolations() == [])
        let hits = tree.nearest(to: spot, k: 20)
        #expect(hits.map(\.handle) == Array(0..<20))
        #expect(tree.count(withinMetres: 1, of: spot) == 500)
        for handle in stride(from: 0, to: 500, by: 2) { tree.remove(handle) }
        #expect(tree.invariantViolations() == [])
        #expect(tree.nearest(to: spot, k: 3).map(\.handle) == [1, 3, 5])
    }

    @Test func emptyTreeAnswersNothing() throws {
        let tree = QuadTree()
        let spot = try GeoPoint(latitude: 0, longitude: 0)
        #expect(tree.nearest(to: spot, k: 10) == [])
        #expect(tree.within(metres: 1e7, of: spot) == [])
        #expect(tree.count(withinMetres: .infinity, of: spot) == 0)
        #expect(tree.invariantViolations() == [])
        var mutable = tree
        let outcomes = [mutable.move(3, to: spot), mutable.remove(3), mutable.setTags(3, 1)]
        #expect(outcomes == [false, false, false])
        #expect(mutable.position(of: 3) == nil)
    }

    @Test func kLargerThanThePopulationReturnsEveryone() {
        let (tree, reference, _) = populate(37, seed: 4, Scatter.anywhere)
        let centre = try! GeoPoint(latitude: 10, longitude: 10)
        let hits = tree.nearest(to: centre, k: 1_000)
        #expect(hits.count == 37)
        #expect(hits == reference.nearest(to: centre, k: 1_000, radiusMetres: .infinity, requiring: 0))
    }

    @Test func smallMovesStayInPlace() throws {
        var (tree, _, _) = populate(5_000, seed: 6, Scatter.upLike)
        var stayed = 0
        var random = SeededGenerator(seed: 60)
        for handle in 0..<1_000 {
            let before = tree.leafIndex(of: handle)
            let slots = tree.pool.positions.count
            let position = tree.position(of: handle)!
            let moved = GeoMath.destination(from: position, metres: 0.5, bearingDegrees: random.unit() * 360)
            tree.move(handle, to: moved)
            if tree.leafIndex(of: handle) == before {
                stayed += 1
                #expect(tree.pool.positions.count == slots)
            }
            #expect(tree.gridPosition(of: handle) == GridPoint(moved))
        }
        #expect(stayed > 950, "only \(stayed) of 1000 half-metre moves stayed in their leaf")
        #expect(tree.invariantViolations() == [])
    }

    @Test func memoryReturnsWhenWorkersLeave() {
        var (tree, _, _) = populate(20_000, seed: 8, Scatter.upLike)
        let full = tree.memoryFootprintBytes
        let slotsAtPeak = tree.pool.positions.count
        for handle in 100..<20_000 { tree.remove(handle) }
        #expect(tree.invariantViolations() == [])
        #expect(tree.count == 100)
        #expect(tree.pool.slotsReserved < 1_000, "\(tree.pool.slotsReserved) slots still held by 100 points")
        var random = SeededGenerator(seed: 80)
        for handle in 100..<20_000 { tree.insert(handle, at: Scatter.upLike(&random), tags: 1) }
        #expect(tree.pool.positions.count <= slotsAtPeak * 3 / 2, "freed segments were not reused")
        for handle in 100..<20_000 { tree.remove(handle) }
        tree.compact()
        #expect(tree.invariantViolations() == [])
        #expect(tree.memoryFootprintBytes < full / 10, "compaction kept \(tree.memoryFootprintBytes) of \(full) bytes")
    }

    @Test func reinsertingAPresentHandleMovesAndRetagsIt() throws {
        var tree = QuadTree()
        let a = try GeoPoint(latitude: 27.6, longitude: 78.05)
        let b = try GeoPoint(latitude: -33.9, longitude: 151.2)
        tree.insert(7, at: a, tags: 1)
        tree.insert(7, at: b, tags: 2)
        #expect(tree.count == 1)
        #expect(tree.gridPosition(of: 7) == GridPoint(b))
        #expect(tree.tags(of: 7) == 2)
        #expect(tree.nearest(to: a, k: 1, requiring: 1) == [])
        #expect(tree.invariantViolations() == [])
    }

    @Test func tagSummariesPruneWholeSubtrees() {
        var (tree, _, _) = populate(5_000, seed: 12, Scatter.upLike)
        let rareSkill: UInt32 = 1 << 20
        let centre = try! GeoPoint(latitude: 27.596, longitude: 78.05)
        #expect(tree.nearest(to: centre, k: 5, requiring: rareSkill) == [])
        tree.setTags(42, rareSkill)
        #expect(tree.nodes[0].tags & rareSkill == rareSkill)
        #expect(tree.nearest(to: centre, k: 5, requiring: rareSkill).map(\.handle) == [42])
        tree.setTags(42, 0)
        #expect(tree.nodes[0].tags & rareSkill == 0)
        #expect(tree.invariantViolations() == [])
    }
}
