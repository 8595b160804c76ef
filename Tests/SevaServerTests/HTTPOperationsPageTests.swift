import Foundation
import SevaClient
import Testing

/// The operations page at `/` in a real browser: headless Chromium (Debian's `chromium`) opens
/// it with a viewer token, and a booking made over the line protocol reaches it through its
/// EventSource and its map.
@Suite(.serialized) struct HTTPOperationsPageTests {
    func daemonWithHTTP() throws -> (DaemonProcess, Int) {
        let daemon = try DaemonProcess(arguments: ["--http.listen", "[\"127.0.0.1:0\"]"])
        let port: Int
        do { port = try daemon.httpPort() } catch {
            daemon.stop()
            throw error
        }
        return (daemon, port)
    }

    @Test func thePageIsSelfContained() throws {
        let (daemon, port) = try daemonWithHTTP()
        defer { daemon.stop() }
        let page = try #require(try HTTPTestClient(port: port).requestText("GET", "/"))
        #expect(page.status == 200 && page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.headers["content-security-policy"]?.hasPrefix("default-src 'self'") == true)
        for external in ["src=", "href=", "@import", "url(", "https://"] {
            #expect(!page.body.contains(external), "the page fetches nothing from elsewhere: \(external)")
        }
    }

    @Test func aBookingOverTheLineProtocolAppearsInARealBrowser() throws {
        let (daemon, port) = try daemonWithHTTP()
        defer { daemon.stop() }
        let admin = try LineConnection(unixPath: daemon.socketPath)
        for request in ["WORKER ADD w1 skills=plumber verified=yes", "LOC w1 26.8467 80.9462", "AVAIL w1 on"] {
            #expect(admin.ask(request) == "OK", "\(request)")
        }
        let viewer = try #require(JSONField.value(admin.ask("TOKEN ISSUE viewer"), "token"))
        let bookerToken = try #require(JSONField.value(admin.ask("TOKEN ISSUE booker client=portal"), "token"))

        let script = SystemdIntegrationTests.repository.appendingPathComponent("Tests/Browser/page_watch.py").path
        let condition = ##"[...document.querySelectorAll("#events li")].some(e => e.textContent.includes("job 1 ")) "##
            + ##"&& document.querySelectorAll("#map rect.job").length > 0"##
        let report = ##"JSON.stringify({events: [...document.querySelectorAll("#events li")].map(e => e.textContent), "##
            + ##"jobs: document.querySelectorAll("#map rect.job").length, workers: document.querySelectorAll("#map circle").length, "##
            + ##"status: document.getElementById("status").textContent})"##
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        browser.arguments = [script, "http://127.0.0.1:\(port)/#token=\(viewer)", condition, report, "30"]
        let output = Pipe()
        browser.standardOutput = output
        browser.standardError = output
        try browser.run()
        defer { if browser.isRunning { browser.terminate() } }

        #expect(waitUntil(30) { daemon.stat("subscribers") == 1 }, "the page's EventSource subscribed")
        let booker = try LineConnection(port: daemon.port)
        #expect(booker.ask("AUTH \(bookerToken)").hasPrefix("OK"))
        #expect(booker.ask("JOB NEW skill=plumber lat=26.8470 lon=80.9460 address=\"Sadar Bazar\"").hasPrefix(#"OK {"id":1"#))
        #expect(waitUntil(40) { !browser.isRunning }, "the browser watch ends")
        let seen = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(browser.terminationStatus == 0, "the booking did not reach the page: \(seen)")
        #expect(seen.contains("job 1 "), "\(seen)")
    }
}
