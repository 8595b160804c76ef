import SevaClient
import SevaCore
import SevaWire

/// The households' side: bookings as the plan has them, and the few customers who cancel.
extension Simulation {
    func book(_ booking: PlannedBooking) {
        guard !halted else { return }
        var line = "JOB NEW skill=\(booking.skill)"
        if booking.viaHelpline {
            line += " district=\(LineArgument.quoted(scenario.district.name)) state=\(LineArgument.quoted(scenario.district.state))"
        } else {
            line += " lat=\(JSONWriter.decimal(booking.household.latitude)) lon=\(JSONWriter.decimal(booking.household.longitude))"
        }
        line += " address=\(LineArgument.quoted("House \(booking.index + 1), \(scenario.district.name)")) customer=\"Customer \(booking.index + 1)\" ref=\(booking.ref)"
        if let ahead = booking.scheduledAhead { line += " at=\(Int(Reactor.unixTime() + ahead))" }
        let sentAt = reactor.now
        let household = booking.viaHelpline ? scenario.district.centre : booking.household
        let idle = booking.scheduledAhead == nil ? idleCandidates(for: booking.skill, near: household) : nil
        bookingsSent += 1
        desk.send(line, kind: .booking, now: sentAt) { [unowned self] reply in
            guard reply.hasPrefix("OK"), let id = JSONField.value(reply, "id").flatMap({ Int64($0) }) else {
                bookingErrors.append(reply)
                return
            }
            jobOfBooking[booking.index] = id
            var record = ledger[id]
            record.booking = booking.index
            record.skill = booking.skill
            record.household = household
            record.idleCandidates = idle
            record.bookedAt = sentAt
            record.scheduled = booking.scheduledAhead != nil
            ledger[id] = record
            if let after = booking.cancelsAfter {
                reactor.after(after) { [unowned self] in cancel(id) }
            }
        }
    }

    /// The workers who could take a job for `skill` now — idle, verified, reliable, with the
    /// skill — and how far each stands from `point`, for the offline optimum.
    private func idleCandidates(for skill: String, near point: GeoPoint) -> [OptimalPickup.Candidate] {
        let now = reactor.now
        return agents.indices.compactMap { index in
            let agent = agents[index]
            guard agent.activity == .idle, agent.plan.verified, !agent.plan.unreliable, agent.plan.skills.contains(skill) else {
                return nil
            }
            return OptimalPickup.Candidate(worker: index, metres: GeoMath.distanceMetres(agent.route.position(at: now), point))
        }
    }

    private func cancel(_ id: Int64) {
        guard !halted, ledger[id].isOpen else { return }
        desk.send("JOB CANCEL \(id) reason=\"customer changed plans\"", kind: .booking, now: reactor.now)
    }
}
