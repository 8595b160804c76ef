import SevaCore
import SevaWire

/// Where a booking or a worker's home is when no GPS says so: a PIN code's centroid or a
/// district's centre from the gazetteer, with `[districts]` from the configuration over it
/// (DESIGN.md §9). Built from the configuration, rebuilt when it is reloaded.
struct PlaceFinder {
    /// Where a job goes, how it was found, and the district to record.
    struct JobPlace: Equatable {
        var point: GeoPoint
        var placed: Placement
        var district: String
    }

    let gazetteer: Gazetteer
    /// `[districts]`, keyed by `PlaceName.key` of the configured name.
    private let configured: [String: (name: String, centre: GeoPoint)]
    private let homeState: String

    init(gazetteer: Gazetteer = .india, districts: [String: GeoPoint], homeState: String) {
        self.gazetteer = gazetteer
        var configured: [String: (name: String, centre: GeoPoint)] = [:]
        for (name, centre) in districts { configured[PlaceName.key(name)] = (name, centre) }
        self.configured = configured
        self.homeState = homeState
    }

    /// JOB NEW's place: GPS when given, else the PIN code's centroid, else the district's centre.
    func place(_ fields: JobFields) -> Result<JobPlace, WireError> {
        if let point = fields.point {
            var district = fields.district
            if district.isEmpty, let pincode = fields.pincode, let place = gazetteer.place(of: pincode) { district = place.district.name }
            return .success(JobPlace(point: point, placed: .gps, district: district))
        }
        if let pincode = fields.pincode {
            return self.pincode(pincode).map { place in
                JobPlace(point: place.centre, placed: .pincode, district: fields.district.isEmpty ? place.district.name : fields.district)
            }
        }
        return district(fields.district, state: fields.state).map { JobPlace(point: $0.centre, placed: .district, district: $0.name) }
    }

    /// A PIN code India Post has, or BADARG naming it.
    func pincode(_ pincode: PinCode) -> Result<Gazetteer.PinPlace, WireError> {
        guard let place = gazetteer.place(of: pincode) else {
            return .failure(.badArgument("pincode", "no PIN code \(pincode) in India Post's directory"))
        }
        return .success(place)
    }

    /// A district by name (a configured centre first), or BADARG saying why not.
    func district(_ name: String, state: String?) -> Result<(name: String, centre: GeoPoint), WireError> {
        if state == nil, let own = configured[PlaceName.key(name)] { return .success(own) }
        switch gazetteer.district(named: name, state: state, homeState: homeState.isEmpty ? nil : homeState) {
        case .found(let district): return .success((district.name, district.centre))
        case .unknown:
            let within = state.map { " in \($0)" } ?? ""
            return .failure(.badArgument("district", "no district '\(name)'\(within) in India Post's directory or [districts]"))
        case .ambiguous(let districts):
            let states = districts.map(\.state).joined(separator: " and ")
            return .failure(.badArgument("state", "'\(name)' is a district in \(states); say which with state="))
        }
    }
}
