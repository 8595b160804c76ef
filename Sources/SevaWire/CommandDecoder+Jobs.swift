import SevaCore

/// JOB, the worker's job steps, WATCH, FEED and SUBSCRIBE (DESIGN.md §2).
extension CommandDecoder {
    static func decodeJob(_ line: RequestLine) throws(WireError) -> Command {
        switch subverb(line) {
        case "new":
            var arguments = try ArgumentReader(line, command: "JOB NEW skill=<s> (lat=<> lon=<> | pincode=<6 digits> | district=<name> [state=]) [address=] [customer=] [at=<unix s>] [ref=]", skip: 1)
            guard let skill = try arguments.take("skill").map({ text throws(WireError) in try skillName(text, "skill") }) else {
                throw .badArgument("skill", "required, e.g. skill=plumber")
            }
            var fields = JobFields(skill: skill)
            let latitude = try arguments.number("lat", in: -90...90)
            let longitude = try arguments.number("lon", in: -180...180)
            switch (latitude, longitude) {
            case let (lat?, lon?): fields.point = try? GeoPoint(latitude: lat, longitude: lon)
            case (nil, nil): break
            default: throw .badArgument(latitude == nil ? "lat" : "lon", "give lat and lon together, or neither and pincode= or district=")
            }
            fields.address = arguments.take("address") ?? ""
            fields.customer = arguments.take("customer") ?? ""
            fields.district = arguments.take("district") ?? ""
            fields.pincode = try arguments.take("pincode").map { text throws(WireError) in try pinCode(text) }
            fields.state = arguments.take("state")
            fields.at = try arguments.number("at", in: 0...1e11)
            fields.ref = try arguments.take("ref").map { text throws(WireError) in
                guard (1...128).contains(text.utf8.count) else { throw .badArgument("ref", "must be 1-128 bytes") }
                return text
            }
            try arguments.finish(allowedKeys: ["skill", "lat", "lon", "address", "customer", "district", "pincode", "state", "at", "ref"])
            if fields.point == nil && fields.district.isEmpty && fields.pincode == nil {
                throw .badArgument("pincode", "pincode= or district= is required without lat= and lon= (its centre is used)")
            }
            return .jobNew(fields)
        case "get":
            var arguments = try ArgumentReader(line, command: "JOB GET <id>", skip: 1)
            let id = try jobID(&arguments)
            try arguments.finish()
            return .jobGet(id: id)
        case "cancel":
            var arguments = try ArgumentReader(line, command: "JOB CANCEL <id> [reason=]", skip: 1)
            let id = try jobID(&arguments)
            let reason = arguments.take("reason")
            try arguments.finish(allowedKeys: ["reason"])
            return .jobCancel(id: id, reason: reason)
        case "rate":
            var arguments = try ArgumentReader(line, command: "JOB RATE <id> stars=<1-5> [comment=]", skip: 1)
            let id = try jobID(&arguments)
            guard let stars = try arguments.integer("stars", in: 1...5) else {
                throw .badArgument("stars", "required: a whole number from 1 to 5, e.g. stars=4")
            }
            let comment = try arguments.take("comment").map { text throws(WireError) in
                guard text.utf8.count <= 500 else { throw .badArgument("comment", "at most 500 bytes") }
                return text
            }
            try arguments.finish(allowedKeys: ["stars", "comment"])
            return .jobRate(id: id, stars: stars, comment: comment)
        case "list":
            var arguments = try ArgumentReader(line, command: "JOB LIST [state=] [skill=] [limit=] [after=<id>]", skip: 1)
            var filter = JobFilter()
            filter.state = try arguments.take("state").map { text throws(WireError) in
                guard JobState(rawValue: text) != nil else {
                    throw .badArgument("state", "must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return text
            }
            filter.skill = try arguments.take("skill").map { text throws(WireError) in try skillName(text, "skill") }
            filter.limit = try arguments.integer("limit", in: 1...10_000)
            filter.after = try arguments.integer("after", in: 0...Int.max).map(Int64.init)
            try arguments.finish(allowedKeys: ["state", "skill", "limit", "after"])
            return .jobList(filter)
        default:
            throw .badArgument("subcommand", "usage: JOB NEW|GET|CANCEL|RATE|LIST ...")
        }
    }

    /// `ACCEPT [<worker>] <job>` and the other steps; DECLINE takes `reason=`.
    static func decodeStep(_ step: JobStep, _ line: RequestLine) throws(WireError) -> Command {
        let usage = "\(step.rawValue) [<worker>] <job>" + (step == .decline ? " [reason=]" : "")
        var arguments = try ArgumentReader(line, command: usage)
        let worker = arguments.positionalCount >= 2 ? try ArgumentReader.workerID(try arguments.next("worker")) : nil
        let id = try jobID(&arguments)
        let reason = step == .decline ? arguments.take("reason") : nil
        try arguments.finish(allowedKeys: step == .decline ? ["reason"] : [])
        return .jobStep(step, worker: worker, job: id, reason: reason)
    }

    static func decodeWatch(_ line: RequestLine, watch: Bool) throws(WireError) -> Command {
        var arguments = try ArgumentReader(line, command: watch ? "WATCH <job>" : "UNWATCH <job>")
        let id = try jobID(&arguments)
        try arguments.finish()
        return watch ? .watch(job: id) : .unwatch(job: id)
    }

    static func decodeFeed(_ line: RequestLine) throws(WireError) -> Command {
        var arguments = try ArgumentReader(line, command: "FEED [since=<seq>] [limit=]")
        let since = try arguments.integer("since", in: 0...Int.max) ?? 0
        let limit = try arguments.integer("limit", in: 1...10_000)
        try arguments.finish(allowedKeys: ["since", "limit"])
        return .feed(since: Int64(since), limit: limit)
    }

    static func decodeSubscribe(_ line: RequestLine, subscribe: Bool) throws(WireError) -> Command {
        let usage = subscribe ? "SUBSCRIBE jobs [since=<seq>] [skill=] [district=]" : "UNSUBSCRIBE jobs"
        var arguments = try ArgumentReader(line, command: usage)
        guard try arguments.next("topic").lowercased() == "jobs" else { throw .badArgument("topic", "the only topic is jobs") }
        guard subscribe else {
            try arguments.finish()
            return .unsubscribe
        }
        var subscription = JobSubscription()
        subscription.since = try arguments.integer("since", in: 0...Int.max).map(Int64.init)
        subscription.skill = try arguments.take("skill").map { text throws(WireError) in try skillName(text, "skill") }
        subscription.district = arguments.take("district")
        try arguments.finish(allowedKeys: ["since", "skill", "district"])
        return .subscribe(subscription)
    }

    private static func jobID(_ arguments: inout ArgumentReader) throws(WireError) -> Int64 {
        let text = try arguments.next("job")
        guard let id = Int64(text), id > 0 else { throw .badArgument("job", "must be a job id (a positive whole number)") }
        return id
    }
}
