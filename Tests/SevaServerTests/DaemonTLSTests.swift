import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SevaClient
import Testing

/// The TLS listeners on the real daemon, with a CA and certificates the test makes with the
/// openssl CLI, and `openssl s_client` as the verifying client.
@Suite(.serialized) struct DaemonTLSTests {
    /// A throw-away PKI: a CA, server certificates for localhost (serials 1001, 1002), an
    /// expired one, one for another host, and a client certificate.
    struct Authority {
        let directory: String

        init() throws {
            directory = NSTemporaryDirectory() + "sevad-tls-\(getpid())-\(UUID().uuidString.prefix(6))"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=sevad test CA'")
            try issue("server", serial: 1001, host: "localhost")
            try issue("renewed", serial: 1002, host: "localhost")
            try issue("expired", serial: 1003, host: "localhost", days: -1)
            try issue("elsewhere", serial: 1004, host: "elsewhere.example")
            try issue("client", serial: 2001, host: "gateway-7")
        }

        func path(_ name: String) -> String { directory + "/" + name }

        func issue(_ name: String, serial: Int, host: String, days: Int = 2) throws {
            try run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout \(name).key -out \(name).csr -subj '/CN=\(host)'"
                    + " && printf 'subjectAltName=DNS:\(host),IP:127.0.0.1\\n' > \(name).ext"
                    + " && openssl x509 -req -in \(name).csr -CA ca.pem -CAkey ca.key -set_serial \(serial) -days \(days) -extfile \(name).ext -out \(name).pem")
        }

        @discardableResult
        func run(_ command: String) throws -> String {
            let result = runProcess("/bin/bash", ["-c", "cd \(directory) && \(command) 2>&1"])
            guard result.status == 0 else { throw HarnessError("\(command): \(result.output)") }
            return result.output
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    /// `openssl s_client` as a line client: sends lines, reads reply lines.
    final class TLSClient {
        let process = Process()
        private let input = Pipe()
        private let output = Pipe()
        private var buffer: [UInt8] = []

        init(port: Int, authority: Authority, extra: [String] = []) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["s_client", "-connect", "127.0.0.1:\(port)", "-CAfile", authority.path("ca.pem"),
                                 "-verify_return_error", "-verify_hostname", "localhost", "-quiet"] + extra
            process.standardInput = input
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
        }

        func ask(_ line: String) -> String {
            input.fileHandleForWriting.write(Data((line + "\n").utf8))
            return next()
        }

        /// The next line, or `<closed>` when the connection ends (or in 20 s).
        func next() -> String {
            let deadline = Date(timeIntervalSinceNow: 20)
            while Date() < deadline {
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    defer { buffer.removeSubrange(...newline) }
                    return String(decoding: buffer[..<newline], as: UTF8.self)
                }
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { return "<closed>" }
                buffer += data
            }
            return "<timeout>"
        }

        /// The next reply, passing over any events on the way.
        func reply(_ line: String) -> String {
            var answer = ask(line)
            while answer.hasPrefix("EVT ") { answer = next() }
            return answer
        }

        deinit {
            // SIGKILL: the test runner's children inherit SIGTERM ignored.
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    /// What a verifying client says about the server's certificate: the s_client transcript.
    func handshake(_ port: Int, _ authority: Authority, host: String = "localhost", extra: String = "") -> (status: Int32, output: String) {
        runProcess("/bin/bash", ["-c", "openssl s_client -connect 127.0.0.1:\(port) -CAfile \(authority.path("ca.pem")) "
                                 + "-verify_return_error -verify_hostname \(host) \(extra) </dev/null 2>&1"])
    }

    func servedSerial(_ port: Int, _ authority: Authority) -> String {
        runProcess("/bin/bash", ["-c", "openssl s_client -connect 127.0.0.1:\(port) </dev/null 2>/dev/null | openssl x509 -noout -serial"])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func tlsPort(_ daemon: DaemonProcess) throws -> Int {
        let range = try #require(daemon.log.range(of: #"listening on tls 127\.0\.0\.1:(\d+)"#, options: .regularExpression))
        return try #require(Int(daemon.log[range].split(separator: ":").last ?? ""))
    }

    func tlsDaemon(_ authority: Authority, certificate: String = "server", extra: [String] = []) throws -> DaemonProcess {
        let live = authority.path("live")
        try? FileManager.default.removeItem(atPath: live + ".pem")
        try? FileManager.default.removeItem(atPath: live + ".key")
        try FileManager.default.copyItem(atPath: authority.path(certificate + ".pem"), toPath: live + ".pem")
        try FileManager.default.copyItem(atPath: authority.path(certificate + ".key"), toPath: live + ".key")
        return try DaemonProcess(arguments: ["--server.tls", "[\"127.0.0.1:0\"]", "--server.tls_cert", live + ".pem",
                                             "--server.tls_key", live + ".key"] + extra)
    }

    @Test func theWholeProtocolOverTLSAndPlainTextIsRefusedCleanly() throws {
        let authority = try Authority()
        defer { authority.remove() }
        let daemon = try tlsDaemon(authority)
        defer { daemon.stop() }
        let port = try tlsPort(daemon)
        #expect(daemon.log.contains("certificate serial 03e9"), "\(daemon.log)")
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER ADD w-tls skills=plumber verified=yes") == "OK")
        let gateway = try #require(JSONField.value(admin.ask("TOKEN ISSUE gateway"), "token"))
        let booker = try #require(JSONField.value(admin.ask("TOKEN ISSUE booker"), "token"))

        let phone = try TLSClient(port: port, authority: authority)
        #expect(phone.ask("HELLO").contains(#""proto":1"#))
        #expect(phone.ask("AUTH \(gateway)").contains(#""role":"gateway""#))
        #expect(phone.ask("LOC w-tls 27.5960 78.0500 acc=8") == "OK")
        #expect(phone.ask("AVAIL w-tls on") == "OK")
        let portal = try TLSClient(port: port, authority: authority)
        #expect(portal.ask("AUTH \(booker)").contains(#""role":"booker""#))
        let booked = portal.ask("JOB NEW skill=plumber lat=27.5961 lon=78.0501 ref=tls-1")
        let job = try #require(JSONField.value(booked, "id"), "\(booked)")
        #expect(phone.next().hasPrefix("EVT offer {\"job\":\(job)"))
        #expect(phone.reply("ACCEPT w-tls \(job)") == "OK")
        #expect(JSONField.value(portal.ask("JOB GET \(job)"), "state") == "assigned")
        #expect(portal.ask("NEAR 27.5960 78.0500 skill=plumber all=yes").hasPrefix("OK ["))

        // Plain text to the TLS port: no reply, the connection closed, the daemon unharmed.
        let plain = try LineConnection(port: port, timeoutSeconds: 5)
        #expect(plain.ask("PING") == "<closed>")
        #expect(phone.reply("PING") == "OK")
        // TLS 1.1 is refused.
        #expect(handshake(port, authority, extra: "-tls1_1").status != 0)
    }

    @Test func verifyingClientsRejectAnExpiredOrWrongHostCertificate() throws {
        let authority = try Authority()
        defer { authority.remove() }
        let good = try tlsDaemon(authority)
        let goodPort = try tlsPort(good)
        #expect(handshake(goodPort, authority).status == 0, "the real certificate verifies")
        #expect(handshake(goodPort, authority, host: "sevad.example.in").output.contains("hostname mismatch"))
        good.stop()
        let expired = try tlsDaemon(authority, certificate: "expired")
        defer { expired.stop() }
        let transcript = handshake(try tlsPort(expired), authority)
        #expect(transcript.status != 0 && transcript.output.contains("certificate has expired"), "\(transcript.output)")
        let elsewhere = try tlsDaemon(authority, certificate: "elsewhere")
        defer { elsewhere.stop() }
        #expect(handshake(try tlsPort(elsewhere), authority).status != 0)
    }

    @Test func reloadSwapsTheCertificateForNewHandshakesAndKeepsOldConnections() throws {
        let authority = try Authority()
        defer { authority.remove() }
        let daemon = try tlsDaemon(authority)
        defer { daemon.stop() }
        let port = try tlsPort(daemon)
        #expect(servedSerial(port, authority) == "serial=03E9")
        let old = try TLSClient(port: port, authority: authority)
        #expect(old.ask("PING") == "OK")
        // Renewed in place, as certbot does; then RELOAD.
        try FileManager.default.removeItem(atPath: authority.path("live.pem"))
        try FileManager.default.removeItem(atPath: authority.path("live.key"))
        try FileManager.default.copyItem(atPath: authority.path("renewed.pem"), toPath: authority.path("live.pem"))
        try FileManager.default.copyItem(atPath: authority.path("renewed.key"), toPath: authority.path("live.key"))
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("RELOAD").contains("server.tls_cert"))
        #expect(servedSerial(port, authority) == "serial=03EA", "a new connection sees the new certificate")
        #expect(old.ask("PING") == "OK", "the old connection keeps working")
        // A broken pair at reload keeps the one in force.
        try "not a certificate".write(toFile: authority.path("live.pem"), atomically: true, encoding: .utf8)
        _ = admin.ask("RELOAD")
        #expect(servedSerial(port, authority) == "serial=03EA")
        #expect(old.ask("PING") == "OK")
    }

    @Test func mutualTLSRequiresAClientCertificateFromTheCA() throws {
        let authority = try Authority()
        defer { authority.remove() }
        let daemon = try tlsDaemon(authority, extra: ["--server.tls_client_ca", authority.path("ca.pem")])
        defer { daemon.stop() }
        let port = try tlsPort(daemon)
        let anonymous = try TLSClient(port: port, authority: authority)
        #expect(anonymous.ask("PING") == "<closed>", "no client certificate, no session")
        let gateway = try TLSClient(port: port, authority: authority,
                                    extra: ["-cert", authority.path("client.pem"), "-key", authority.path("client.key")])
        #expect(gateway.ask("PING") == "OK")
    }

    /// Collects what a connection receives.
    final class Received: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = unwrapInboundIn(data)
            lock.lock(); bytes += buffer.readableBytesView; lock.unlock()
        }
        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: bytes, as: UTF8.self) }
    }

    @Test func aSocketSystemdPassesNamedTLSIsServedWithTLS() throws {
        let authority = try Authority()
        defer { authority.remove() }
        let port = try SocketConnect.unusedLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        process.arguments = ["-l", "127.0.0.1:\(port)", "--fdname=tls", DaemonProcess.binary,
                             "--store.path", authority.path("sevad.db"), "--server.unix_socket", authority.path("sevad.sock"),
                             "--server.tls_cert", authority.path("server.pem"), "--server.tls_key", authority.path("server.key")]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { kill(process.processIdentifier, SIGKILL) }
        // An in-process verifying client (no child process to wait for).
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(authority.path("ca.pem"))
        let context = try NIOSSLContext(configuration: configuration)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let received = Received()
        var channel: (any Channel)?
        // Until systemd-socket-activate listens: a deadline, not a count of tries (a loaded
        // 2-core host can take seconds to start it).
        let listening = Date(timeIntervalSinceNow: 30)
        while channel == nil && Date() < listening {
            channel = try? ClientBootstrap(group: group).channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                    try channel.pipeline.syncOperations.addHandler(received)
                }
            }.connect(host: "127.0.0.1", port: port).wait()
            if channel == nil { usleep(50_000) }
        }
        let connected = try #require(channel, "systemd-socket-activate did not listen on \(port)")
        try connected.writeAndFlush(ByteBuffer(string: "PING\nHELLO\n")).wait()
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline && !received.text.contains("\"server\":\"sevad\"") { usleep(20_000) }
        #expect(received.text.hasPrefix("OK\nOK {\"server\":\"sevad\""), "\(received.text)")
        let serial = try connected.pipeline.handler(type: NIOSSLClientHandler.self).map { $0.peerCertificate?.serialNumber }.wait()
        #expect(serial == [0x03, 0xE9], "the adopted socket serves the configured certificate (serial 1001)")
        try? connected.close().wait()
    }

    @Test func aTLSListenerNeedsACertificateAndAReadableOne() throws {
        let directory = NSTemporaryDirectory() + "sevad-tls-missing-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = runProcess(DaemonProcess.binary, ["--check-config", "--server.tls", "[\"0.0.0.0:7879\"]"])
        #expect(missing.status == 1 && missing.output.contains("TLS listeners need server.tls_cert and server.tls_key"))
        let unreadable = runProcess(DaemonProcess.binary, ["--server.tls", "[\"127.0.0.1:0\"]", "--server.tls_cert", "/nonexistent.pem",
                                                           "--server.tls_key", "/nonexistent.key", "--store.path", directory + "/sevad.db",
                                                           "--server.unix_socket", directory + "/sevad.sock"])
        #expect(unreadable.status == 1 && unreadable.output.contains("server.tls_cert /nonexistent.pem"), "\(unreadable.output)")
    }
}
