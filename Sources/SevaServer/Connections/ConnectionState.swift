import SevaCore
import SevaWire

/// One connection's protocol state as a value: it frames the lines a client sends, parses and
/// checks each, numbers them, holds them while an AUTH is judged or the engine has the
/// connection's previous batch, and puts the replies back in request order. Every event —
/// bytes read, the engine done with a batch, an AUTH verdict, the output backing up or
/// draining, the client closing its side — returns what the connection must do, as
/// `Action`s; `ConnectionHandler` does them. Nothing here touches a channel, a clock or the
/// engine, so every rule is tested by feeding events and reading actions.
///
/// Output (DESIGN.md §6): while the output is not writable (above
/// `server.output_buffer_bytes` unsent) or more than `server.max_inflight` requests are
/// unanswered, reading pauses; it resumes below half of either.
struct ConnectionState {
    /// What the connection does next, in order.
    enum Action {
        /// Write these chunks in one buffer with one flush; with `thenClose`, close once written
        /// (nothing is written after it).
        case write([[UInt8]], thenClose: Bool)
        /// Run these requests on the engine's loop as `principal`. Answer with `engineFinished`.
        case run([EngineWork], as: Principal)
        /// Ask the engine what `token` stands for; answer with `authenticated`.
        case authenticate(token: String, number: Int)
        /// A refused AUTH waits out its address's back-off; then answer with `refuseAuth`.
        case backOff(number: Int, reason: String)
        /// Stop reading from the socket — `behind` when it is for unanswered requests rather
        /// than output (counted apart in STATS).
        case pauseReading(behind: Bool)
        case resumeReading
    }

    /// Where the connection is in its life.
    enum Lifecycle: Equatable {
        /// Reading and answering requests.
        case open
        /// Reads no more requests (QUIT, a line too long): answers what it has, then closes.
        case closing
        /// Its last bytes are written (or its session was ended): writes nothing more.
        case closed
    }

    private let settings: Configuration.Server
    private var framer: LineFramer
    private var sequencer = ReplySequencer()
    private var pings: PingBudget
    /// Monotonic seconds now, for the ping budget.
    private let clock: () -> Double
    /// Who the requests run as.
    private(set) var principal: Principal
    private(set) var lifecycle = Lifecycle.open
    private(set) var readingPaused = false
    private var authFailures = 0
    /// Lines read while the connection holds (see `isHolding`), in order.
    private var heldLines: [ArraySlice<UInt8>] = []
    /// The request number of the AUTH being judged.
    private var authBeingJudged: Int?
    /// The principal of the batch the engine has now.
    private var batchOnEngine: Principal?
    /// Requests the engine handed back unrun because their replies would pass the output
    /// buffer; sent again, first, once the output has drained.
    private var givenBack: (principal: Principal, work: [EngineWork])?
    private var outputWritable = true
    /// The client closed its sending side: answer what it sent, then close.
    private var inputClosed = false

    init(principal: Principal, settings: Configuration.Server, clock: @escaping () -> Double) {
        self.principal = principal
        self.settings = settings
        self.clock = clock
        framer = LineFramer(maxLineBytes: settings.maxLineBytes)
        pings = PingBudget(perSecond: settings.maxPingsPerSecond, now: clock())
    }

    /// Pushed events are written only to an open connection.
    var acceptsEvents: Bool { lifecycle == .open }

    /// Requests read and not answered, held or numbered.
    var backlog: Int { sequencer.unanswered + heldLines.count }

    // MARK: - Events

    /// Bytes from the client.
    mutating func received(_ bytes: [UInt8]) -> [Action] {
        var out = Actions()
        var lines: [ArraySlice<UInt8>] = []
        for frame in framer.feed(bytes) {
            switch frame {
            case .line(let line): lines.append(line)
            case .tooLong:
                process(lines, &out)
                lines = []
                guard lifecycle == .open else { continue }
                lifecycle = .closing
                record([(sequencer.number(), .error(WireError(.tooLong, "line longer than server.max_line_bytes "
                    + "(\(framer.maxLineBytes)); closing"), closes: true))], &out)
            }
        }
        process(lines, &out)
        settle(&out)
        return out.finished()
    }

    /// The engine ran a batch: its replies so far, and what it gave back unrun.
    mutating func engineFinished(_ replies: [(Int, Reply)], gaveBack: [EngineWork]) -> [Action] {
        let principal = batchOnEngine ?? self.principal
        batchOnEngine = nil
        guard lifecycle != .closed else { return [] }
        if !gaveBack.isEmpty { givenBack = (principal, gaveBack) }
        return answered(replies)
    }

    /// Replies that came after their batch (commits completing).
    mutating func answered(_ replies: [(Int, Reply)]) -> [Action] {
        guard lifecycle != .closed else { return [] }
        var out = Actions()
        record(replies, &out)
        settle(&out)
        return out.finished()
    }

    /// The engine's verdict on the AUTH numbered `number`. A good token is accepted at once; a
    /// refused one waits out its address's back-off first.
    mutating func authenticated(_ verdict: TokenBook.Verdict, number: Int) -> [Action] {
        guard lifecycle == .open else { return [] }
        if case .unavailable(let reason) = verdict { return finishAuth(number, .error(WireError(.unavailable, reason))) }
        guard case .valid(let found) = verdict else {
            return [.backOff(number: number, reason: verdict == .expired ? "token expired" : "invalid token")]
        }
        principal = found
        var json = JSONWriter()
        json.beginObject()
        json.key("role"); json.string(found.role?.rawValue ?? "")
        json.key("worker"); if let worker = found.worker { json.string(worker) } else { json.null() }
        if let client = found.client { json.key("client"); json.string(client) }
        json.endObject()
        return finishAuth(number, .json(json))
    }

    /// A refused AUTH, once its back-off is over: counted toward `server.auth_failures`; the
    /// last one closes.
    mutating func refuseAuth(_ number: Int, reason: String) -> [Action] {
        guard lifecycle == .open else { return [] }
        authFailures += 1
        let last = authFailures >= settings.authFailures
        return finishAuth(number, .error(WireError(.denied, last ? "\(reason); too many failures, closing" : reason),
                                         closes: last))
    }

    /// The output went above its high-water mark (`false`) or drained below the low one.
    mutating func outputWritable(_ writable: Bool) -> [Action] {
        outputWritable = writable
        var out = Actions()
        settle(&out)
        return out.finished()
    }

    /// The client closed its sending side.
    mutating func clientClosedInput() -> [Action] {
        _ = framer.finish()
        inputClosed = true
        var out = Actions()
        closeIfAnswered(&out)
        return out.finished()
    }

    /// Nothing was read for `server.idle_timeout_s`. Not reading is sevad's own doing while
    /// the output drains, which the stall watch judges instead.
    mutating func idle() -> [Action] {
        guard lifecycle == .open, !readingPaused else { return [] }
        return closeWith(WireError(.limit, "idle for server.idle_timeout_s; closing"))
    }

    /// The engine ended this session (its token was revoked or has expired): one last
    /// `ERR NOAUTH`, nothing after it.
    mutating func sessionEnded(_ reason: String) -> [Action] {
        guard lifecycle != .closed else { return [] }
        heldLines = []
        givenBack = nil
        return closeWith(WireError(.noAuth, "\(reason); closing"))
    }

    /// The connection is being closed from outside (stall, hard limit, the peer gone).
    mutating func abandoned() {
        lifecycle = .closed
        sequencer.discard()
        heldLines = []
        givenBack = nil
        _ = framer.finish()
    }

    // MARK: - Requests

    /// Lines wait while an AUTH is judged, while a batch is on the engine, and while work the
    /// engine gave back waits for the output to drain.
    private var isHolding: Bool { authBeingJudged != nil || batchOnEngine != nil || givenBack != nil }

    /// Numbers and checks complete lines in order; the engine's share goes in one batch. Lines
    /// met while holding wait, in order.
    private mutating func process(_ lines: [ArraySlice<UInt8>], _ out: inout Actions) {
        var work: [EngineWork] = []
        for (position, line) in lines.enumerated() {
            if lifecycle != .open { break }
            if isHolding {
                heldLines += lines[position...]
                break
            }
            let number = sequencer.number()
            let command: Command
            do throws(WireError) {
                command = try CommandDecoder.decode(try RequestLine(bytes: line))
            } catch {
                record([(number, .error(error))], &out)
                continue
            }
            switch command {
            case .ping: record([(number, .ok)], &out)
            case .quit:
                lifecycle = .closing
                record([(number, Reply(bytes: Reply.ok.bytes, closes: true))], &out)
            case .hello: record([(number, hello())], &out)
            case .auth(let token):
                // The lines before it go to the engine first; those after wait for the verdict.
                if !work.isEmpty {
                    run(work, as: principal, &out)
                    work = []
                }
                authBeingJudged = number
                out.append(.authenticate(token: token, number: number))
            case .location where principal.role == .worker && !pings.spend(now: clock()):
                record([(number, .error(WireError(.limit, "more than server.max_pings_per_s "
                    + "(\(Int(pings.perSecond))) position pings a second; slow down")))], &out)
            default:
                switch Permissions.check(command, for: principal) {
                case .failure(let error): record([(number, .error(error))], &out)
                case .success(let decision): work.append((number, command, decision))
                }
            }
        }
        if !work.isEmpty { run(work, as: principal, &out) }
    }

    private mutating func run(_ work: [EngineWork], as principal: Principal, _ out: inout Actions) {
        batchOnEngine = principal
        out.append(.run(work, as: principal))
    }

    private mutating func finishAuth(_ number: Int, _ reply: Reply) -> [Action] {
        authBeingJudged = nil
        var out = Actions()
        record([(number, reply)], &out)
        settle(&out)
        return out.finished()
    }

    private func hello() -> Reply {
        var json = JSONWriter()
        json.beginObject()
        json.key("server"); json.string("sevad")
        json.key("version"); json.string(ProtocolVersion.release)
        json.key("proto"); json.integer(ProtocolVersion.current)
        json.key("role"); if let role = principal.role { json.string(role.rawValue) } else { json.null() }
        json.endObject()
        return .json(json)
    }

    // MARK: - Replies and what follows them

    /// Records replies and writes every reply now next in order; a reply that closes is the
    /// last thing written.
    private mutating func record(_ replies: [(Int, Reply)], _ out: inout Actions) {
        var due: [[UInt8]] = []
        var closes = false
        for (number, reply) in replies where !closes {
            sequencer.arrived(number, reply) { reply in
                guard !closes else { return }
                due.append(reply.bytes)
                closes = reply.closes
            }
        }
        guard !due.isEmpty else { return }
        if closes {
            lifecycle = .closed
            sequencer.discard()
        }
        out.write(due, thenClose: closes)
    }

    /// Writes one last error line out of turn; nothing follows it.
    private mutating func closeWith(_ error: WireError) -> [Action] {
        lifecycle = .closed
        sequencer.discard()
        var bytes: [UInt8] = []
        ReplyEncoder.error(error, into: &bytes)
        return [.write([bytes], thenClose: true)]
    }

    /// Runs what waited — work the engine gave back (once the output has drained: what the
    /// channel holds and replies parked behind an earlier one), else the held lines — then
    /// sets reading and closes a half-closed connection that has its answers.
    private mutating func settle(_ out: inout Actions) {
        guard lifecycle != .closed else { return }
        if authBeingJudged == nil, batchOnEngine == nil {
            if let back = givenBack {
                // Parked replies that wait for the given-back work itself can only drain by running it.
                let drained = sequencer.parkedBytes < settings.outputBufferBytes / 2
                    || back.work.first?.number == sequencer.nextToWrite
                if outputWritable && drained {
                    givenBack = nil
                    run(back.work, as: back.principal, &out)
                }
            } else if lifecycle == .closing {
                heldLines = []
            } else if !heldLines.isEmpty {
                let held = heldLines
                heldLines = []
                process(held, &out)
            }
        }
        updateReading(&out)
        closeIfAnswered(&out)
    }

    /// Reading stops while more than `server.max_inflight` requests are unanswered (until half
    /// are), while the output is not writable, and once the connection stops taking requests.
    private mutating func updateReading(_ out: inout Actions) {
        let limit = settings.maxInFlight
        let behind = backlog > limit || (readingPaused && backlog > limit / 2)
        let pause = lifecycle != .open || behind || !outputWritable
        guard pause != readingPaused else { return }
        readingPaused = pause
        out.append(pause ? .pauseReading(behind: behind) : .resumeReading)
    }

    private mutating func closeIfAnswered(_ out: inout Actions) {
        guard inputClosed, lifecycle != .closed, !isHolding, heldLines.isEmpty, sequencer.allAnswered else { return }
        lifecycle = .closed
        out.write([], thenClose: true)
    }
}

/// The actions of one event, writes that follow each other merged into one.
private struct Actions {
    private var settled: [ConnectionState.Action] = []
    /// Replies written since the last other action: they go out as one write. Appended in
    /// place — a pipelined read of many lines answers each in turn.
    private var writing: [[UInt8]] = []

    mutating func append(_ action: ConnectionState.Action) {
        flushWrites(thenClose: false)
        settled.append(action)
    }

    mutating func write(_ chunks: [[UInt8]], thenClose: Bool) {
        writing.append(contentsOf: chunks)
        if thenClose { flushWrites(thenClose: true) }
    }

    /// Every action, in order.
    mutating func finished() -> [ConnectionState.Action] {
        flushWrites(thenClose: false)
        return settled
    }

    private mutating func flushWrites(thenClose: Bool) {
        guard !writing.isEmpty || thenClose else { return }
        settled.append(.write(writing, thenClose: thenClose))
        writing = []
    }
}
