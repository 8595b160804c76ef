import SevaCore
import SevaStore

/// What one dispatch step writes to the store, folded from its changes: each job's row once,
/// as it ends the step (inserted when the step booked it), then every event in seq order, then
/// the availabilities dispatch set and the ratings given. An auto-mode booking is one insert and two events, not two
/// writes of the row. Built on the engine loop, applied on the store's writer thread.
struct JobWrites: Sendable {
    /// Each job touched, in the order first touched, as it ends the step.
    private(set) var rows: [(job: Job, created: Bool)] = []
    private(set) var events: [JobEvent] = []
    private(set) var availabilities: [(worker: String, availability: Availability)] = []
    /// Stars to add to workers' ratings.
    private(set) var ratings: [(worker: String, stars: Int)] = []
    /// When the availabilities changed.
    let at: Double

    init(_ changes: [DispatchChange], at: Double) {
        self.at = at
        var slot: [Int64: Int] = [:]
        for change in changes {
            switch change {
            case .created(let job, let event), .transition(let job, let event):
                var created = false
                if case .created = change { created = true }
                if let index = slot[job.id] {
                    rows[index].job = job
                } else {
                    slot[job.id] = rows.count
                    rows.append((job, created))
                }
                events.append(event)
            case .availability(let worker, let state):
                availabilities.append((worker, state))
            case .rated(let event, let worker, let stars):
                events.append(event)
                ratings.append((worker, stars))
            }
        }
    }

    var isEmpty: Bool { rows.isEmpty && events.isEmpty && availabilities.isEmpty && ratings.isEmpty }

    func apply(to transaction: StoreTransaction) throws {
        for (job, created) in rows {
            if created { try transaction.insertJob(job) } else { try transaction.updateJob(job) }
        }
        for event in events { try transaction.appendEvent(event) }
        for (worker, state) in availabilities { try transaction.setAvailability(worker: worker, state, at: at) }
        for (worker, stars) in ratings { try transaction.addRating(worker: worker, stars: stars) }
    }
}
