import SevaCore

/// STATS as Prometheus text: the same counters and gauges, named `sevad_…`.
extension Engine {
    func metricsText() -> String {
        loop.preconditionInEventLoop()
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            text += "# HELP sevad_\(name) \(help)\n# TYPE sevad_\(name) \(type)\n"
            for sample in samples {
                let value = sample.value == sample.value.rounded() && abs(sample.value) < 1e15 ? String(Int(sample.value)) : String(sample.value)
                text += "sevad_\(name)\(sample.labels.isEmpty ? "" : "{\(sample.labels)}") \(value)\n"
            }
        }
        let counts = registry.statusCounts
        metric("workers", "gauge", "Registered workers by status.",
               WorkerStatus.allCases.map { ("status=\"\($0.rawValue)\"", Double(counts[$0])) })
        let fixes = registry.counters
        metric("fixes_total", "counter", "Position fixes by what became of them.", [
            ("outcome=\"accepted\"", Double(fixes.accepted)), ("outcome=\"older\"", Double(fixes.older)),
            ("outcome=\"suspect\"", Double(fixes.suspect)), ("outcome=\"future\"", Double(fixes.future)),
        ])
        let open = dispatcher.openCounts
        metric("jobs_open", "gauge", "Open jobs by state.",
               JobState.allCases.filter(\.isOpen).map { ("state=\"\($0.rawValue)\"", Double(open[$0] ?? 0)) })
        let dispatch = dispatcher.counters
        metric("offers_total", "counter", "Offers by outcome.", [
            ("outcome=\"sent\"", Double(dispatch.offersSent)), ("outcome=\"accepted\"", Double(dispatch.offersAccepted)),
            ("outcome=\"declined\"", Double(dispatch.offersDeclined)), ("outcome=\"expired\"", Double(dispatch.offersExpired)),
            ("outcome=\"withdrawn\"", Double(dispatch.offersWithdrawn)),
        ])
        metric("time_to_assign_seconds", "summary", "Seconds from booking to assignment, recent jobs.",
               [0.5, 0.95].compactMap { q in dispatch.timeToAssign(q).map { ("quantile=\"\(q)\"", $0) } })
        metric("unfilled_total", "counter", "Jobs no worker could be found for, by skill.",
               dispatch.unfilledBySkill.sorted { $0.key < $1.key }.map { ("skill=\"\($0.key)\"", Double($0.value)) })
        let statistics = store.statistics
        metric("store_queue_depth", "gauge", "Writes waiting for the store.", [("", Double(statistics.queueDepth))])
        metric("store_commits_total", "counter", "Store commits.", [("", Double(statistics.batches))])
        metric("store_last_commit_seconds", "gauge", "How long the last commit took.", [("", statistics.lastCommitMs / 1000)])
        metric("store_healthy", "gauge", "1 when the store can commit.", [("", store.health == .healthy ? 1 : 0)])
        let connections = self.connections.current
        metric("connections_open", "gauge", "Open client connections.", [("", Double(connections.open))])
        metric("connections_refused_total", "counter", "Connections refused at server.max_connections.",
               [("", Double(connections.refused))])
        metric("connections_output_paused_total", "counter", "Times reading stopped until a connection's output drained.",
               [("", Double(connections.pausedOutputs))])
        metric("connections_output_closed_total", "counter", "Connections closed for their output, by reason.", [
            ("reason=\"stalled\"", Double(connections.closedStalled)),
            ("reason=\"hard_limit\"", Double(connections.closedOverHardLimit)),
        ])
        let addresses = self.addresses?.current ?? AddressGuard.Counts()
        metric("auth_failures_total", "counter", "Failed AUTHs on TCP and TLS, and those whose answer waited out a back-off.", [
            ("answer=\"at_once\"", Double(addresses.authFailed - addresses.authDelayed)),
            ("answer=\"delayed\"", Double(addresses.authDelayed)),
        ])
        var cumulative = 0
        var buckets: [(labels: String, value: Double)] = []
        for (index, bound) in LoopLoad.bucketsMs.enumerated() {
            cumulative += loopLoad.counts[index]
            buckets.append(("le=\"\(bound / 1000)\"", Double(cumulative)))
        }
        buckets.append(("le=\"+Inf\"", Double(loopLoad.batches)))
        text += "# HELP sevad_engine_batch_seconds How long each piece of work held the engine loop.\n"
            + "# TYPE sevad_engine_batch_seconds histogram\n"
        for bucket in buckets { text += "sevad_engine_batch_seconds_bucket{\(bucket.labels)} \(Int(bucket.value))\n" }
        text += "sevad_engine_batch_seconds_sum \(loopLoad.totalMs / 1000)\nsevad_engine_batch_seconds_count \(loopLoad.batches)\n"
        metric("engine_max_batch_seconds", "gauge", "The longest the engine loop was held, since start.", [("", loopLoad.maxMs / 1000)])
        metric("uptime_seconds", "gauge", "Seconds since start.", [("", now - startedAt)])
        return text
    }
}
