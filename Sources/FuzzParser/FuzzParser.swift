// A libFuzzer target for the request-line parser and command decoder (`make fuzz`). Built
// with -DFUZZING it is the fuzzer's entry point; built plainly it replays files given as
// arguments, so a crashing input can be run under a debugger.
import Foundation
import SevaWire

/// Frames `data` (in two chunks, split where its first byte says), then parses and decodes
/// every line, checking what the framer and the parser promise.
func exercise(_ data: UnsafeBufferPointer<UInt8>) {
    var framer = LineFramer(maxLineBytes: 1_024)
    let cut = data.isEmpty ? 0 : Int(data[0]) % (data.count + 1)
    var lines: [ArraySlice<UInt8>] = []
    for chunk in [data[..<cut], data[cut...]] {
        for frame in framer.feed(Array(chunk)) {
            guard case .line(let line) = frame else { continue }
            precondition(!line.isEmpty && line.count <= 1_024 && !line.contains(UInt8(ascii: "\n")))
            lines.append(line)
        }
        precondition(framer.bufferedBytes <= 1_025)
    }
    for line in lines {
        guard let request = try? RequestLine(bytes: line) else { continue }
        precondition(!request.verb.isEmpty && request.verb.upperBound <= request.bytes.endIndex)
        for argument in request.arguments {
            precondition(argument.value.lowerBound >= request.bytes.startIndex && argument.value.upperBound <= request.bytes.endIndex)
            precondition(argument.key.isEmpty || (argument.key.lowerBound >= request.bytes.startIndex && argument.key.upperBound <= request.bytes.endIndex))
            _ = request.value(argument)
        }
        if let command = try? CommandDecoder.decode(request) {
            precondition(!command.verb.isEmpty)
        }
    }
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    exercise(UnsafeBufferPointer(start: data, count: size))
    return 0
}
#else
/// Replays inputs given as file arguments.
@main
struct ReplayInputs {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let contents = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("FuzzParser: cannot read \(path)\n".utf8))
                exit(2)
            }
            contents.withUnsafeBytes { exercise($0.bindMemory(to: UInt8.self)) }
            print("ok \(path)")
        }
    }
}
#endif
