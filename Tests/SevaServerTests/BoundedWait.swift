import Foundation
import Testing

/// How long a test waits for a child it started before calling it hung. Generous: the slowest
/// child (a sevasim run) takes under a minute on a loaded 2-core machine.
enum ChildDeadline {
    /// A tool run to its end (sevactl, sevasim, openssl, a shell script).
    static let run: Double = 300
    /// A daemon's clean stop after SIGTERM.
    static let stop: Double = 60
    /// The longest any daemon a test starts may live.
    static let lifetime: Double = 900
}

/// Waits up to `seconds` for `process` to end. One that has not is a hang: it is said on stderr
/// at once (unbuffered, so CI's log shows it), sent SIGABRT so its backtrace reaches its log,
/// killed if that does not end it, and recorded as a failure with `detail()`, so one hang fails
/// one test instead of holding the suite until CI's limit.
@discardableResult
func awaitExit(of process: Process, _ name: String, within seconds: Double, detail: () -> String = { "" }) -> Bool {
    if waitUntil(seconds, { !process.isRunning }) { return true }
    let pid = process.processIdentifier
    FileHandle.standardError.write(Data("TEST HANG: \(name) (pid \(pid)) still running after \(Int(seconds)) s; aborting it\n".utf8))
    kill(pid, SIGABRT)
    if !waitUntil(30, { !process.isRunning }) {
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }
    let text = detail()
    FileHandle.standardError.write(Data("TEST HANG: \(name) printed:\n\(text.suffix(8000))\n".utf8))
    Issue.record("\(name) did not end within \(Int(seconds)) s; it printed:\n\(text.suffix(8000))")
    return false
}

/// A program a test runs to its end, its stdout and stderr in files rather than pipes: a
/// grandchild that inherits a pipe (sevasim's daemons, a box's systemd) would keep it open and a
/// read to its end would never return.
final class ToolRun {
    let process = Process()
    private let outputPath: String
    private let errorsPath: String

    /// Starts `executable`; `input` becomes its stdin (else /dev/null, never the runner's own);
    /// with `mergingErrors` its stderr goes where its stdout goes, interleaved as written.
    init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
         input: FileHandle? = nil, mergingErrors: Bool = false, directory: String? = nil) throws {
        let base = NSTemporaryDirectory() + "sevad-tool-\(getpid())-\(UUID().uuidString.prefix(8))"
        outputPath = base + ".out"
        errorsPath = base + ".err"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorsPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = input ?? FileHandle.nullDevice
        let output = FileHandle(forWritingAtPath: outputPath)
        process.standardOutput = output
        process.standardError = mergingErrors ? output : FileHandle(forWritingAtPath: errorsPath)
        try process.run()
    }

    /// What it has written to stdout so far.
    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    /// What it has written to stderr so far.
    var errors: String { (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? "" }

    /// Waits for its end (bounded by `seconds`); its exit status.
    @discardableResult
    func wait(seconds: Double = ChildDeadline.run) -> Int32 {
        let name = URL(fileURLWithPath: process.executableURL?.path ?? "child").lastPathComponent
            + " " + (process.arguments ?? []).joined(separator: " ")
        awaitExit(of: process, name, within: seconds) { output + errors }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        try? FileManager.default.removeItem(atPath: outputPath)
        try? FileManager.default.removeItem(atPath: errorsPath)
    }
}
