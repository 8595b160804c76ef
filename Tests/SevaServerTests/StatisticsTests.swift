import Foundation
import SevaStore
import Testing
@testable import SevaServer

/// One statistics model: every figure STATS shows has its Prometheus sample with the same
/// value, the STATUS line reads the same figures, and the renderings nest and group right.
@Suite struct StatisticsTests {
    /// The figures of a real engine, on its own loop and store.
    func engineFigures() throws -> [Statistic] {
        try EngineOnItsLoop("statistics").onLoop { $0.statistics() }
    }

    /// Walks every leaf of STATS as a client parses it and finds its metric in `/metrics`.
    @Test func everyStatsFigureHasItsMetricWithTheSameValue() throws {
        let figures = try engineFigures()
        let json = StatisticsText.json(figures)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any])
        let metrics = StatisticsText.prometheus(figures).split(separator: "\n").map(String.init)
        var leaves: [([String], Any)] = []
        func walk(_ value: Any, _ path: [String]) {
            if let object = value as? [String: Any], !object.isEmpty {
                for (key, inner) in object { walk(inner, path + [key]) }
            } else {
                leaves.append((path, value))
            }
        }
        walk(document, [])
        #expect(leaves.count > 50)
        #expect(leaves.count == figures.count, "every figure is a leaf of STATS once: an object split in two would lose one half")
        for (path, value) in leaves {
            if value is [Any] || value is NSNull || (value as? [String: Any])?.isEmpty == true { continue }
            let figure = try #require(figures.first { $0.path == path }, "STATS \(path) is not in the model")
            let sample = try #require(figure.metric, "STATS \(path.joined(separator: ".")) has no metric")
            #expect(metrics.contains("\(sample.series) \(StatisticsText.number(sample.value))"), "\(sample.series)")
            #expect(metrics.contains("# TYPE sevad_\(sample.family) \(sample.kind.rawValue)"), "\(sample.family)")
            if let number = value as? NSNumber, !(value is Bool), sample.kind != .histogram || sample.suffix != "_bucket" {
                let scale = path.last?.hasSuffix("_ms") == true ? 1000.0 : 1.0
                #expect(abs(number.doubleValue - sample.value * scale) < 0.001 * max(1, abs(number.doubleValue)),
                        "\(path): STATS \(number) vs \(sample.series) \(sample.value)")
            }
        }
    }

    @Test func theRenderingsNestAndGroup() throws {
        var list = StatisticsList()
        list.counter(["offers", "sent"], 3, "offers_total", "Offers.", labels: "outcome=\"sent\"")
        list.gauge(["open"], 2, "open", "Open.")
        list.counter(["offers", "declined"], 1, "offers_total", "Offers.", labels: "outcome=\"declined\"")
        list.counters(["unfilled"], [:], "unfilled_total", "Unfilled.", label: "skill")
        list.add(["skills"], .names(["cook"]), nil)
        #expect(String(decoding: StatisticsText.json(list.items).bytes, as: UTF8.self)
                == #"{"offers":{"sent":3},"open":2,"offers":{"declined":1},"unfilled":{},"skills":["cook"]}"#)
        #expect(StatisticsText.prometheus(list.items) == """
            # HELP sevad_offers_total Offers.
            # TYPE sevad_offers_total counter
            sevad_offers_total{outcome="sent"} 3
            sevad_offers_total{outcome="declined"} 1
            # HELP sevad_open Open.
            # TYPE sevad_open gauge
            sevad_open 2

            """)
    }

    @Test func theStatusLineReadsTheSameFigures() throws {
        var list = StatisticsList()
        list.gauge(["workers", "available"], 5, "workers", "", labels: "status=\"available\"")
        list.gauge(["workers", "offline"], 7, "workers", "", labels: "status=\"offline\"")
        list.gauge(["jobs", "searching"], 2, "jobs_open", "")
        list.gauge(["jobs", "offered"], 1, "jobs_open", "")
        list.add(["store", "health"], .text("degraded"), nil)
        #expect(StatusLine.render(list.items, pingsPerSecond: 2_345) == "5 workers online, 3 jobs open, 2.3k pings/s; store degraded")
        let figures = try engineFigures()
        #expect(StatusLine.render(figures) == "0 workers online, 0 jobs open")
    }
}
