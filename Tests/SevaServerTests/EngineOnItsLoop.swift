import Foundation
import Logging
import NIOPosix
import SevaStore
@testable import SevaServer

/// A real engine on an event loop of its own, over a fresh store in a temporary directory —
/// for tests that drive the engine in-process; everything goes away with it.
final class EngineOnItsLoop {
    let directory: String
    let store: Store
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let engine: Engine

    init(_ name: String, adjust: (inout Configuration) -> Void = { _ in }) throws {
        directory = NSTemporaryDirectory() + "sevad-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        store = try Store(StoreConfiguration(path: directory + "/sevad.db"))
        var configuration = Configuration()
        adjust(&configuration)
        let settled = configuration
        engine = try Engine(loop: group.next(), configuration: configuration, store: store, state: RecoveredState(),
                            connections: ConnectionTally(limit: 10), serverSettings: LiveServerSettings(configuration.server),
                            reloadSource: { .success(settled) }, logger: Logger(label: "engine-test-\(name)"))
    }

    /// Runs `body` on the engine's loop and returns what it returned.
    func onLoop<Value: Sendable>(_ body: @escaping @Sendable (Engine) throws -> Value) throws -> Value {
        let engine = self.engine
        return try engine.loop.submit { try body(engine) }.wait()
    }

    deinit {
        try? group.syncShutdownGracefully()
        store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
