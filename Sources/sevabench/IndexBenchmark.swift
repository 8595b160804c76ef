import SevaCore

/// Measures the live quadtree on a synthetic UP workforce of one size: build, moves,
/// filtered kNN, radius counts, memory.
struct IndexBenchmark {
    struct Options {
        var seed: UInt64 = 42
        var operations = 200_000
        var queries = 50_000
        var bucketCapacity = 64
    }

    /// What one size measured; times in nanoseconds.
    struct Result {
        let workers: Int
        let buildSeconds: Double
        let moveNearby: Timings
        /// Per-move cost within batches of `batchSize` moves (throughput, not latency).
        let moveNearbyBatched: Timings
        let nearbyStayedInLeaf: Double
        let moveFar: Timings
        /// Queries right after the start-up load (compacted layout) …
        let fresh: QueryTimings
        /// … and after every move above (the layout scattered by random moves).
        let churned: QueryTimings
        let residentBytesPerWorker: Double
        let accountedBytesPerWorker: Double
    }

    struct QueryTimings {
        let nearest: Timings
        let nearestFound: Double
        let radiusCount: Timings
        let radiusFound: Double
    }

    let options: Options
    let workforce = UPWorkforce()

    func run(workers: Int, progress: (String) -> Void) -> Result {
        var random = SeededGenerator(seed: options.seed ^ UInt64(workers))
        progress("  generating \(workers) workers")
        var latitudes = [Double](repeating: 0, count: workers)
        var longitudes = [Double](repeating: 0, count: workers)
        var tags = [UInt32](repeating: 0, count: workers)
        for handle in 0..<workers {
            let point = workforce.position(using: &random)
            latitudes[handle] = point.latitude
            longitudes[handle] = point.longitude
            tags[handle] = workforce.tags(using: &random)
        }
        let moveTargets = (0..<options.operations).map { _ in
            (Int(random.next() % UInt64(workers)), workforce.position(using: &random))
        }
        let queryPoints = (0..<options.queries).map { _ in
            (workforce.position(using: &random), UInt32(1) << UInt32(workforce.skill(using: &random)))
        }

        progress("  building the index")
        let residentBefore = residentBytes(trimmed: true)
        var tree = QuadTree(bucketCapacity: options.bucketCapacity)
        let buildStart = Clock.now()
        for handle in 0..<workers {
            tree.insert(handle, at: try! GeoPoint(latitude: latitudes[handle], longitude: longitudes[handle]),
                        tags: tags[handle])
        }
        tree.compact()
        let buildSeconds = Double(Clock.now() - buildStart) / 1e9
        let residentAfter = residentBytes(trimmed: true)

        progress("  queries on the compacted layout")
        let fresh = measureQueries(tree, queryPoints)

        progress("  moving workers a few metres")
        var nearbyTargets: [(Int, GeoPoint)] = []
        nearbyTargets.reserveCapacity(options.operations)
        for (handle, _) in moveTargets {
            let from = try! GeoPoint(latitude: latitudes[handle], longitude: longitudes[handle])
            let to = GeoMath.destination(from: from, metres: 1 + random.unit() * 4, bearingDegrees: random.unit() * 360)
            nearbyTargets.append((handle, to))
            latitudes[handle] = to.latitude
            longitudes[handle] = to.longitude
        }
        let stayed = Self.movesStayingInLeaf(tree, nearbyTargets)
        var moveNearby = Timings(capacity: options.operations)
        for (handle, to) in nearbyTargets {
            Clock.time(&moveNearby) { tree.move(handle, to: to) }
        }
        progress("  moving workers a few metres, in batches as the engine applies pings")
        let moveNearbyBatched = timeInBatches(nearbyTargets.map { handle, _ in
            let from = try! GeoPoint(latitude: latitudes[handle], longitude: longitudes[handle])
            let to = GeoMath.destination(from: from, metres: 1 + random.unit() * 4, bearingDegrees: random.unit() * 360)
            latitudes[handle] = to.latitude
            longitudes[handle] = to.longitude
            return (handle, to)
        }, on: &tree)

        progress("  moving workers to random places")
        var moveFar = Timings(capacity: options.operations)
        for (handle, to) in moveTargets {
            Clock.time(&moveFar) { tree.move(handle, to: to) }
            latitudes[handle] = to.latitude
            longitudes[handle] = to.longitude
        }

        progress("  queries after the churn")
        let churned = measureQueries(tree, queryPoints)
        precondition(tree.count == workers, "the index lost workers during the benchmark")

        return Result(
            workers: workers, buildSeconds: buildSeconds,
            moveNearby: moveNearby, moveNearbyBatched: moveNearbyBatched, nearbyStayedInLeaf: stayed,
            moveFar: moveFar,
            fresh: fresh, churned: churned,
            residentBytesPerWorker: Double(residentAfter - residentBefore) / Double(workers),
            accountedBytesPerWorker: Double(tree.memoryFootprintBytes) / Double(workers))
    }
}

extension IndexBenchmark {
    /// kNN k=10 for one skill within 5 km, and a count of everyone within 2 km, per query point.
    func measureQueries(_ tree: QuadTree, _ queryPoints: [(GeoPoint, UInt32)]) -> QueryTimings {
        var nearest = Timings(capacity: queryPoints.count)
        var nearestFound = 0
        for (centre, skill) in queryPoints {
            var hits: [NearbyHit] = []
            Clock.time(&nearest) { hits = tree.nearest(to: centre, k: 10, withinMetres: 5_000, requiring: skill) }
            nearestFound += hits.count
        }
        var radiusCount = Timings(capacity: queryPoints.count)
        var radiusFound = 0
        for (centre, _) in queryPoints {
            var found = 0
            Clock.time(&radiusCount) { found = tree.count(withinMetres: 2_000, of: centre) }
            radiusFound += found
        }
        return QueryTimings(
            nearest: nearest, nearestFound: Double(nearestFound) / Double(queryPoints.count),
            radiusCount: radiusCount, radiusFound: Double(radiusFound) / Double(queryPoints.count))
    }
}

extension IndexBenchmark {
    /// The share of `moves` that stay in their leaf, found on a copy of the tree so that the
    /// timed run starts from caches untouched by the check.
    static func movesStayingInLeaf(_ tree: QuadTree, _ moves: [(Int, GeoPoint)]) -> Double {
        var copy = tree
        var stayed = 0
        for (handle, to) in moves {
            let before = copy.leafIndex(of: handle)
            copy.move(handle, to: to)
            if copy.leafIndex(of: handle) == before { stayed += 1 }
        }
        return Double(stayed) / Double(Swift.max(1, moves.count))
    }
}

extension IndexBenchmark {
    /// Moves applied as the engine applies a burst of pings, several hundred at a time.
    static let batchSize = 500

    /// Times `moves` in batches of `batchSize`; each sample is one batch's time per move.
    func timeInBatches(_ moves: [(Int, GeoPoint)], on tree: inout QuadTree) -> Timings {
        var timings = Timings(capacity: moves.count / Self.batchSize + 1)
        var start = 0
        while start < moves.count {
            let end = Swift.min(moves.count, start + Self.batchSize)
            let began = Clock.now()
            for index in start..<end { tree.move(moves[index].0, to: moves[index].1) }
            timings.record(Double(Clock.now() - began) / Double(end - start))
            start = end
        }
        return timings
    }
}
