import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// The listening sockets systemd passed in (socket activation: `LISTEN_FDS`,
/// `LISTEN_FDNAMES`), each told apart by what it is bound to.
public struct ListenSocket: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case tcp(host: String, port: Int)
        case unix(path: String)
        /// Anything else (a datagram socket, another family): not served.
        case other
    }

    public let descriptor: Int32
    /// `FileDescriptorName=` of the socket unit, or "unknown".
    public let name: String
    public let kind: Kind

    /// Takes the sockets passed to this process (and clears the variables, so a child does
    /// not take them too); empty when not socket-activated.
    public static func inherited() -> [ListenSocket] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        guard count > 0 else { return [] }
        defer {
            for index in 0..<Int(count) { free(names?[index]) }
            free(names)
        }
        return (0..<Int(count)).map { index in
            let descriptor = SD_LISTEN_FDS_START + Int32(index)
            let name = names?[index].map { pointer in
                String(decoding: UnsafeBufferPointer(start: pointer, count: strlen(pointer)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            } ?? "unknown"
            return ListenSocket(descriptor: descriptor, name: name, kind: kind(of: descriptor))
        }
    }

    private static func text(_ characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// What a socket is bound to, from `getsockname` and `SO_TYPE`.
    static func kind(of descriptor: Int32) -> Kind {
        var type: Int32 = 0
        var typeLength = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_TYPE, &type, &typeLength) == 0, type == Int32(SOCK_STREAM.rawValue) else {
            return .other
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { return .other }
        switch Int32(storage.ss_family) {
        case AF_UNIX:
            let path = withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { address in
                    withUnsafeBytes(of: address.pointee.sun_path) { bytes in
                        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                    }
                }
            }
            return .unix(path: path)
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                    var raw = address.pointee.sin_addr
                    inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
                    return .tcp(host: Self.text(text), port: Int(UInt16(bigEndian: address.pointee.sin_port)))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
                    var raw = address.pointee.sin6_addr
                    inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
                    return .tcp(host: Self.text(text), port: Int(UInt16(bigEndian: address.pointee.sin6_port)))
                }
            }
        default:
            return .other
        }
    }
}
