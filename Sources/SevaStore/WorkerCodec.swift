import SevaCore

/// How SevaCore's `RegisteredWorker` is kept in `workers`: skills by their catalogue names
/// (joined by commas — bits would change meaning with the catalogue), availability as an enum
/// column (an unknown one is an error naming the row), times as integer milliseconds.
enum WorkerCodec {
    /// The columns in the order `values` binds them and `registeredWorker` reads them.
    static let columns = "id, name, phone, skills, district, verified, radius_km, availability, rating_sum, rating_count, updated_ms, pincode"

    static func values(_ worker: RegisteredWorker, skills catalogue: SkillCatalogue) -> [DatabaseValue] {
        let profile = worker.profile
        return [
            .text(profile.id), .text(profile.name), .text(profile.phone),
            .text(catalogue.names(of: profile.skills).joined(separator: ",")), .text(profile.district),
            .integer(profile.verified ? 1 : 0), profile.radiusKm.databaseValue, .text(worker.availability.rawValue),
            .integer(Int64(profile.ratingSum)), .integer(Int64(profile.ratingCount)),
            .integer(StoreTime.milliseconds(worker.updatedAt)), profile.pincode.map { Int64($0.value) }.databaseValue,
        ]
    }
}

extension DatabaseStatement {
    /// A `workers` row as SevaCore's worker; skill names the catalogue no longer has are left out.
    func registeredWorker(skills catalogue: SkillCatalogue) throws(DatabaseError) -> RegisteredWorker {
        var decoded: [String: SkillSet] = [:]
        return try registeredWorker(skills: catalogue, decoded: &decoded)
    }

    /// The same, remembering each distinct skills column decoded: a register of a million
    /// workers has a few dozen, so a load splits and looks up each once.
    func registeredWorker(skills catalogue: SkillCatalogue, decoded: inout [String: SkillSet]) throws(DatabaseError)
        -> RegisteredWorker {
        let id = text(0)
        let names = text(3)
        let skills = decoded[names] ?? catalogue.knownSkills(names.split(separator: ","))
        if decoded.count < 4_096 { decoded[names] = skills }
        var profile = WorkerProfile(id: id, skills: skills)
        profile.name = text(1)
        profile.phone = text(2)
        profile.district = text(4)
        profile.verified = int64(5) != 0
        profile.radiusKm = optionalDouble(6)
        profile.ratingSum = int(8)
        profile.ratingCount = int(9)
        if let code = optionalInt64(11) {
            guard let pincode = PinCode(value: UInt32(clamping: code)) else {
                throw DatabaseError(extendedCode: 20, message: "workers row \(id): pincode \(code) is not a PIN code")
            }
            profile.pincode = pincode
        }
        return RegisteredWorker(profile, availability: try value(7, of: "workers", row: id), updatedAt: StoreTime.seconds(int64(10)))
    }
}
