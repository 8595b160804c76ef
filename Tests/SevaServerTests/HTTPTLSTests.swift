import Foundation
import SevaClient
import Testing

/// The HTTP face over TLS with the line protocol's certificate and key (`http.tls`), and the
/// protected mode that keeps a public plain-text HTTP listener from starting.
@Suite(.serialized) struct HTTPTLSTests {
    @Test func theHTTPFaceServesTLSWithTheLineProtocolsCertificate() throws {
        let authority = try DaemonTLSTests.Authority()
        defer { authority.remove() }
        let daemon = try DaemonProcess(arguments: ["--server.tls_cert", authority.path("server.pem"),
                                                   "--server.tls_key", authority.path("server.key"),
                                                   "--http.listen", "[\"127.0.0.1:0\"]", "--http.tls", "true"])
        defer { daemon.stop() }
        let port = try daemon.httpPort()
        #expect(daemon.log.contains("HTTP face on https://127.0.0.1:\(port)/"))
        let script = "import ssl, http.client\n"
            + "c = http.client.HTTPSConnection('localhost', \(port), context=ssl.create_default_context(cafile='\(authority.path("ca.pem"))'))\n"
            + "c.request('GET', '/v1/track?id=w1&lat=26.8&lon=80.9')\n"
            + "r = c.getresponse()\nprint(r.status, r.read().decode().strip())"
        let verified = runProcess("/usr/bin/python3", ["-c", script])
        #expect(verified.status == 0 && verified.output.hasPrefix("401 ") && verified.output.contains("NOAUTH"), "\(verified.output)")
        let plain = try HTTPTestClient(port: port).request("GET", "/v1/track?id=w1&lat=26.8&lon=80.9")
        #expect(plain == nil, "plain HTTP on the TLS port gets no HTTP answer")
    }

    /// The line protocol's connection limits hold on the HTTP face: past `server.max_connections`
    /// a 503 says why; a connection idle for `server.idle_timeout_s` is closed.
    @Test func connectionLimitsAndIdleConnections() throws {
        let daemon = try DaemonProcess(arguments: ["--http.listen", "[\"127.0.0.1:0\"]", "--server.max_connections", "2",
                                                   "--server.idle_timeout_s", "1"])
        defer { daemon.stop() }
        let port = try daemon.httpPort()
        let first = try HTTPTestClient(port: port), second = try HTTPTestClient(port: port)
        #expect(first.request("GET", "/nowhere")?.status == 404 && second.request("GET", "/nowhere")?.status == 404)
        let third = try HTTPTestClient(port: port)
        let refused = third.response()
        #expect(refused?.status == 503 && refused?.body.contains("server.max_connections (2) reached") == true, "\(String(describing: refused))")
        // A read ends at the close, or at the client's 20 s timeout: only an early end is a close.
        let waited = Date()
        #expect(first.isClosedByServer && Date().timeIntervalSince(waited) < 10, "an idle connection is closed")
    }

    @Test func aPublicPlainTextHTTPListenerIsRefused() {
        var log = ""
        do {
            let daemon = try DaemonProcess(arguments: ["--http.listen", "[\"0.0.0.0:0\"]"])
            #expect(daemon.waitForExit() != 0, "sevad refuses to start")
            log = daemon.log
        } catch {
            log = "\(error)"
        }
        #expect(log.contains("http.listen: 0.0.0.0:0 is not a loopback address"), "\(log)")
    }
}
