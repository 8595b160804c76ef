import SevaWire

/// Prints runs as a table (one column per run, a ratio column when two are compared) or as
/// one JSON document.
enum Report {
    /// One row of the table: a label and how to read the figure off a run.
    private struct Row: Sendable {
        let label: String
        let value: @Sendable (RunResult) -> Double?
        let format: @Sendable (Double) -> String
    }

    private static func percent(_ value: Double) -> String { JSONWriter.decimal(value * 100, places: 1) + " %" }
    private static func seconds(_ value: Double) -> String { JSONWriter.decimal(value, places: 2) + " s" }
    private static func metres(_ value: Double) -> String { String(Int(value.rounded())) + " m" }
    private static func plain(_ places: Int) -> @Sendable (Double) -> String { { JSONWriter.decimal($0, places: places) } }
    private static func milliseconds(_ value: Double) -> String { JSONWriter.decimal(value * 1_000, places: 2) + " ms" }

    private static let rows: [Row] = [
        Row(label: "bookings", value: { Double($0.booked) }, format: plain(0)),
        Row(label: "assigned", value: { Double($0.assigned) }, format: plain(0)),
        Row(label: "completed", value: { Double($0.completed) }, format: plain(0)),
        Row(label: "cancelled by customers", value: { Double($0.cancelled) }, format: plain(0)),
        Row(label: "unfilled", value: { Double($0.unfilled) }, format: plain(0)),
        Row(label: "open or scheduled at the end", value: { Double($0.openAtEnd) }, format: plain(0)),
        Row(label: "fill rate", value: { $0.fillRate }, format: percent),
        Row(label: "time to assign p50", value: { Summary.quantile($0.timesToAssign, 0.5) }, format: seconds),
        Row(label: "time to assign p95", value: { Summary.quantile($0.timesToAssign, 0.95) }, format: seconds),
        Row(label: "pickup distance mean", value: { Summary.mean($0.pickupMetres) }, format: metres),
        Row(label: "pickup distance p95", value: { Summary.quantile($0.pickupMetres, 0.95) }, format: metres),
        Row(label: "offers per job", value: { $0.offersPerJob }, format: plain(2)),
        Row(label: "jobs per worker mean", value: { Summary.mean($0.jobsPerWorker) }, format: plain(2)),
        Row(label: "jobs per worker max", value: { $0.jobsPerWorker.max() }, format: plain(0)),
        Row(label: "Gini of jobs per worker", value: { $0.gini }, format: plain(3)),
        Row(label: "worker idle share", value: { $0.idleShare }, format: percent),
        Row(label: "LOC/s", value: { $0.pingsPerSecond }, format: plain(0)),
        Row(label: "command latency p50", value: { Summary.quantile($0.latencies, 0.5) }, format: milliseconds),
        Row(label: "command latency p99", value: { Summary.quantile($0.latencies, 0.99) }, format: milliseconds),
        Row(label: "command latency p999", value: { Summary.quantile($0.latencies, 0.999) }, format: milliseconds),
    ]

    /// The figures a comparison of more than two runs shows as ratios to the first run.
    private static let ratioRows: Set<String> = ["fill rate", "time to assign p95", "pickup distance mean", "Gini of jobs per worker"]

    static func table(_ runs: [RunResult]) -> String {
        guard let first = runs.first else { return "" }
        var header = ["", ] + runs.map(\.policy)
        if runs.count == 2 { header.append("\(runs[1].policy) / \(runs[0].policy)") }
        var lines = [header]
        for row in rows {
            var cells = [row.label] + runs.map { row.value($0).map(row.format) ?? "–" }
            if runs.count == 2 {
                if let a = row.value(runs[0]), let b = row.value(runs[1]), a != 0 {
                    cells.append(JSONWriter.decimal(b / a, places: 2) + "×")
                } else {
                    cells.append("–")
                }
            }
            lines.append(cells)
        }
        for (index, optimum) in first.optima.enumerated() {
            let window = JSONWriter.decimal(optimum.windowSeconds, places: 0)
            let optimal = runs.map { $0.optima[index] }
            lines.append(["pickup mean, optimal matching over \(window) s"] + optimal.map { $0.optimalMean.map(metres) ?? "–" }
                          + (runs.count == 2 ? [""] : []))
            lines.append(["  policy on the same \(window) s jobs / optimal"]
                          + optimal.map { $0.ratio.map { JSONWriter.decimal($0, places: 2) + "×" } ?? "–" } + (runs.count == 2 ? [""] : []))
        }
        if runs.count > 2 {
            for row in rows where ratioRows.contains(row.label) {
                lines.append(["\(row.label) / \(first.policy)"] + runs.map { run in
                    guard let a = row.value(first), let b = row.value(run), a != 0 else { return "–" }
                    return JSONWriter.decimal(b / a, places: 2) + "×"
                })
            }
        }
        var skills = Set<String>()
        for run in runs { skills.formUnion(run.unfilledBySkill.keys) }
        for skill in skills.sorted() {
            lines.append(["  unfilled \(skill)"] + runs.map { String($0.unfilledBySkill[skill] ?? 0) } + (runs.count == 2 ? [""] : []))
        }
        var errors = Set<String>()
        for run in runs { errors.formUnion(run.errors.keys) }
        for key in errors.sorted() {
            lines.append(["  \(key)"] + runs.map { String($0.errors[key] ?? 0) } + (runs.count == 2 ? [""] : []))
        }
        let widths = (0..<header.count).map { column in lines.map { $0[column].count }.max() ?? 0 }
        var text = "\(first.district.name), \(first.district.state), \(first.workers) workers, seed \(first.seed), \(Int(first.durationSeconds)) s of bookings at \(Int(first.timeScale))× "
            + "simulated time, \(Int(first.utilisation * 100)) % target utilisation (plan \(first.planDigest), \(first.plannedBookings) bookings)\n"
        for (number, cells) in lines.enumerated() {
            let padded = cells.enumerated().map { column, cell in
                column == 0 ? cell.padding(to: widths[0]) : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            text += padded.joined(separator: "   ") + "\n"
            if number == 0 { text += widths.map { String(repeating: "─", count: $0) }.joined(separator: "   ") + "\n" }
        }
        return text
    }

    static func json(_ runs: [RunResult], files: [String: String]) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.key("runs"); json.beginArray()
        for run in runs { write(run, into: &json) }
        json.endArray()
        if let first = runs.first, runs.count >= 2 {
            // Each run's figures against the first's; with two runs, "ratios" is the second's.
            json.key("ratios"); json.beginObject()
            for run in runs.dropFirst() where runs.count > 2 {
                json.key(run.policy); ratios(run, first, &json)
            }
            if runs.count == 2 {
                ratioFields(runs[1], first, &json)
            }
            json.endObject()
        }
        json.key("files"); json.beginObject()
        for (name, path) in files.sorted(by: { $0.key < $1.key }) { json.key(name); json.string(path) }
        json.endObject()
        json.endObject()
        return json.text
    }

    private static func ratios(_ run: RunResult, _ first: RunResult, _ json: inout JSONWriter) {
        json.beginObject()
        ratioFields(run, first, &json)
        json.endObject()
    }

    private static func ratioFields(_ run: RunResult, _ first: RunResult, _ json: inout JSONWriter) {
        ratio("pickup_mean", { Summary.mean($0.pickupMetres) }, run, first, &json)
        ratio("gini", { $0.gini }, run, first, &json)
        ratio("fill_rate", { $0.fillRate }, run, first, &json)
        ratio("time_to_assign_p95", { Summary.quantile($0.timesToAssign, 0.95) }, run, first, &json)
    }

    private static func ratio(_ name: String, _ value: (RunResult) -> Double?, _ run: RunResult, _ first: RunResult,
                              _ json: inout JSONWriter) {
        json.key(name)
        if let a = value(first), let b = value(run), a != 0 { json.number(b / a, decimals: 3) } else { json.null() }
    }

    private static func optional(_ value: Double?, _ places: Int, _ json: inout JSONWriter) {
        if let value { json.number(value, decimals: places) } else { json.null() }
    }

    private static func write(_ run: RunResult, into json: inout JSONWriter) {
        json.beginObject()
        json.key("policy"); json.string(run.policy)
        json.key("seed"); json.integer(Int(truncatingIfNeeded: run.seed))
        json.key("district"); json.string(run.district.name)
        json.key("state"); json.string(run.district.state)
        json.key("workers"); json.integer(run.workers)
        json.key("duration_s"); json.number(run.durationSeconds, decimals: 1)
        json.key("elapsed_s"); json.number(run.elapsedSeconds, decimals: 1)
        json.key("time_scale"); json.number(run.timeScale, decimals: 1)
        json.key("utilisation"); json.number(run.utilisation, decimals: 2)
        json.key("plan"); json.beginObject()
        json.key("digest"); json.string(run.planDigest)
        json.key("bookings"); json.integer(run.plannedBookings)
        json.endObject()
        json.key("jobs"); json.beginObject()
        json.key("booked"); json.integer(run.booked)
        json.key("rejected"); json.integer(run.rejectedBookings)
        json.key("assigned"); json.integer(run.assigned)
        json.key("completed"); json.integer(run.completed)
        json.key("cancelled"); json.integer(run.cancelled)
        json.key("unfilled"); json.integer(run.unfilled)
        json.key("open_at_end"); json.integer(run.openAtEnd)
        json.endObject()
        json.key("fill_rate"); optional(run.fillRate, 4, &json)
        json.key("time_to_assign_s"); json.beginObject()
        json.key("p50"); optional(Summary.quantile(run.timesToAssign, 0.5), 3, &json)
        json.key("p95"); optional(Summary.quantile(run.timesToAssign, 0.95), 3, &json)
        json.endObject()
        json.key("pickup_m"); json.beginObject()
        json.key("mean"); optional(Summary.mean(run.pickupMetres), 1, &json)
        json.key("p95"); optional(Summary.quantile(run.pickupMetres, 0.95), 1, &json)
        json.endObject()
        json.key("optimum"); json.beginArray()
        for optimum in run.optima {
            json.beginObject()
            json.key("window_s"); json.number(optimum.windowSeconds)
            json.key("jobs"); json.integer(optimum.jobs)
            json.key("policy_pickup_mean_m"); optional(optimum.policyMean, 1, &json)
            json.key("optimal_pickup_mean_m"); optional(optimum.optimalMean, 1, &json)
            json.key("policy_over_optimal"); optional(optimum.ratio, 3, &json)
            json.endObject()
        }
        json.endArray()
        json.key("offers_per_job"); optional(run.offersPerJob, 3, &json)
        json.key("offers"); json.integer(run.jobs.reduce(0) { $0 + $1.offers })
        json.key("unfilled_by_skill"); json.beginObject()
        for (skill, count) in run.unfilledBySkill.sorted(by: { $0.key < $1.key }) { json.key(skill); json.integer(count) }
        json.endObject()
        json.key("jobs_per_worker"); json.beginObject()
        json.key("workers"); json.integer(run.jobsPerWorker.count)
        json.key("mean"); optional(Summary.mean(run.jobsPerWorker), 3, &json)
        json.key("max"); optional(run.jobsPerWorker.max(), 0, &json)
        json.key("gini"); optional(run.gini, 4, &json)
        json.endObject()
        json.key("idle_share"); optional(run.idleShare, 4, &json)
        json.key("loc_per_s"); json.number(run.pingsPerSecond, decimals: 1)
        json.key("pings"); json.integer(run.pings)
        json.key("latency_ms"); json.beginObject()
        for (name, values) in [("all", run.latencies)] + run.latencyByKind.map({ ($0.0.label, $0.1) }) where !values.isEmpty {
            json.key(name); json.beginObject()
            json.key("count"); json.integer(values.count)
            json.key("p50"); optional(Summary.quantile(values, 0.5).map { $0 * 1_000 }, 3, &json)
            json.key("p99"); optional(Summary.quantile(values, 0.99).map { $0 * 1_000 }, 3, &json)
            json.key("p999"); optional(Summary.quantile(values, 0.999).map { $0 * 1_000 }, 3, &json)
            json.endObject()
        }
        json.endObject()
        json.key("errors"); json.beginObject()
        for (key, count) in run.errors.sorted(by: { $0.key < $1.key }) {
            json.key(key); json.beginObject()
            json.key("count"); json.integer(count)
            json.key("first"); json.string(run.errorExamples[key] ?? "")
            json.endObject()
        }
        json.endObject()
        json.key("last_seq"); json.integer(Int(run.lastSeq))
        json.key("daemon_stats"); json.rawValue(run.daemonStats)
        json.endObject()
    }
}

extension String {
    /// Pads with spaces on the right to `width` characters.
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
