import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SevaClient
import SevaCore
import SevaServer
import SevaWire

/// LOC/s over TLS against plain TCP on the same daemon in the same run: one NIO client shape
/// for both (so the ratio is TLS's cost, not a different client's), `connections` each keeping
/// `inFlight` LOC lines outstanding, after a warm-up that includes the handshakes.
struct TLSBenchmark {
    static func options(_ arguments: ArraySlice<String>) -> LoadOptions { .parse(arguments, workers: 10_000, seconds: 3) }

    struct Result {
        let plainPerSecond: Double
        let tlsPerSecond: Double
        var ratio: Double { tlsPerSecond / max(1, plainPerSecond) }
    }

    let options: LoadOptions

    func run(progress: (String) -> Void) throws -> Result {
        let pki = NSTemporaryDirectory() + "sevabench-pki-\(getpid())"
        try FileManager.default.createDirectory(atPath: pki, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: pki) }
        let made = Process()
        made.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        made.arguments = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                          "-subj", "/CN=localhost", "-keyout", pki + "/key.pem", "-out", pki + "/cert.pem"]
        made.standardError = FileHandle.nullDevice
        try made.run()
        made.waitUntilExit()
        guard made.terminationStatus == 0 else { throw HarnessFailure("openssl could not make a certificate") }

        progress("tls: \(options.workers) workers, TLS listener with a fresh P-256 certificate")
        let daemon = try BenchDaemon(name: "tls", workers: options.workers) { configuration in
            configuration.server.tls = ["127.0.0.1:0"]
            configuration.server.tlsCert = pki + "/cert.pem"
            configuration.server.tlsKey = pki + "/key.pem"
        }
        defer { daemon.remove() }
        let token = try daemon.token("gateway")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateVerification = .none
        let context = try NIOSSLContext(configuration: client)
        progress("tls: plain TCP, \(options.connections) × \(options.inFlight) LOC in flight")
        let plain = try measure(port: daemon.port, token: token, tls: nil, group: group)
        progress("tls: TLS, the same")
        let secure = try measure(port: daemon.tlsPort, token: token, tls: context, group: group)
        return Result(plainPerSecond: plain, tlsPerSecond: secure)
    }

    private func measure(port: Int, token: String, tls: NIOSSLContext?, group: MultiThreadedEventLoopGroup) throws -> Double {
        let replies = Counter()
        var random = SeededGenerator(seed: 11)
        var lines = ""
        for _ in 0..<options.inFlight {
            let worker = Int(random.next() % UInt64(options.workers))
            lines += "LOC b\(worker) \(JSONWriter.decimal(26.8 + random.unit() * 0.1)) \(JSONWriter.decimal(80.9 + random.unit() * 0.1))\n"
        }
        let burst = Array(lines.utf8)
        let inFlight = options.inFlight
        let channels = try (0..<options.connections).map { _ in
            try ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: nil)) }
                        try channel.pipeline.syncOperations.addHandler(PipelinedLOC(token: token, burst: burst, inFlight: inFlight, replies: replies))
                    }
                }
                .connect(host: "127.0.0.1", port: port).wait()
        }
        Thread.sleep(forTimeInterval: 0.5)
        let start = replies.value
        let began = Date()
        Thread.sleep(forTimeInterval: options.seconds)
        let counted = replies.value - start
        let elapsed = Date().timeIntervalSince(began)
        for channel in channels { try? channel.close().wait() }
        return Double(counted) / elapsed
    }
}

/// Authenticates, then keeps `inFlight` LOC lines outstanding, counting reply lines.
final class PipelinedLOC: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let token: String
    private let burst: [UInt8]
    private let inFlight: Int
    private let replies: Counter
    private var outstanding = 0
    private var authenticated = false

    init(token: String, burst: [UInt8], inFlight: Int, replies: Counter) {
        self.token = token
        self.burst = burst
        self.inFlight = inFlight
        self.replies = replies
    }

    func channelActive(context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeString("AUTH \(token)\n")
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let lines = buffer.readableBytesView.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        guard authenticated else {
            authenticated = true
            send(context)
            return
        }
        replies.add(lines)
        outstanding -= lines
        if outstanding <= inFlight / 2 { send(context) }
    }

    private func send(_ context: ChannelHandlerContext) {
        var buffer = context.channel.allocator.buffer(capacity: burst.count)
        buffer.writeBytes(burst)
        outstanding += inFlight
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}

@available(*, unavailable)
extension PipelinedLOC: Sendable {}
