import Foundation

/// The key table written out for people: the shipped `etc/sevad.toml` (`sevad --print-config`),
/// the keys in `sevad --help` and the man page's CONFIGURATION section. A test holds the
/// shipped file to what `file` generates.
public enum ConfigurationDocs {
    /// Comments start in this column, as in the hand-written file this replaced.
    static let commentColumn = 34
    static let width = 100

    /// `etc/sevad.toml`: every section and key with its default and its doc.
    public static var file: String {
        let defaults = Configuration()
        var text = """
            # sevad configuration: every key with its default (DESIGN.md §7). Generated from sevad's key
            # table by `sevad --print-config` (`make config` rewrites this file; a test checks it).
            #
            # Relative paths resolve under $STATE_DIRECTORY / $RUNTIME_DIRECTORY when systemd sets them,
            # under ./var when sevad is run by hand. Unknown keys are errors. Every key changes on SIGHUP
            # or RELOAD except those marked (restart), which take effect at the next restart; the TLS
            # files are read again on every reload.

            """
        for (section, doc) in ConfigurationKeys.sections {
            text += "\n" + entry("[\(section)]", doc)
            switch section {
            case "rates":
                for (skill, rupees) in defaults.rates.sorted(by: { $0.key < $1.key }) { text += "\(skill) = \(rupees)\n" }
            case "districts":
                if defaults.districts.isEmpty { text += "# every district of India is known by name; e.g. hathras = [27.596, 78.05] moves one\n" }
                for (name, point) in defaults.districts.sorted(by: { $0.key < $1.key }) {
                    text += "\(name) = " + ConfigurationValue.list([.real(point.latitude), .real(point.longitude)]).toml + "\n"
                }
            default:
                for key in ConfigurationKeys.all where key.section == section {
                    text += entry("\(key.field) = " + key.read(defaults).toml, key.doc + (key.reload == .restart ? " (restart)" : ""))
                }
            }
        }
        return text
    }

    /// The keys for `--help`: each with its default, what it takes and its doc.
    public static var help: String {
        let defaults = Configuration()
        var text = "configuration keys (in the file, or as --SECTION.KEY VALUE; (restart): not changed by a reload):\n"
        for key in ConfigurationKeys.all {
            text += "  \(key.name) = \(key.read(defaults).toml)  [\(key.kind.summary)]\(key.reload == .restart ? " (restart)" : "")\n"
            text += wrap(key.doc, width: width - 6, prefix: "      ") + "\n"
        }
        text += "  rates.SKILL = RUPEES, districts.NAME = [LAT, LON]: one key per skill or district\n"
        return text
    }

    /// The man page's CONFIGURATION section, in roff.
    public static var roff: String {
        let defaults = Configuration()
        var page = ".SH CONFIGURATION\nEvery key of /etc/sevad/sevad.toml, with its default. Keys marked (restart) are not changed by a reload.\n"
        for key in ConfigurationKeys.all {
            page += ".TP\n.B \(escape(key.name)) = \(escape(key.read(defaults).toml))\n"
            page += escape("[\(key.kind.summary)]\(key.reload == .restart ? " (restart)" : "") \(key.doc)") + "\n"
        }
        return page
    }

    /// One line `left  # doc`, the doc wrapped under its column; a long `left` gets its doc above it.
    private static func entry(_ left: String, _ doc: String) -> String {
        if left.count >= commentColumn - 1 {
            return wrap(doc, width: width - 2, prefix: "# ") + "\n" + wrapList(left) + "\n"
        }
        let pad = String(repeating: " ", count: commentColumn - left.count)
        let lines = wrap(doc, width: width - commentColumn - 2, prefix: "").split(separator: "\n", omittingEmptySubsequences: false)
        var text = left + pad + "# " + (lines.first ?? "") + "\n"
        for line in lines.dropFirst() { text += String(repeating: " ", count: commentColumn) + "# " + line + "\n" }
        return text
    }

    /// `key = [a, b, ...]` longer than the width, broken after commas, aligned under the `[`.
    private static func wrapList(_ line: String) -> String {
        guard line.count > width, let open = line.firstIndex(of: "[") else { return line }
        let indent = String(repeating: " ", count: line.distance(from: line.startIndex, to: open) + 1)
        var lines: [String] = []
        var current = ""
        for item in line.split(separator: " ", omittingEmptySubsequences: false) {
            if !current.isEmpty && current.count + item.count + 1 > width {
                lines.append(current)
                current = indent
            }
            current += (current.isEmpty || current == indent ? "" : " ") + item
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }

    /// `text` wrapped to lines of at most `width` characters, each starting with `prefix`.
    public static func wrap(_ text: String, width: Int, prefix: String) -> String {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            if !current.isEmpty && current.count + word.count + 1 > width {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        lines.append(current)
        return lines.map { prefix + $0 }.joined(separator: "\n")
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
    }
}
