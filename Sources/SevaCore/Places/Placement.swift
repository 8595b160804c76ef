/// How a job's point was found (DESIGN.md §2 JOB NEW): from the booker's GPS, at the centroid
/// of a PIN code's post offices, or at a district's centre. The worker of a job not placed by
/// GPS knows to phone the customer for directions.
public enum Placement: String, Sendable, CaseIterable {
    case gps, pincode, district
}
