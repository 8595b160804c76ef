import Dispatch

/// Frees a large structure on a background thread instead of the engine loop (Redis's lazy
/// free): the last reference goes there, and with it the walk over its elements and the
/// return of its pages to the kernel — milliseconds for a table of a million workers.
enum LazyFree {
    static func drop<Value: Sendable>(_ value: Value) {
        DispatchQueue.global(qos: .utility).async { withExtendedLifetime(value) {} }
    }
}
