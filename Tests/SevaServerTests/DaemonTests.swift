import Foundation
import SevaClient
import Testing
@testable import SevaServer

/// The real daemon over real sockets.
@Suite(.serialized) struct DaemonTests {
    func token(_ reply: String) throws -> String {
        guard let range = reply.range(of: #""token":"[^"]+""#, options: .regularExpression) else {
            throw HarnessError("no token in \(reply)")
        }
        return String(reply[range].dropFirst(9).dropLast())
    }

    @Test func rolesOverUnixAndTCP() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("HELLO").contains(#""role":"admin""#), "root on the Unix socket is admin")
        #expect(admin.ask("WORKER ADD w1 skills=plumber verified=yes name=\"Ramesh\"") == "OK")
        #expect(admin.ask("WORKER ADD w1 skills=plumber").hasPrefix("ERR CONFLICT"))
        #expect(admin.ask("WORKER ADD w2 skills=wizard").hasPrefix("ERR BADARG skills: unknown skill 'wizard'"))
        let gateway = try token(admin.ask("TOKEN ISSUE gateway"))
        let booker = try token(admin.ask("TOKEN ISSUE booker"))
        let worker = try token(admin.ask("TOKEN ISSUE worker worker=w1"))

        let gatewayClient = try LineConnection(port: daemon.port)
        #expect(gatewayClient.ask("PING") == "OK")
        #expect(gatewayClient.ask("WORKER GET w1").hasPrefix("ERR NOAUTH"))
        #expect(gatewayClient.ask("AUTH \(gateway)").contains(#""role":"gateway""#))
        #expect(gatewayClient.ask("LOC w1 27.5960 78.0500 acc=8") == "OK")
        #expect(gatewayClient.ask("AVAIL w1 on") == "OK")
        #expect(gatewayClient.ask("LOC nobody 27.5960 78.0500").hasPrefix("ERR NOTFOUND"))
        #expect(gatewayClient.ask("LOC 27.5960 78.0500").hasPrefix("ERR BADARG worker"))

        let bookerClient = try LineConnection(port: daemon.port)
        #expect(bookerClient.ask("AUTH \(booker)").contains(#""role":"booker""#))
        let near = bookerClient.ask("NEAR 27.5970 78.0500 skill=plumber radius_km=5")
        #expect(near.range(of: #"^OK \[\{"id":"w1","dist_m":(0|[1-9][0-9]*00),"status":"available","age_s":[0-9]+\}\]$"#,
                           options: .regularExpression) != nil, "\(near)")
        #expect(!near.contains("\"lat\""), "a booker sees no coordinates")
        #expect(bookerClient.ask("WORKER ADD w9 skills=cook").hasPrefix("ERR DENIED"))
        #expect(bookerClient.ask("WORKER GET w1") == "ERR NOTFOUND no worker w1 on an open job of yours",
                "a booker sees only the worker on its own open job")

        let workerClient = try LineConnection(port: daemon.port)
        #expect(workerClient.ask("AUTH \(worker)").contains(#""worker":"w1""#))
        #expect(workerClient.ask("LOC 27.5961 78.0501") == "OK")
        #expect(workerClient.ask("LOC w2 27.5961 78.0501").hasPrefix("ERR DENIED"))
        let future = workerClient.ask("LOC 27.5962 78.0501 ts=\(Int(Date().timeIntervalSince1970) + 900)")
        #expect(future.range(of: #"^ERR BADARG ts: ts is (899|900) s ahead of the server's clock \(at most 300 s allowed\); "#
            + "set the phone's clock from the network$", options: .regularExpression) != nil, "\(future)")
        #expect(workerClient.ask("NEAR 27.59 78.05").hasPrefix("ERR DENIED"))
        #expect(admin.ask("STATS").contains(#""available":1"#))
    }

    @Test func badInputGetsAnErrorAndTheDaemonKeepsServing() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let client = try LineConnection(port: daemon.port)
        client.send([0x00, 0x01, 0xFF, 0xFE, 0x0A])
        #expect(client.line()?.hasPrefix("ERR PROTO") == true)
        client.send(Array("PING \"unbalanced\n".utf8))
        #expect(client.line()?.hasPrefix("ERR PROTO unbalanced quote") == true)
        #expect(client.ask("LOC w1 27 nan").hasPrefix("ERR BADARG lon"))
        #expect(client.ask("LOC w1 27 78").hasPrefix("ERR NOAUTH"))
        #expect(client.ask("PING") == "OK")
        client.send(String(repeating: "x", count: 10_000) + "\n")
        #expect(client.line()?.hasPrefix("ERR TOOLONG") == true)
        #expect(client.line() == nil, "the connection closes after TOOLONG")
        let next = try LineConnection(port: daemon.port)
        #expect(next.ask("PING") == "OK", "other clients are unaffected")
    }

    @Test func aClientThatStopsSendingStillGetsEveryReply() throws {
        let daemon = try DaemonProcess()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        admin.send("WORKER ADD h1 skills=cook\nTOKEN ISSUE viewer\nWORKER GET h1\nPING")
        admin.finishSending()
        #expect(admin.line() == "OK")
        #expect(admin.line()?.hasPrefix("OK {\"token\"") == true)
        #expect(admin.line()?.hasPrefix("OK {\"id\":\"h1\"") == true)
        #expect(admin.line() == nil, "an unfinished last line is dropped, then the daemon closes")
    }

    @Test func positionsAreSnapshottedSoARestartIsWarm() throws {
        let first = try DaemonProcess(arguments: ["--store.position_snapshot_s", "0.2"])
        let admin = try LineConnection(unixPath: first.socketPath)
        #expect(admin.ask("WORKER ADD w1 skills=cook") == "OK")
        #expect(admin.ask("WORKER ADD w2 skills=cook") == "OK")
        #expect(admin.ask("LOC w1 27.5960 78.0500") == "OK")
        #expect(waitUntil { (first.stat("positions_written") ?? 0) >= 1 }, "the snapshot committed w1's position")
        kill(first.process.processIdentifier, SIGKILL)
        first.process.waitUntilExit()
        let second = try DaemonProcess(directory: first.directory)
        let again = try LineConnection(unixPath: second.socketPath)
        #expect(again.ask("WORKER GET w1").contains(#""lat":27.596000"#), "the periodic snapshot survived kill -9")
        #expect(again.ask("LOC w2 26.8467 80.9462") == "OK")
        #expect(second.stop() == 0)
        let third = try DaemonProcess(directory: first.directory)
        defer { third.stop() }
        let last = try LineConnection(unixPath: third.socketPath)
        #expect(last.ask("WORKER GET w2").contains(#""lat":26.846700"#), "the shutdown snapshot was written")
    }

    @Test func protectedModeRefusesToStartOnAPublicPlainTextAddress() throws {
        let directory = NSTemporaryDirectory() + "sevad-protected-config-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let refused = runProcess(DaemonProcess.binary, ["--server.tcp", "[\"0.0.0.0:0\"]", "--store.path", directory + "/sevad.db",
                                                        "--server.unix_socket", directory + "/sevad.sock"])
        #expect(refused.status == 1)
        #expect(refused.output.contains("server.tcp: 0.0.0.0:0 is not a loopback address"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/sevad.db"), "nothing was started")
        let allowed = runProcess(DaemonProcess.binary, ["--check-config", "--server.tcp", "[\"0.0.0.0:7878\"]",
                                                        "--server.allow_plaintext_public", "true"])
        #expect(allowed.status == 0 && allowed.output.contains("listeners: 0.0.0.0:7878"), "\(allowed.output)")
    }

    @Test func threeFailedAuthsClose() throws {
        let daemon = try DaemonProcess(arguments: ["--server.auth_backoff_s", "0"])
        defer { daemon.stop() }
        let client = try LineConnection(port: daemon.port)
        #expect(client.ask("AUTH sv1_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").hasPrefix("ERR DENIED invalid token"))
        #expect(client.ask("AUTH nonsense").hasPrefix("ERR DENIED"))
        #expect(client.ask("AUTH again").contains("closing"))
        #expect(client.line() == nil)
    }

    @Test func whatWasAcknowledgedSurvivesARestart() throws {
        let first = try DaemonProcess()
        let admin = try LineConnection(unixPath: first.socketPath)
        #expect(admin.ask("WORKER ADD w-keep skills=mason district=hathras verified=yes") == "OK")
        let booker = try token(admin.ask("TOKEN ISSUE booker label=portal"))
        #expect(first.stop() == 0, "SIGTERM exits 0")
        let second = try DaemonProcess(directory: first.directory)
        defer { second.stop() }
        let again = try LineConnection(unixPath: second.socketPath)
        #expect(again.ask("WORKER GET w-keep").contains(#""district":"hathras""#))
        let client = try LineConnection(port: second.port)
        #expect(client.ask("AUTH \(booker)").contains(#""role":"booker""#))
        #expect(again.ask("TOKEN LIST").contains(#""label":"portal""#))
    }

    /// SIGTERM sent while sevad is still starting (its store loaded, its listeners not yet
    /// bound) is neither lost nor fatal: it waits, and sevad stops cleanly once started. The
    /// signal goes the moment "loaded" reaches the pipe, read as it comes, not polled.
    @Test func aSigtermDuringStartUpIsKeptUntilTheDaemonCanStopCleanly() throws {
        let directory = NSTemporaryDirectory() + "sevad-early-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonProcess.binary)
        process.arguments = ["--store.path", directory + "/sevad.db", "--server.unix_socket", directory + "/sevad.sock",
                             "--server.tcp", "[\"127.0.0.1:0\"]"]
        let errors = Pipe()
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var log = ""
        while !log.contains("loaded ") {
            let data = errors.fileHandleForReading.availableData
            if data.isEmpty { break }
            log += String(decoding: data, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGTERM)
        let exited = awaitExit(of: process, "sevad, stopping during start-up", within: ChildDeadline.stop)
        log += String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(exited && process.terminationReason == .exit, "sevad exited by itself, not by the signal: \(log)")
        #expect(process.terminationStatus == 0)
        #expect(log.contains("listening on unix") && log.contains("stopped"), "\(log)")
    }

    @Test func sigtermTellsClientsAndExitsCleanly() throws {
        let daemon = try DaemonProcess()
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER ADD late skills=cook") == "OK")
        let client = try LineConnection(port: daemon.port)
        #expect(client.ask("PING") == "OK")
        kill(daemon.process.processIdentifier, SIGTERM)
        #expect(client.line() == "EVT shutdown {}")
        #expect(admin.line() == "EVT shutdown {}")
        #expect(daemon.waitForExit() == 0)
        let again = try DaemonProcess(directory: daemon.directory)
        defer { again.stop() }
        #expect(try LineConnection(unixPath: again.socketPath).ask("WORKER GET late").hasPrefix("OK"))
    }

    @Test func prometheusMetricsWhenAsked() throws {
        let daemon = try DaemonProcess(arguments: ["--metrics.listen", "127.0.0.1:0"])
        defer { daemon.stop() }
        guard let range = daemon.log.range(of: #"metrics on http 127\.0\.0\.1:(\d+)/metrics"#, options: .regularExpression),
              let port = Int(daemon.log[range].split(separator: ":").last?.split(separator: "/").first ?? "") else {
            Issue.record("no metrics line in \(daemon.log)")
            return
        }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        #expect(admin.ask("WORKER ADD m1 skills=cook") == "OK")
        let http = try LineConnection(port: port)
        http.send("GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        var response: [String] = []
        while let line = http.line() { response.append(line) }
        #expect(response.first?.hasPrefix("HTTP/1.1 200 OK") == true, "\(response.prefix(3))")
        #expect(response.contains("sevad_workers{status=\"offline\"} 1"))
        #expect(response.contains("# TYPE sevad_offers_total counter"))
        #expect(response.contains { $0.hasPrefix("sevad_connections_open ") })
        let other = try LineConnection(port: port)
        other.send("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        #expect(other.line()?.hasPrefix("HTTP/1.1 404") == true)
    }
}
