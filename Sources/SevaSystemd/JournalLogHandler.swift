import CSystemd
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes to the systemd journal (`sd_journal_sendv`): the message,
/// `PRIORITY`, `SYSLOG_IDENTIFIER`, `CODE_FILE`/`CODE_LINE`/`CODE_FUNC`, and every metadata
/// entry as a field of its own, upper-cased (`job_id` → `JOB_ID`), so that
/// `journalctl -u sevad JOB_ID=42` finds a job's story.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let identifier: String

    public init(identifier: String) { self.identifier = identifier }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = [
            "MESSAGE=\(event.message)", "PRIORITY=\(Self.priority(event.level))", "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(event.file)", "CODE_LINE=\(event.line)", "CODE_FUNC=\(event.function)",
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields.append("\(Self.fieldName(key))=\(value)")
        }
        Self.send(fields)
    }

    /// Sends `FIELD=value` entries as one journal record; false when the journal refused it.
    @discardableResult
    public static func send(_ fields: [String]) -> Bool {
        var storage = fields.map { Array($0.utf8) }
        var vectors: [iovec] = []
        vectors.reserveCapacity(storage.count)
        return storage.withUnsafeMutableBufferPointer { entries in
            for index in entries.indices {
                entries[index].withUnsafeMutableBytes { bytes in
                    vectors.append(iovec(iov_base: bytes.baseAddress, iov_len: bytes.count))
                }
            }
            return sd_journal_sendv(vectors, Int32(vectors.count)) == 0
        }
    }

    /// syslog(3) priorities.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Journal field names are upper-case letters, digits and `_`, not starting with `_`.
    static func fieldName(_ key: String) -> String {
        let cleaned = String(key.uppercased().map { ($0.isLetter && $0.isASCII) || $0.isNumber ? $0 : "_" })
        return cleaned.first == "_" || cleaned.first?.isNumber == true ? "F" + cleaned : cleaned
    }

    /// True when stderr is the journal (systemd sets `JOURNAL_STREAM` to its device:inode).
    public static var stderrIsJournal: Bool {
        guard let stream = getenv("JOURNAL_STREAM").map({ String(cString: $0) }) else { return false }
        var status = stat()
        guard fstat(2, &status) == 0 else { return false }
        return stream == "\(status.st_dev):\(status.st_ino)"
    }
}

/// Plain lines on stderr when not under systemd: `sevad: message key=value …`.
public struct PlainLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let identifier: String

    public init(identifier: String) { self.identifier = identifier }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        var text = "\(identifier): "
        if event.level >= .warning { text += "\(event.level): " }
        text += "\(event.message)"
        for key in all.keys.sorted() { text += " \(key)=\(all[key]!)" }
        text += "\n"
        // One write(2) a line, so lines from different threads never interleave.
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}
