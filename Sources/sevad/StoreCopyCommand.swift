import Foundation
import SevaStore

/// `sevad --copy-store-to`: the configured store's rows into an empty PostgreSQL database or
/// SQLite file, with progress on stderr and the count per table at the end.
enum StoreCopyCommand {
    /// Runs the copy; the process's exit status (0 copied, 1 not).
    static func run(from source: StoreConfiguration, to target: String) -> Int32 {
        var destination = target.hasPrefix("postgresql:") || target.hasPrefix("postgres:") || target.contains("host=")
            ? StoreConfiguration(postgresURL: target) : StoreConfiguration(path: target)
        destination.synchronous = .full
        guard destination.location != source.location || destination.backend != source.backend else {
            FileHandle.standardError.write(Data("sevad: the store cannot be copied onto itself (\(source.location))\n".utf8))
            return 1
        }
        FileHandle.standardError.write(Data("sevad: copying \(source.backend.displayName) \(source.location) into \(destination.backend.displayName) \(destination.location)\n".utf8))
        do {
            let copied = try StoreCopy.copy(from: source, to: destination) { table, rows in
                FileHandle.standardError.write(Data("  \(table): \(rows) rows\n".utf8))
            }
            print("copied into \(destination.location): " + copied.map { "\($0.table) \($0.rows)" }.joined(separator: ", "))
            return 0
        } catch {
            FileHandle.standardError.write(Data("sevad: copy failed, nothing was kept in the target: \(error)\n".utf8))
            return 1
        }
    }
}
