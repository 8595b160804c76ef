/// One registered worker's standing data as the registry stores it: `WorkerProfile` packed
/// (district as a code, optional numbers as NaN or 0), 76 bytes. An empty `id` marks a free slot.
struct WorkerRecord: Sendable {
    var id: String
    var name: String
    var phone: String
    var skills: SkillSet
    var district: UInt32
    /// The home PIN code's number; 0 for none.
    var pincode: UInt32
    var ratingSum: UInt32
    var ratingCount: UInt32
    /// NaN when the worker did not say.
    var radiusKm: Float
    var verified: Bool

    static let free = WorkerRecord(id: "", name: "", phone: "", skills: SkillSet(), district: 0, pincode: 0, ratingSum: 0,
                                   ratingCount: 0, radiusKm: .nan, verified: false)

    var isFree: Bool { id.isEmpty }
}

/// What changes with every ping and every dispatch step, kept apart from the profile so the
/// hot path touches 24 bytes: the last fix's time and accuracy (NaN without one), the
/// worker's choice, what dispatch has them doing, and the status counted for STATS.
struct LiveState: Sendable {
    var fixTime: Double = .nan
    var accuracyMetres: Float = .nan
    var suspectFixes: UInt32 = 0
    var availability = Availability.off
    var engagement = Engagement.free
    /// The status this worker is counted under in `WorkerRegistry.statusCounts`.
    var counted = WorkerStatus.offline
    /// Fresh at the last refresh (so the staleness sweep knows whom to look at).
    var fresh = false
    /// Moved since the last `takeMovedPositions()`.
    var moved = false
    /// In the listing's id order already.
    var listed = false

    var lastFix: Double? { fixTime.isNaN ? nil : fixTime }
    var accuracy: Double? { accuracyMetres.isNaN ? nil : Double(accuracyMetres) }
}

/// District names, each stored once and referred to by a code (0 = none).
struct DistrictNames: Sendable {
    private(set) var names: [String] = [""]
    private var codes: [String: UInt32] = ["": 0]

    mutating func code(_ name: String) -> UInt32 {
        if let code = codes[name] { return code }
        let code = UInt32(names.count)
        names.append(name)
        codes[name] = code
        return code
    }

    func name(_ code: UInt32) -> String { names[Int(code)] }
}

/// The count of workers in each status, kept up to date as they change.
public struct StatusCounts: Sendable, Equatable {
    private var counts = [Int](repeating: 0, count: WorkerStatus.allCases.count)

    public subscript(status: WorkerStatus) -> Int {
        get { counts[status.ordinal] }
        set { counts[status.ordinal] = newValue }
    }
}

extension WorkerStatus {
    /// Position in `allCases`.
    var ordinal: Int {
        switch self {
        case .offline: 0
        case .available: 1
        case .offered: 2
        case .busy: 3
        case .break: 4
        }
    }
}

extension WorkerRecord {
    init(_ profile: WorkerProfile, districts: inout DistrictNames) {
        self.init(id: profile.id, name: profile.name, phone: profile.phone, skills: profile.skills,
                  district: districts.code(profile.district), pincode: profile.pincode?.value ?? 0,
                  ratingSum: UInt32(clamping: profile.ratingSum), ratingCount: UInt32(clamping: profile.ratingCount),
                  radiusKm: profile.radiusKm.map(Float.init) ?? .nan, verified: profile.verified)
    }

    func profile(districts: DistrictNames) -> WorkerProfile {
        var profile = WorkerProfile(id: id, skills: skills)
        profile.name = name
        profile.phone = phone
        profile.district = districts.name(district)
        profile.pincode = PinCode(value: pincode)
        profile.verified = verified
        profile.radiusKm = radiusKm.isNaN ? nil : Double(radiusKm)
        profile.ratingSum = Int(ratingSum)
        profile.ratingCount = Int(ratingCount)
        return profile
    }

    /// The mean rating, or nil before the first.
    var rating: Double? { ratingCount == 0 ? nil : Double(ratingSum) / Double(ratingCount) }
}
