import SevaCore
import SevaWire

/// The run as pictures: an SVG map of the district (its post offices as a faint base layer with
/// the towns named, workers by what they were doing at the end, jobs by outcome, a line from
/// each worker to the job they took) and an SVG chart of
/// time-to-assign over the run.
enum Pictures {
    private static func n(_ value: Double) -> String { JSONWriter.decimal(value, places: 1) }

    static func map(_ run: RunResult) -> String {
        let district = run.district
        let margin = 1.08
        let latSpan = district.radiusKm * margin / 111.2
        let lonSpan = latSpan / cos(district.centre.latitude * .pi / 180)
        let width = 900.0, height = 900.0
        func x(_ point: GeoPoint) -> Double { (point.longitude - district.centre.longitude + lonSpan) / (2 * lonSpan) * width }
        func y(_ point: GeoPoint) -> Double { (district.centre.latitude + latSpan - point.latitude) / (2 * latSpan) * height }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height) + 60)" viewBox="0 0 \(Int(width)) \(Int(height) + 60)" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="#f6f5ef"/>
            <circle cx="\(n(width / 2))" cy="\(n(height / 2))" r="\(n(width / 2 / margin))" fill="none" stroke="#bbb" stroke-dasharray="6 4"/>

            """
        svg += "<g fill=\"#8a7f5a\" fill-opacity=\"0.35\">\n"
        for office in district.offices {
            svg += "<circle cx=\"\(n(x(office.point)))\" cy=\"\(n(y(office.point)))\" r=\"\(office.name.isEmpty ? 1.5 : 3)\"/>\n"
        }
        svg += "</g>\n"
        svg += "<g stroke=\"#2f5fa8\" stroke-opacity=\"0.25\" stroke-width=\"0.7\">\n"
        for job in run.jobs {
            guard let from = job.workerPosition, let to = job.household else { continue }
            svg += "<line x1=\"\(n(x(from)))\" y1=\"\(n(y(from)))\" x2=\"\(n(x(to)))\" y2=\"\(n(y(to)))\"/>\n"
        }
        svg += "</g>\n"
        for job in run.jobs {
            guard let point = job.household else { continue }
            let colour = switch job.state {
            case "completed": "#666"
            case "unfilled": "#d62828"
            case "cancelled": "#f4a261"
            default: "#7b2cbf"
            }
            if job.state == "unfilled" {
                svg += "<path d=\"M\(n(x(point) - 4)) \(n(y(point) - 4))l8 8m0 -8l-8 8\" stroke=\"\(colour)\" stroke-width=\"2\"/>\n"
            } else {
                svg += "<rect x=\"\(n(x(point) - 1.5))\" y=\"\(n(y(point) - 1.5))\" width=\"3\" height=\"3\" fill=\"\(colour)\"/>\n"
            }
        }
        for worker in run.finalWorkers {
            svg += "<circle cx=\"\(n(x(worker.point)))\" cy=\"\(n(y(worker.point)))\" r=\"2.4\" fill=\"\(colour(of: worker.activity))\"/>\n"
        }
        for town in labels(district.offices, x: x, y: y) {
            svg += "<text x=\"\(n(x(town.point) + 5))\" y=\"\(n(y(town.point) - 5))\" fill=\"#333\">\(escaped(town.name))</text>\n"
        }
        let legend: [(String, String)] = [
            ("#2a9d3a", "worker free"), ("#e09b00", "considering an offer"), ("#1f5fbf", "on a job"),
            ("#999", "on break / off duty"), ("#666", "job completed"), ("#7b2cbf", "job open"),
            ("#f4a261", "job cancelled"), ("#d62828", "job unfilled"),
        ]
        for (index, entry) in legend.enumerated() {
            let left = 10 + Double(index % 4) * 220, top = height + 14 + Double(index / 4) * 20
            svg += "<circle cx=\"\(n(left + 5))\" cy=\"\(n(top))\" r=\"5\" fill=\"\(entry.0)\"/><text x=\"\(n(left + 14))\" y=\"\(n(top + 4))\">\(entry.1)</text>\n"
        }
        svg += "<text x=\"10\" y=\"20\" font-size=\"15\">\(run.district.name): \(run.workers) workers, \(run.booked) bookings, policy \(run.policy), seed \(run.seed); lines join each worker to the job they took</text>\n"
        return svg + "</svg>\n"
    }

    /// The towns to name: head and sub post offices without their " SO"/" HO" suffix, at most
    /// 24, none closer than 60 pixels to one already named (the first of a cluster wins).
    private static func labels(_ offices: [District.Office], x: (GeoPoint) -> Double, y: (GeoPoint) -> Double) -> [District.Office] {
        var chosen: [District.Office] = []
        for office in offices where !office.name.isEmpty && chosen.count < 24 {
            let crowded = chosen.contains { other in
                let dx = x(other.point) - x(office.point), dy = y(other.point) - y(office.point)
                return dx * dx + dy * dy < 60 * 60
            }
            guard !crowded else { continue }
            var name = office.name
            for suffix in [" SO", " HO", " S.O", " H.O", " S.O.", " H.O."] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
            chosen.append(District.Office(point: office.point, name: name))
        }
        return chosen
    }

    /// Text for SVG: `&`, `<` and `>` escaped.
    private static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(character)
            }
        }
        return out
    }

    private static func colour(of activity: WorkerAgent.Activity) -> String {
        switch activity {
        case .idle: "#2a9d3a"
        case .considering: "#e09b00"
        case .riding, .onSite, .working: "#1f5fbf"
        case .onBreak, .offDuty: "#999"
        }
    }

    static func chart(_ run: RunResult) -> String {
        let points = run.jobs.compactMap { job -> (Double, Double)? in
            guard let wait = job.timeToAssign, let booked = job.bookedAt else { return nil }
            return (booked - run.origin, wait)
        }
        let width = 900.0, height = 420.0, left = 60.0, bottom = 40.0, top = 30.0, right = 20.0
        let xMax = max(1, run.durationSeconds)
        let yMax = max(5, (Summary.quantile(points.map(\.1), 0.995) ?? 5) * 1.1)
        func x(_ value: Double) -> Double { left + value / xMax * (width - left - right) }
        func y(_ value: Double) -> Double { height - bottom - min(value, yMax) / yMax * (height - top - bottom) }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="#fff"/>
            <text x="\(n(left))" y="18" font-size="14">time to assign (s) by booking time (s into the run) — \(run.district.name), policy \(run.policy), seed \(run.seed)</text>
            <line x1="\(n(left))" y1="\(n(y(0)))" x2="\(n(width - right))" y2="\(n(y(0)))" stroke="#333"/>
            <line x1="\(n(left))" y1="\(n(y(0)))" x2="\(n(left))" y2="\(n(top))" stroke="#333"/>

            """
        let xStep = xMax > 120 ? 30.0 : 10.0
        for tick in stride(from: 0.0, through: xMax, by: xStep) {
            svg += "<text x=\"\(n(x(tick)))\" y=\"\(n(height - bottom + 16))\" text-anchor=\"middle\">\(Int(tick))</text>\n"
        }
        let yStep = yMax > 40 ? 10.0 : (yMax > 15 ? 5.0 : 1.0)
        for tick in stride(from: 0.0, through: yMax, by: yStep) {
            svg += "<line x1=\"\(n(left))\" y1=\"\(n(y(tick)))\" x2=\"\(n(width - right))\" y2=\"\(n(y(tick)))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(n(left - 6))\" y=\"\(n(y(tick) + 4))\" text-anchor=\"end\">\(Int(tick))</text>\n"
        }
        svg += "<g fill=\"#2f5fa8\" fill-opacity=\"0.35\">\n"
        for (time, wait) in points { svg += "<circle cx=\"\(n(x(time)))\" cy=\"\(n(y(wait)))\" r=\"1.8\"/>\n" }
        svg += "</g>\n"
        // p50 and p95 over 5-second windows of booking time.
        for (fraction, colour, label) in [(0.5, "#2a9d3a", "p50"), (0.95, "#d62828", "p95")] {
            var path = ""
            for start in stride(from: 0.0, to: xMax, by: 5) {
                let window = points.filter { $0.0 >= start && $0.0 < start + 5 }.map(\.1)
                guard let value = Summary.quantile(window, fraction) else { continue }
                path += (path.isEmpty ? "M" : "L") + "\(n(x(start + 2.5))) \(n(y(value)))"
            }
            if !path.isEmpty {
                svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
                svg += "<text x=\"\(n(width - right - 40))\" y=\"\(n(top + (fraction == 0.5 ? 14 : 30)))\" fill=\"\(colour)\">\(label)</text>\n"
            }
        }
        return svg + "</svg>\n"
    }
}

#if canImport(Glibc)
import Glibc
#endif
