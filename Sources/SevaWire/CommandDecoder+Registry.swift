import SevaCore

/// WORKER and TOKEN: the registry commands of the admin role.
extension CommandDecoder {
    static let workerUsage = "WORKER ADD|SET|GET|DEL|LIST ..."
    static let workerKeys = ["skills", "name", "phone", "district", "pincode", "verified", "radius_km"]

    static func decodeWorker(_ line: RequestLine) throws(WireError) -> Command {
        switch subverb(line) {
        case "add":
            var arguments = try ArgumentReader(line, command: "WORKER ADD <id> skills=<s1,s2> [name=] [phone=] [district=] [pincode=] [verified=yes|no] [radius_km=]", skip: 1)
            let id = try ArgumentReader.workerID(try arguments.next("id"), "id")
            let fields = try workerFields(&arguments)
            guard fields.skills != nil else { throw .badArgument("skills", "required, e.g. skills=plumber,mason") }
            try arguments.finish(allowedKeys: workerKeys)
            return .workerAdd(id: id, fields)
        case "set":
            var arguments = try ArgumentReader(line, command: "WORKER SET <id> key=value...", skip: 1)
            let id = try ArgumentReader.workerID(try arguments.next("id"), "id")
            let fields = try workerFields(&arguments)
            try arguments.finish(allowedKeys: workerKeys)
            guard fields != WorkerFields() else { throw .badArgument("key=value", "give at least one field to change") }
            return .workerSet(id: id, fields)
        case "get":
            var arguments = try ArgumentReader(line, command: "WORKER GET <id>", skip: 1)
            let id = try ArgumentReader.workerID(try arguments.next("id"), "id")
            try arguments.finish()
            return .workerGet(id: id)
        case "del":
            var arguments = try ArgumentReader(line, command: "WORKER DEL <id>", skip: 1)
            let id = try ArgumentReader.workerID(try arguments.next("id"), "id")
            try arguments.finish()
            return .workerDelete(id: id)
        case "list":
            var arguments = try ArgumentReader(line, command: "WORKER LIST [skill=] [status=] [district=] [limit=] [after=<id>]", skip: 1)
            var filter = WorkerFilter()
            filter.skill = try arguments.take("skill").map { text throws(WireError) in try skillName(text, "skill") }
            filter.status = try arguments.take("status").map { text throws(WireError) in
                guard WorkerStatus(rawValue: text) != nil else {
                    throw .badArgument("status", "must be one of \(WorkerStatus.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return text
            }
            filter.district = arguments.take("district")
            filter.limit = try arguments.integer("limit", in: 1...10_000)
            filter.after = try arguments.take("after").map { text throws(WireError) in try ArgumentReader.workerID(text, "after") }
            try arguments.finish(allowedKeys: ["skill", "status", "district", "limit", "after"])
            return .workerList(filter)
        default:
            throw .badArgument("subcommand", "usage: \(workerUsage)")
        }
    }

    static func decodeToken(_ line: RequestLine) throws(WireError) -> Command {
        switch subverb(line) {
        case "issue":
            var arguments = try ArgumentReader(
                line, command: "TOKEN ISSUE <role> [worker=<id>] [client=<name>] [label=] [ttl_days=]", skip: 1)
            let roleText = try arguments.next("role").lowercased()
            guard let role = Role(rawValue: roleText) else {
                throw .badArgument("role", "must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var grant = TokenGrant(role: role)
            grant.worker = try arguments.take("worker").map { text throws(WireError) in try ArgumentReader.workerID(text) }
            grant.client = try arguments.take("client").map { text throws(WireError) in try ArgumentReader.workerID(text, "client") }
            grant.label = arguments.take("label")
            grant.ttlDays = try arguments.number("ttl_days", in: 0.000_001...3_650)
            try arguments.finish(allowedKeys: ["worker", "client", "label", "ttl_days"])
            if role == .worker && grant.worker == nil { throw .badArgument("worker", "required for a worker token") }
            if role != .worker && grant.worker != nil { throw .badArgument("worker", "only a worker token is bound to a worker") }
            if role != .booker && grant.client != nil {
                throw .badArgument("client", "only a booker token belongs to a client (admins and viewers see every job)")
            }
            return .tokenIssue(grant)
        case "revoke", "rotate":
            let rotate = subverb(line) == "rotate"
            var arguments = try ArgumentReader(line, command: rotate ? "TOKEN ROTATE <prefix>" : "TOKEN REVOKE <prefix>", skip: 1)
            let prefix = try arguments.next("prefix")
            try arguments.finish()
            guard prefix.utf8.count >= 4 else { throw .badArgument("prefix", "give at least 4 characters of the token") }
            return rotate ? .tokenRotate(prefix: prefix) : .tokenRevoke(prefix: prefix)
        case "list":
            try ArgumentReader(line, command: "TOKEN LIST", skip: 1).finish()
            return .tokenList
        default:
            throw .badArgument("subcommand", "usage: TOKEN ISSUE|REVOKE|ROTATE|LIST ...")
        }
    }

    private static func workerFields(_ arguments: inout ArgumentReader) throws(WireError) -> WorkerFields {
        var fields = WorkerFields()
        if let skills = arguments.take("skills") {
            let names = skills.split(separator: ",", omittingEmptySubsequences: false)
            guard !names.isEmpty else { throw .badArgument("skills", "name at least one skill") }
            fields.skills = try names.map { name throws(WireError) in try skillName(String(name), "skills") }
        }
        fields.name = arguments.take("name")
        fields.phone = arguments.take("phone")
        fields.district = arguments.take("district")
        fields.pincode = try arguments.take("pincode").map { text throws(WireError) in try pinCode(text) }
        fields.verified = try arguments.flag("verified")
        fields.radiusKm = try arguments.number("radius_km", in: 0.1...500)
        return fields
    }

    /// A PIN code's form: six digits, the first 1-9 (whether India Post has it is the
    /// gazetteer's to say).
    static func pinCode(_ text: String) throws(WireError) -> PinCode {
        guard let pincode = PinCode(text) else {
            throw .badArgument("pincode", "'\(text)' is not a PIN code: six digits, the first 1-9, like 204101")
        }
        return pincode
    }

    /// A catalogue skill name's form: lower-case letters, digits and `_` (whether it is in the
    /// catalogue is the engine's to say).
    static func skillName(_ text: String, _ key: String) throws(WireError) -> String {
        let valid = (1...32).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_")
        }
        guard valid else { throw .badArgument(key, "skill names are lower-case, like plumber or ac_mechanic; got '\(text)'") }
        return text
    }
}
