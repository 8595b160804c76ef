import SevaWire

/// Prints index results as a table and writes them as JSON.
struct IndexReport {
    /// One table row: an operation, its target median (ns), and how to read it from a result.
    struct Row: Sendable {
        let name: String
        let key: String
        let targetMedianNs: Double
        let timings: @Sendable (IndexBenchmark.Result) -> Timings
        let note: @Sendable (IndexBenchmark.Result) -> String
    }

    /// The operations and targets of the foundation issue.
    static let rows: [Row] = [
        Row(name: "move, few metres", key: "move_nearby", targetMedianNs: 100, timings: \.moveNearby,
            note: { format1($0.nearbyStayedInLeaf * 100) + "% stayed in their leaf" }),
        Row(name: "move, few metres, batched", key: "move_nearby_batched", targetMedianNs: 100,
            timings: \.moveNearbyBatched, note: { _ in "per move in bursts of \(IndexBenchmark.batchSize): throughput" }),
        Row(name: "move, random place", key: "move_far", targetMedianNs: 1_000, timings: \.moveFar, note: { _ in "" }),
        Row(name: "kNN10 skill 5km, compacted", key: "knn10_skill_5km", targetMedianNs: 5_000,
            timings: \.fresh.nearest, note: { format1($0.fresh.nearestFound) + " hits/query; p99 target 20000" }),
        Row(name: "kNN10 skill 5km, churned", key: "knn10_skill_5km_churned", targetMedianNs: 5_000,
            timings: \.churned.nearest, note: { _ in "after the moves above" }),
        Row(name: "count 2km, compacted", key: "count_2km", targetMedianNs: 5_000,
            timings: \.fresh.radiusCount, note: { format1($0.fresh.radiusFound) + " workers/query" }),
        Row(name: "count 2km, churned", key: "count_2km_churned", targetMedianNs: 5_000,
            timings: \.churned.radiusCount, note: { _ in "after the moves above" }),
    ]
    static let targetBytesPerWorker = 48.0

    let results: [IndexBenchmark.Result]
    let options: IndexBenchmark.Options
    let clockOverheadNs: Double

    func table() -> String {
        var out = "operation                      workers      median ns     p99 ns  target (median)  note\n"
        out += String(repeating: "-", count: 104) + "\n"
        for row in Self.rows {
            for result in results {
                let timings = row.timings(result)
                out += pad(row.name, 28) + leftPad(String(result.workers), 10) + leftPad(format1(timings.median), 15)
                    + leftPad(format1(timings.p99), 11) + "  " + pad("≤ " + format0(row.targetMedianNs), 15) + "  "
                    + row.note(result) + "\n"
            }
        }
        for result in results {
            out += pad("index memory", 28) + leftPad(String(result.workers), 10)
                + leftPad(format1(result.residentBytesPerWorker) + " B", 15) + leftPad("", 11) + "  "
                + pad("≤ " + format0(Self.targetBytesPerWorker) + " B", 15) + "  RSS delta / n; accounted "
                + format1(result.accountedBytesPerWorker) + " B; built in " + format1(result.buildSeconds) + " s\n"
        }
        out += "\nclock overhead subtracted: \(format1(clockOverheadNs)) ns; bucket \(options.bucketCapacity);"
        out += " seed \(options.seed); \(options.operations) moves, \(options.queries) queries per size\n"
        return out
    }

    func json() -> String {
        var json = JSONWriter()
        json.beginObject()
        json.key("benchmark"); json.string("index")
        json.key("seed"); json.integer(Int(options.seed))
        json.key("bucket_capacity"); json.integer(options.bucketCapacity)
        json.key("clock_overhead_ns"); json.number(clockOverheadNs, decimals: 1)
        json.key("sizes"); json.beginArray()
        for result in results {
            json.beginObject()
            json.key("workers"); json.integer(result.workers)
            json.key("build_s"); json.number(result.buildSeconds, decimals: 3)
            json.key("resident_bytes_per_worker"); json.number(result.residentBytesPerWorker, decimals: 1)
            json.key("accounted_bytes_per_worker"); json.number(result.accountedBytesPerWorker, decimals: 1)
            json.key("move_nearby_stayed_in_leaf"); json.number(result.nearbyStayedInLeaf, decimals: 4)
            json.key("knn_hits_per_query"); json.number(result.fresh.nearestFound, decimals: 2)
            json.key("radius_workers_per_query"); json.number(result.fresh.radiusFound, decimals: 2)
            json.key("operations"); json.beginObject()
            for row in Self.rows {
                let timings = row.timings(result)
                json.key(row.key); json.beginObject()
                json.key("target_median_ns"); json.number(row.targetMedianNs, decimals: 0)
                json.key("median_ns"); json.number(timings.median, decimals: 1)
                json.key("p99_ns"); json.number(timings.p99, decimals: 1)
                json.key("samples"); json.integer(timings.samples.count)
                json.endObject()
            }
            json.endObject()
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.text
    }
}

func format0(_ value: Double) -> String { String(Int(value.rounded())) }

func format1(_ value: Double) -> String {
    guard value.isFinite else { return "-" }
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(Swift.abs(tenths % 10))"
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func leftPad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

func format3(_ value: Double) -> String {
    guard value.isFinite else { return "-" }
    var json = JSONWriter()
    json.number(value, decimals: 3)
    return json.text
}
