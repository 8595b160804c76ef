import Foundation
import Logging
import NIOCore
import NIOEmbedded
import SevaStore
import Testing
@testable import SevaServer

/// `ConnectionHandler` on NIO's `EmbeddedChannel`, with a real engine on the same embedded
/// loop: the bytes a client sends go in, the bytes sevad writes come out, and the channel's
/// own events (half-close, writability, a session ended) drive it — no socket, no clock.
@Suite struct ConnectionHandlerTests {
    /// An admin connection (as on the Unix socket) to a fresh engine with an empty store.
    final class Bench {
        let directory: String
        let store: Store
        let loop = EmbeddedEventLoop()
        let channel: EmbeddedChannel
        let handler: ConnectionHandler

        init(_ adjust: (inout Configuration) -> Void = { _ in }) throws {
            directory = NSTemporaryDirectory() + "sevad-handler-\(getpid())-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            store = try Store(StoreConfiguration(path: directory + "/sevad.db"))
            var configuration = Configuration()
            adjust(&configuration)
            let settled = configuration
            let logger = Logger(label: "connection-handler-test")
            let limits = try Listeners.Limits(configuration.server, logger: logger)
            let engine = try Engine(loop: loop, configuration: configuration, store: store, state: RecoveredState(),
                                    connections: limits.connections, serverSettings: limits.settings,
                                    reloadSource: { .success(settled) }, logger: logger)
            handler = ConnectionHandler(engine: engine, principal: Principal(role: .admin), limits: limits)
            channel = EmbeddedChannel(handler: handler, loop: loop)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            loop.run()
        }

        deinit {
            _ = try? channel.finish()
            store.close()
            try? FileManager.default.removeItem(atPath: directory)
        }

        /// Sends `text` as one read and runs what the loop has to do.
        func send(_ text: String) throws {
            try channel.writeInbound(channel.allocator.buffer(string: text))
            loop.run()
        }

        /// Everything sevad has written so far, as text.
        func output() throws -> String {
            var text = ""
            while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
                text += buffer.readString(length: buffer.readableBytes) ?? ""
            }
            return text
        }

        /// Every write so far, one string per flush.
        func writes() throws -> [String] {
            var writes: [String] = []
            while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
                writes.append(buffer.readString(length: buffer.readableBytes) ?? "")
            }
            return writes
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrderWithTheEnginesReplyInItsPlace() throws {
        let bench = try Bench()
        try bench.send("PING\nWORKER GET nobody\nHELLO\n")
        let lines = try bench.output().split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "OK")
        #expect(lines[1].hasPrefix("ERR NOTFOUND"))
        #expect(lines[2].contains("\"server\":\"sevad\""))
    }

    @Test func aLineSplitAcrossReadsIsOneRequest() throws {
        let bench = try Bench()
        try bench.send("PI")
        #expect(try bench.output().isEmpty)
        try bench.send("NG\n")
        #expect(try bench.output() == "OK\n")
    }

    @Test func quitIsAnsweredAndTheChannelCloses() throws {
        let bench = try Bench()
        try bench.send("QUIT\nPING\n")
        #expect(try bench.output() == "OK\n")
        #expect(!bench.channel.isActive)
    }

    @Test func aHalfClosedClientGetsItsAnswersThenTheChannelCloses() throws {
        let bench = try Bench()
        try bench.send("PING\nHELLO\n")
        bench.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        bench.loop.run()
        let lines = try bench.output().split(separator: "\n")
        #expect(lines.count == 2)
        #expect(!bench.channel.isActive)
    }

    @Test func anEndedSessionGetsOneNoAuthAndTheChannelCloses() throws {
        let bench = try Bench()
        let context = try bench.channel.pipeline.syncOperations.context(handlerType: ConnectionHandler.self)
        bench.handler.endSession("token revoked", context: context)
        bench.loop.run()
        #expect(try bench.output() == "ERR NOAUTH token revoked; closing\n")
        #expect(!bench.channel.isActive)
    }

    @Test func repliesOfOneReadLeaveInOneWrite() throws {
        let bench = try Bench()
        try bench.send("PING\nPING\nHELLO\nPING\n")
        #expect(try bench.writes().count == 1)
    }

    @Test func aBatchPastTheOutputBufferRunsTheRestOnlyOnceTheOutputDrains() throws {
        let bench = try Bench { $0.server.outputBufferBytes = 100 }
        bench.channel.isWritable = false
        bench.channel.pipeline.fireChannelWritabilityChanged()
        try bench.send((1...10).map { "WORKER GET w-\($0)\n" }.joined())
        let before = try bench.output().split(separator: "\n")
        #expect(before.count >= 1 && before.count < 10, "the engine stops once 100 bytes of replies are made")
        #expect(before.allSatisfy { $0.hasPrefix("ERR NOTFOUND") })
        bench.channel.isWritable = true
        bench.channel.pipeline.fireChannelWritabilityChanged()
        bench.loop.run()
        let after = try bench.output().split(separator: "\n")
        #expect(before.count + after.count == 10, "every request is answered once the output drains")
        #expect(after.last?.contains("w-10") == true, "in request order")
    }
}
