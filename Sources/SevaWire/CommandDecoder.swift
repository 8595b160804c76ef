import SevaCore

/// Turns a parsed request line into a `Command`, checking every argument's form.
/// Verbs and sub-verbs are case-insensitive; unknown verbs are `ERR UNKNOWN`, malformed or
/// unexpected arguments `ERR BADARG` naming the argument.
public enum CommandDecoder {
    /// Decodes one line.
    public static func decode(_ line: RequestLine) throws(WireError) -> Command {
        switch verb(line) {
        case "hello":
            var arguments = try ArgumentReader(line, command: "HELLO [name=...]")
            let name = arguments.take("name")
            try arguments.finish(allowedKeys: ["name"])
            return .hello(name: name)
        case "auth":
            var arguments = try ArgumentReader(line, command: "AUTH <token>")
            let token = try arguments.next("token")
            try arguments.finish()
            return .auth(token: token)
        case "ping": return try bare(line, .ping)
        case "quit": return try bare(line, .quit)
        case "stats": return try bare(line, .stats)
        case "reload": return try bare(line, .reload)
        case "worker": return try decodeWorker(line)
        case "token": return try decodeToken(line)
        case "loc": return try decodeLocation(line)
        case "avail": return try decodeAvailability(line)
        case "near": return try decodeNear(line)
        case "job": return try decodeJob(line)
        case "accept": return try decodeStep(.accept, line)
        case "decline": return try decodeStep(.decline, line)
        case "arrived": return try decodeStep(.arrived, line)
        case "start": return try decodeStep(.start, line)
        case "done": return try decodeStep(.done, line)
        case "watch": return try decodeWatch(line, watch: true)
        case "unwatch": return try decodeWatch(line, watch: false)
        case "feed": return try decodeFeed(line)
        case "subscribe": return try decodeSubscribe(line, subscribe: true)
        case "unsubscribe": return try decodeSubscribe(line, subscribe: false)
        case "debug" where subverb(line) == "stall":
            var arguments = try ArgumentReader(line, command: "DEBUG STALL <seconds>", skip: 1)
            let text = try arguments.next("seconds")
            try arguments.finish()
            guard let seconds = Double(text), (0...600).contains(seconds) else { throw .badArgument("seconds", "must be 0-600") }
            return .debugStall(seconds: seconds)
        default:
            let verb = String(decoding: line.verbBytes.prefix(32), as: UTF8.self)
            throw WireError(.unknown, "unknown verb '\(verb)'; try HELLO, PING, AUTH, WORKER, TOKEN, LOC, AVAIL, NEAR, JOB, ACCEPT, WATCH, FEED, STATS")
        }
    }

    /// The verb in lower case (a short ASCII string, stored inline: no allocation).
    static func verb(_ line: RequestLine) -> String {
        lowered(line.verbBytes)
    }

    /// The sub-verb (first argument) in lower case, or "" when there is none or it is named.
    static func subverb(_ line: RequestLine) -> String {
        guard let first = line.arguments.first, !first.isNamed, !first.quoted else { return "" }
        return lowered(line.bytes[first.value])
    }

    /// Lower-cased ASCII, as a small (inline, unallocated) string; "" when longer than any verb.
    private static func lowered(_ bytes: ArraySlice<UInt8>) -> String {
        guard bytes.count <= 15 else { return "" }
        return String(unsafeUninitializedCapacity: bytes.count) { buffer in
            var position = 0
            for byte in bytes {
                buffer[position] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                position += 1
            }
            return position
        }
    }

    private static func bare(_ line: RequestLine, _ command: Command) throws(WireError) -> Command {
        try ArgumentReader(line, command: command.verb).finish()
        return command
    }
}
