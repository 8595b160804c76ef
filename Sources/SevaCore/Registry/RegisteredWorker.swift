/// A registered worker as it is kept across restarts: the profile, the worker's own last
/// availability choice, and when either last changed.
public struct RegisteredWorker: Sendable, Equatable {
    public var profile: WorkerProfile
    public var availability: Availability
    public var updatedAt: Double

    public init(_ profile: WorkerProfile, availability: Availability = .off, updatedAt: Double) {
        self.profile = profile
        self.availability = availability
        self.updatedAt = updatedAt
    }
}
