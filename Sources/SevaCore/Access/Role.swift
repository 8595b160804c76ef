/// The roles of DESIGN.md §2: what a token (or the admin socket) may do. One type from the
/// wire (`TOKEN ISSUE role`) to the store's `tokens.role` column.
public enum Role: String, Sendable, CaseIterable {
    case admin, booker, worker, gateway, viewer
}
