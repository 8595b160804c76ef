import SevaCore

/// The daemon's figures, gathered from the parts that own them into the one list STATS,
/// `/metrics` and the STATUS line are rendered from.
extension Engine {
    func statistics() -> [Statistic] {
        loop.preconditionInEventLoop()
        var list = StatisticsList()
        let counts = registry.statusCounts
        for status in WorkerStatus.allCases.sorted(by: { $0.rawValue < $1.rawValue }) {
            list.gauge(["workers", status.rawValue], counts[status], "workers", "Registered workers by status.",
                       labels: "status=\"\(status.rawValue)\"")
        }
        let fixes = registry.counters
        for (outcome, count) in [("accepted", fixes.accepted), ("older", fixes.older), ("suspect", fixes.suspect), ("future", fixes.future)] {
            list.counter(["fixes", outcome], count, "fixes_total", "Position fixes by what became of them.", labels: "outcome=\"\(outcome)\"")
        }
        let open = dispatcher.openCounts
        for state in JobState.allCases where state.isOpen {
            list.gauge(["jobs", state.rawValue], open[state] ?? 0, "jobs_open", "Open jobs by state.", labels: "state=\"\(state.rawValue)\"")
        }
        let dispatch = dispatcher.counters
        for (outcome, count) in [("sent", dispatch.offersSent), ("accepted", dispatch.offersAccepted), ("declined", dispatch.offersDeclined),
                                 ("expired", dispatch.offersExpired), ("withdrawn", dispatch.offersWithdrawn)] {
            list.counter(["offers", outcome], count, "offers_total", "Offers by outcome.", labels: "outcome=\"\(outcome)\"")
        }
        for (name, quantile) in [("p50", 0.5), ("p95", 0.95)] {
            guard let seconds = dispatch.timeToAssign(quantile) else {
                list.add(["time_to_assign_s", name], .null, nil)
                continue
            }
            list.add(["time_to_assign_s", name], .number(seconds, decimals: 3),
                     MetricSample(family: "time_to_assign_seconds", kind: .summary, help: "Seconds from booking to assignment, recent jobs.",
                                  labels: "quantile=\"\(quantile)\"", value: seconds))
        }
        let online = WorkerStatus.allCases.reduce(0) { $0 + ($1 == .offline ? 0 : counts[$1]) }
        let gini = dispatcher.workGini(online: online, now: now)
        list.add(["fairness", "gini_jobs_today"], gini.map { .number($0, decimals: 3) } ?? .null,
                 gini.map { MetricSample(family: "jobs_today_gini", kind: .gauge,
                                         help: "Gini coefficient of jobs completed today over the active workers (0 = even).", value: $0) })
        list.gauge(["fairness", "workers_with_jobs_today"], dispatcher.workersWithJobsToday(now: now),
                   "jobs_today_workers", "Workers who completed at least one job today.")
        list.counters(["unfilled_by_skill"], dispatch.unfilledBySkill, "unfilled_total", "Jobs no worker could be found for, by skill.",
                      label: "skill")
        list.counters(["unfilled_by_district"], dispatch.unfilledByDistrict, "unfilled_by_district_total",
                      "Jobs no worker could be found for, by district.", label: "district")
        list.gauge(["watched_jobs"], events.watchedJobs, "watched_jobs", "Jobs some connection WATCHes.")
        list.gauge(["subscribers"], events.subscriptions.count, "subscribers",
                   "Connections subscribed to the job feed (SUBSCRIBE jobs, GET /v1/events).")
        list.add(["refs", "filter_ready"], .flag(refLookups.filterReady),
                 MetricSample(family: "refs_filter_ready", kind: .gauge, help: "1 once the filter of booked refs is built.",
                              value: refLookups.filterReady ? 1 : 0))
        list.counter(["refs", "known_new"], refLookups.knownNew, "refs_total", "JOB NEW refs, by how they were found new or booked.",
                     labels: "found=\"in_filter\"")
        list.counter(["refs", "looked_up"], refLookups.lookedUp, "refs_total", "JOB NEW refs, by how they were found new or booked.",
                     labels: "found=\"in_store\"")
        addLoopLoad(to: &list)
        let statistics = store.statistics
        list.add(["store", "role"], .text(role.description),
                 MetricSample(family: "active", kind: .gauge, help: "1 while this sevad is the active one of its pair (always, on SQLite).",
                              value: role == .active ? 1 : 0))
        list.add(["store", "health"], .text(store.health.description),
                 MetricSample(family: "store_healthy", kind: .gauge, help: "1 when the store can commit.", value: store.health == .healthy ? 1 : 0))
        list.gauge(["store", "queue_depth"], statistics.queueDepth, "store_queue_depth", "Writes waiting for the store.")
        list.counter(["store", "positions_written"], positionsWritten, "store_positions_written_total",
                     "Worker positions the periodic snapshot has committed.")
        list.milliseconds(["store", "last_commit_ms"], statistics.lastCommitMs, "store_last_commit_seconds", "How long the last commit took.")
        list.milliseconds(["store", "max_commit_ms"], statistics.commits.maxMs, "store_max_commit_seconds",
                          "The longest a commit took, since start.")
        list.durations(["store"], statistics.commits, count: "commits", sum: "total_commit_ms", buckets: "commits_by_ms",
                       "store_commit_seconds", "How long each group commit took, BEGIN to COMMIT returning.")
        list.durations(["store"], statistics.queueWaits, count: "writes_committed", sum: "total_queue_wait_ms",
                       buckets: "queue_wait_by_ms", "store_queue_wait_seconds",
                       "How long each committed write waited in the queue for its group commit to begin.")
        addConnections(to: &list)
        list.gauge(["tokens"], tokens.count, "tokens", "Live tokens.")
        list.add(["skills"], .names(catalogue.names), nil)
        let uptime = now - startedAt
        list.add(["uptime_s"], .integer(Int(uptime)), MetricSample(family: "uptime_seconds", kind: .gauge, help: "Seconds since start.", value: uptime))
        return list.items
    }

    /// How long work held the engine loop: STATS's bucket counts, the metric's cumulative histogram.
    private func addLoopLoad(to list: inout StatisticsList) {
        list.durations(["engine"], loopLoad.holds, count: "batches", sum: "total_batch_ms", buckets: "batches_by_ms",
                       "engine_batch_seconds", "How long each piece of work held the engine loop.")
        list.durations(["engine"], loopLoad.waits, count: "handovers", sum: "total_queue_wait_ms", buckets: "queue_wait_by_ms",
                       "engine_queue_wait_seconds",
                       "How long a connection's batch or a commit's completions waited in the engine loop's queue before running.")
        list.milliseconds(["engine", "max_batch_ms"], loopLoad.holds.maxMs, "engine_max_batch_seconds", "The longest the engine loop was held, since start.")
        list.milliseconds(["engine", "recent_max_batch_ms"], loopLoad.recentMaxMs, "engine_recent_max_batch_seconds",
                          "The longest the engine loop was held in the last 10 to 20 s.")
        list.milliseconds(["engine", "max_batch_cpu_ms"], loopLoad.maxCPUMs, "engine_max_batch_cpu_seconds",
                          "The most CPU time one piece of work on the engine loop took, since start.")
        list.milliseconds(["engine", "recent_max_batch_cpu_ms"], loopLoad.recentMaxCPUMs, "engine_recent_max_batch_cpu_seconds",
                          "The most CPU time one piece of work on the engine loop took in the last 10 to 20 s.")
        for (index, work) in LoopLoad.Work.allCases.enumerated() {
            list.add(["engine", "max_batch_ms_by_work", work.rawValue], .number(loopLoad.maxByWorkMs[index], decimals: 3),
                     MetricSample(family: "engine_max_batch_by_work_seconds", kind: .gauge,
                                  help: "The longest the engine loop was held by each kind of work, since start.",
                                  labels: "work=\"\(work.rawValue)\"", value: loopLoad.maxByWorkMs[index] / 1000))
        }
        for (index, work) in LoopLoad.Work.allCases.enumerated() {
            list.add(["engine", "max_batch_cpu_ms_by_work", work.rawValue], .number(loopLoad.maxCPUByWorkMs[index], decimals: 3),
                     MetricSample(family: "engine_max_batch_cpu_by_work_seconds", kind: .gauge,
                                  help: "The most CPU time one piece of each kind of work on the engine loop took, since start.",
                                  labels: "work=\"\(work.rawValue)\"", value: loopLoad.maxCPUByWorkMs[index] / 1000))
        }
    }

    private func addConnections(to list: inout StatisticsList) {
        let connections = self.connections.current
        list.gauge(["connections", "open"], connections.open, "connections_open", "Open client connections.")
        list.counter(["connections", "refused"], connections.refused, "connections_refused_total", "Connections refused at server.max_connections.")
        list.counter(["connections", "paused_reads"], connections.pausedReads, "connections_input_paused_total",
                     "Times reading stopped for a connection's unanswered requests (server.max_inflight).")
        list.counter(["connections", "paused_output"], connections.pausedOutputs, "connections_output_paused_total",
                     "Times reading stopped until a connection's output drained.")
        let closed = "Connections closed for their output, by reason."
        list.counter(["connections", "closed_output_stalled"], connections.closedStalled, "connections_output_closed_total", closed,
                     labels: "reason=\"stalled\"")
        list.counter(["connections", "closed_output_hard_limit"], connections.closedOverHardLimit, "connections_output_closed_total", closed,
                     labels: "reason=\"hard_limit\"")
        let addresses = self.addresses?.current ?? AddressGuard.Counts()
        list.gauge(["connections", "addresses_tracked"], addresses.tracked, "addresses_tracked", "Remote addresses with open connections or recent failures.")
        let refused = "TCP/TLS connections refused by the per-address limits, by limit."
        list.counter(["connections", "refused_per_address"], addresses.refusedPerAddress, "connections_refused_by_address_total", refused,
                     labels: "limit=\"per_address\"")
        list.counter(["connections", "refused_rate"], addresses.refusedRate, "connections_refused_by_address_total", refused,
                     labels: "limit=\"rate\"")
        list.counter(["connections", "auth_failed"], addresses.authFailed, "auth_failures_total", "Failed AUTHs on TCP and TLS.")
        list.counter(["connections", "auth_failures_delayed"], addresses.authDelayed, "auth_failures_delayed_total",
                     "Failed AUTHs whose answer waited out the address's back-off.")
    }
}
