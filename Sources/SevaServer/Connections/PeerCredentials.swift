import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Who is on the other end of a Unix socket (SO_PEERCRED): root, the daemon's own user or a
/// member of `server.admin_group` is admin; anyone else must AUTH like a TCP client.
enum PeerCredentials {
    /// Linux's `struct ucred`, which Swift's Glibc module does not export.
    struct Credentials: Sendable {
        var pid: Int32
        var uid: UInt32
        var gid: UInt32
    }

    /// `SO_PEERCRED` on Linux.
    static let soPeerCredentials: Int32 = 17

    static func principal(of channel: any Channel, adminGroup: String) -> EventLoopFuture<Principal> {
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(.anonymous) }
        let future: EventLoopFuture<Credentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(soPeerCredentials))
        return future.map { credentials -> Principal in
            isAdmin(uid: credentials.uid, gid: credentials.gid, group: adminGroup) ? Principal(role: .admin) : Principal.anonymous
        }.recover { _ in Principal.anonymous }
    }

    static func isAdmin(uid: uid_t, gid: gid_t, group: String) -> Bool {
        // The daemon's own user can read its store anyway: a developer running sevad and
        // sevactl (or sevasim) by hand needs no group.
        if uid == 0 || uid == geteuid() { return true }
        guard let entry = getgrnam(group) else { return false }
        if entry.pointee.gr_gid == gid { return true }
        guard let user = getpwuid(uid), let name = user.pointee.pw_name else { return false }
        var member = entry.pointee.gr_mem
        while let current = member?.pointee {
            if strcmp(current, name) == 0 { return true }
            member = member?.advanced(by: 1)
        }
        return false
    }
}
