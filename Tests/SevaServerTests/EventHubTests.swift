import NIOCore
import NIOEmbedded
import SevaCore
import Testing
@testable import SevaServer

/// Who hears a worker's offers when a gateway that speaks for many workers closes: its list is
/// taken out of the offer map a slice at a time, it hears nothing meanwhile, and the others
/// listening for the same workers go on hearing them.
@Suite struct EventHubTests {
    /// An `EventClient` on an embedded channel that keeps what is pushed to it.
    final class Listener: ChannelInboundHandler, SevaServer.EventClient {
        typealias InboundIn = Never
        var lines: [String] = []
        var sink: EventSink!
        func handlerAdded(context: ChannelHandlerContext) { sink = EventSink(handler: self, context: context) }
        func push(_ lines: [[UInt8]], context: ChannelHandlerContext) { self.lines += lines.map { String(decoding: $0, as: UTF8.self) } }
        func endSession(_ reason: String, context: ChannelHandlerContext) {}
    }

    func listener(on loop: EmbeddedEventLoop) -> (Listener, EmbeddedChannel) {
        let listener = Listener()
        let channel = EmbeddedChannel(handler: listener, loop: loop)
        return (listener, channel)
    }

    func withdrawn(_ worker: String) -> DispatchNotice { .offerWithdrawn(worker: worker, job: 7, reason: "test") }

    @Test func aClosedGatewaysWorkersAreTakenOutInSlices() throws {
        let loop = EmbeddedEventLoop()
        let (gateway, gatewayChannel) = listener(on: loop)
        let (phone, phoneChannel) = listener(on: loop)
        defer { _ = try? gatewayChannel.finish(); _ = try? phoneChannel.finish() }
        var hub = EventHub()
        let count = EventHub.unlistenSlice * 3 + 5
        for index in 0..<count { hub.listen(worker: "w\(index)", on: gateway.sink) }
        hub.listen(worker: "w1", on: phone.sink)
        hub.deliver([withdrawn("w1"), withdrawn("w2")])
        #expect(gateway.lines.count == 2 && phone.lines.count == 1)

        let deferred = hub.forget(gateway.sink)
        #expect(deferred, "a long list is left to the slices")
        hub.deliver([withdrawn("w1"), withdrawn("w\(count - 1)")])
        #expect(gateway.lines.count == 2, "a forgotten gateway hears nothing while its list is taken out")
        #expect(phone.lines.count == 2, "the phone listening for the same worker still hears it")
        var slices = 1
        while hub.unlistenSome() { slices += 1 }
        #expect(slices == 4)
        hub.deliver([withdrawn("w1"), withdrawn("w\(count - 1)")])
        #expect(gateway.lines.count == 2 && phone.lines.count == 3)

        // The same workers, heard again by a new connection, reach it alone.
        let (again, againChannel) = listener(on: loop)
        defer { _ = try? againChannel.finish() }
        hub.listen(worker: "w\(count - 1)", on: again.sink)
        hub.deliver([withdrawn("w\(count - 1)")])
        #expect(again.lines.count == 1 && gateway.lines.count == 2)
    }

    @Test func aShortListGoesAtOnce() throws {
        let loop = EmbeddedEventLoop()
        let (phone, channel) = listener(on: loop)
        defer { _ = try? channel.finish() }
        var hub = EventHub()
        hub.listen(worker: "w1", on: phone.sink)
        let deferred = hub.forget(phone.sink)
        let more = hub.unlistenSome()
        #expect(!deferred && !more)
        hub.deliver([withdrawn("w1")])
        #expect(phone.lines.isEmpty)
    }
}
