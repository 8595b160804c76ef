import SevaStore
import SevaWire

/// Prints store results as a table and writes them as JSON.
struct StoreReport {
    let result: StoreBenchmark.Result
    let options: StoreBenchmark.Options

    func meanBatch(_ statistics: StoreStatistics) -> Double {
        statistics.batches == 0 ? 0 : Double(statistics.operations) / Double(statistics.batches)
    }

    func table() -> String {
        var out = "store figure                                         value            target    note\n"
        out += String(repeating: "-", count: 104) + "\n"
        out += pad("disk fsync latency (4 KiB write + fdatasync)", 50)
            + leftPad(format1(result.fsync.median / 1e3) + " µs", 12) + leftPad("", 14)
            + "    p99 " + format1(result.fsync.p99 / 1e3) + " µs\n"
        for run in result.throughput {
            let backend = run.placement.map { "\(run.backend.displayName)+\($0)" } ?? run.backend.displayName
            let label = "\(backend) transitions/s, \(options.submitters)×\(run.window), sync=\(run.synchronous.rawValue)"
            let target = run.backend == .sqlite && run.synchronous == .full && run.window == options.window ? "≥ 50000/s" : "report"
            out += pad(label, 50) + leftPad(format0(run.operationsPerSecond), 12) + leftPad(target, 14)
                + "    mean batch " + format1(meanBatch(run.statistics)) + ", largest " + String(run.statistics.largestBatch)
                + ", " + String(run.statistics.batches) + " commits\n"
            let latencyTarget = run.backend == .sqlite && run.synchronous == .full && run.window > 1 ? "≤ 5 / 20 ms" : "report"
            out += pad("  submit→completion p50 / p99", 50)
                + leftPad(format1(run.latency.median / 1e6) + " / " + format1(run.latency.p99 / 1e6) + " ms", 12)
                + leftPad(latencyTarget, 14) + "\n"
        }
        out += pad("start-up load: \(result.loadedWorkers) workers + \(result.loadedJobs) open jobs", 50)
            + leftPad(format1(result.loadSeconds * 1000) + " ms", 12) + leftPad("≤ 1000 ms", 14)
            + "    open, migrate check, read into values\n"
        out += pad("bytes on disk per job with 6 events", 50) + leftPad(format0(result.bytesPerJob) + " B", 12)
            + leftPad("report", 14) + "    after checkpoint; offer event carries 3 candidates\n"
        out += "\nbatch sizes (sync=full, window \(options.window)): "
        out += batchHistogram(result.throughput[0].statistics) + "\n"
        return out
    }

    func batchHistogram(_ statistics: StoreStatistics) -> String {
        statistics.batchSizes.enumerated().compactMap { bucket, count in
            count == 0 ? nil : "\(1 << bucket)–\((1 << (bucket + 1)) - 1): \(count)"
        }.joined(separator: ", ")
    }

    func json() -> String {
        var json = JSONWriter()
        json.beginObject()
        json.key("benchmark"); json.string("store")
        json.key("submitters"); json.integer(options.submitters)
        json.key("fsync_us"); json.beginObject()
        json.key("median"); json.number(result.fsync.median / 1e3, decimals: 1)
        json.key("p99"); json.number(result.fsync.p99 / 1e3, decimals: 1)
        json.endObject()
        json.key("throughput"); json.beginArray()
        for run in result.throughput {
            json.beginObject()
            json.key("backend"); json.string(run.backend.rawValue)
            json.key("synchronous"); json.string(run.synchronous.rawValue)
            if let placement = run.placement { json.key("placement"); json.string(placement) }
            json.key("in_flight_per_submitter"); json.integer(run.window)
            json.key("transitions_per_s"); json.number(run.operationsPerSecond, decimals: 0)
            json.key("latency_p50_ms"); json.number(run.latency.median / 1e6, decimals: 3)
            json.key("latency_p99_ms"); json.number(run.latency.p99 / 1e6, decimals: 3)
            json.key("commits"); json.integer(run.statistics.batches)
            json.key("mean_batch"); json.number(meanBatch(run.statistics), decimals: 1)
            json.key("largest_batch"); json.integer(run.statistics.largestBatch)
            json.key("batch_size_histogram"); json.beginArray()
            for count in run.statistics.batchSizes { json.integer(count) }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        json.key("startup_load_ms"); json.number(result.loadSeconds * 1000, decimals: 1)
        json.key("startup_workers"); json.integer(result.loadedWorkers)
        json.key("startup_open_jobs"); json.integer(result.loadedJobs)
        json.key("bytes_per_job_6_events"); json.number(result.bytesPerJob, decimals: 0)
        json.endObject()
        return json.text
    }
}
