import ArgumentParser
import Foundation
import SevaClient

/// `sevactl watch JOB`: the job's state now, then its events as they happen, until it ends.
struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Follow one job's events until it ends.")
    @OptionGroup var connection: ConnectionOptions
    @Argument var job: Int

    func run() throws {
        let console = try connection.connect()
        // WATCH before JOB GET: a change between the two is then an event, never lost.
        let watching = console.answer("WATCH \(job)")
        let current = try console.ask("JOB GET \(job)")
        guard let state = JSONField.value(current, "state") else { throw Console.failure(1, "sevad's JOB GET lacks a state: \(current)") }
        print(connection.json ? current : "job \(job) is \(state)")
        fflush(nil)
        if Self.finalStates.contains(state) { return }
        guard watching.hasPrefix("OK") else { throw Console.failure(1, String(watching.dropFirst(4))) }
        console.connection.readWithoutTimeout()
        var pending = console.takeEvents()
        while let line = pending.isEmpty ? console.connection.line() : pending.removeFirst() {
            guard line.hasPrefix("EVT ") else { continue }
            print(connection.json ? line : Stream.readable(line))
            fflush(nil)
            if line.hasPrefix("EVT job "), let state = JSONField.value(line, "state"), Self.finalStates.contains(state) { return }
        }
        throw Console.failure(3, "sevad closed the connection")
    }

    /// The states a job ends in.
    static let finalStates: Set<String> = ["completed", "cancelled", "unfilled"]
}

/// What the streaming subcommands share: EVT lines made readable.
enum Stream {
    /// `EVT job {"seq":7,"job":42,"state":"offered","worker":"w-17"}` → `#7 job 42 offered (w-17)`.
    static func readable(_ line: String) -> String {
        let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
        guard parts.count == 3 else { return line }
        let body = parts[2]
        switch parts[1] {
        case "job":
            let worker = JSONField.value(body, "worker").flatMap { $0 == "null" ? nil : " (\($0))" } ?? ""
            return "#\(JSONField.value(body, "seq") ?? "?") job \(JSONField.value(body, "job") ?? "?") \(JSONField.value(body, "state") ?? "?")\(worker)"
        case "track":
            return "track job \(JSONField.value(body, "job") ?? "?"): \(JSONField.value(body, "worker") ?? "?") \(JSONField.value(body, "dist_m") ?? "?") m away, "
                + "about \(JSONField.value(body, "eta_s") ?? "?") s"
        default:
            return line
        }
    }
}

/// `sevactl feed --follow`: subscribes from `--since` and prints each event as it comes.
extension Feed {
    func follow(_ console: Console) throws {
        _ = try console.ask("SUBSCRIBE jobs since=\(since)")
        console.connection.readWithoutTimeout()
        var pending = console.takeEvents()
        while let line = pending.isEmpty ? console.connection.line() : pending.removeFirst() {
            guard line.hasPrefix("EVT job ") else { continue }
            print(connection.json ? line : Stream.readable(line))
            fflush(nil)
        }
        throw Console.failure(3, "sevad closed the connection")
    }
}

/// `sevactl` with no subcommand: a console — each line typed is sent, its reply printed, and
/// events that arrive are shown as they come. `!!` repeats the last line; `history` lists them.
enum Repl {
    static func run(_ console: Console) {
        var history: [String] = []
        let interactive = isatty(0) != 0
        while true {
            if interactive { print("sevad> ", terminator: ""); fflush(nil) }
            guard var line = readLine() else { return }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line == "quit" || line == "exit" { return }
            if line == "history" {
                for (number, entry) in history.enumerated() { print("\(number + 1)  \(entry)") }
                continue
            }
            if line == "!!" {
                guard let last = history.last else { continue }
                line = last
            }
            history.append(line)
            console.connection.send(line + "\n")
            while let reply = console.connection.line() {
                if reply.hasPrefix("EVT ") { print(Stream.readable(reply)); continue }
                print(reply)
                break
            }
            while console.connection.hasInput(withinMilliseconds: 0), let event = console.connection.line() {
                print(Stream.readable(event))
            }
        }
    }
}
