#if canImport(Glibc)
import Glibc
#endif

/// Gives the pages malloc holds free back to the kernel (glibc's `malloc_trim(0)`, looked up
/// at run time: its header is not in Swift's Glibc module). After a restart's load the rows
/// read from the store — a profile's strings for every worker — are free but still resident;
/// without this a restarted sevad held more memory than the one it replaced.
public enum FreedMemory {
    public static func returnToSystem() {
        typealias Trim = @convention(c) (Int) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }
}
