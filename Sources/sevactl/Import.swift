import ArgumentParser
import Foundation
import SevaClient

/// `sevactl import workers FILE.csv`: the platform's worker register into sevad (DESIGN.md §8).
/// Every row is checked before anything is sent; bad rows are reported with their line number
/// and skipped; existing ids are updated, so a re-run changes nothing.
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bulk-register workers from the worker register.",
                                                    subcommands: [ImportWorkers.self])
}

struct ImportWorkers: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "workers",
        abstract: "Register or update workers from a CSV file (id,name,phone,skills,district,verified[,pincode]).",
        discussion: """
            UTF-8 (a BOM is allowed), LF or CRLF, RFC 4180 quoting; skills separated by ';'; verified is yes or no. \
            An optional pincode column gives the worker's home PIN code: the district is filled in from it when the \
            district cell is empty, and a PIN code India Post does not have rejects the row.
            """)
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "the CSV file") var file: String

    static let required = ["id", "name", "phone", "skills", "district", "verified"]
    static let optional = ["pincode"]

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw Console.failure(2, "cannot read \(file)") }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        let records = CSV.records(text)
        guard let (headerLine, header) = records.first else { throw Console.failure(2, "\(file) is empty; it needs a header row") }
        _ = headerLine
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let missing = Self.required.filter { !names.contains($0) }
        guard missing.isEmpty else {
            throw Console.failure(2, "\(file): the header lacks \(missing.joined(separator: ", ")) (it needs \(Self.required.joined(separator: ",")))")
        }
        for extra in names where !Self.required.contains(extra) && !Self.optional.contains(extra) {
            FileHandle.standardError.write(Data("sevactl: ignoring column '\(extra)'\n".utf8))
        }
        let console = try connection.connect()
        let catalogue = try Self.catalogue(console)
        var rejected: [(line: Int, reason: String)] = []
        var valid: [(line: Int, id: String, fields: String)] = []
        var seen: [String: Int] = [:]
        for (line, cells) in records.dropFirst() {
            if cells.count == 1 && cells[0].isEmpty { continue }
            guard cells.count == names.count else {
                rejected.append((line, "\(cells.count) columns, the header has \(names.count)"))
                continue
            }
            var row: [String: String] = [:]
            for (name, cell) in zip(names, cells) { row[name] = cell.trimmingCharacters(in: .whitespaces) }
            switch Self.check(row, catalogue: catalogue) {
            case .failure(let problem): rejected.append((line, problem.description))
            case .success(let fields):
                let id = row["id"]!
                if let first = seen[id] {
                    rejected.append((line, "duplicate id \(id) (first on line \(first))"))
                    continue
                }
                seen[id] = line
                valid.append((line, id, fields))
            }
        }
        var added = 0
        var updated = 0
        for (index, row) in valid.enumerated() {
            let reply = console.answer("WORKER ADD \(LineArgument.quoted(row.id))\(row.fields)")
            if reply == "OK" {
                added += 1
            } else if reply.hasPrefix("ERR CONFLICT") {
                let set = console.answer("WORKER SET \(LineArgument.quoted(row.id))\(row.fields)")
                if set == "OK" { updated += 1 } else { rejected.append((row.line, set)) }
            } else {
                rejected.append((row.line, reply))
            }
            if valid.count > 5_000 && (index + 1) % 5_000 == 0 {
                FileHandle.standardError.write(Data("sevactl: \(index + 1) of \(valid.count) rows sent\n".utf8))
            }
        }
        for (line, reason) in rejected.sorted(by: { $0.line < $1.line }) {
            FileHandle.standardError.write(Data("sevactl: \(file):\(line): \(reason)\n".utf8))
        }
        let read = records.count - 1
        print("rows read \(read), added \(added), updated \(updated), rejected \(rejected.count)")
        if !rejected.isEmpty { throw ExitCode(1) }
    }

    /// The daemon's skill catalogue (from STATS).
    static func catalogue(_ console: Console) throws -> Set<String> {
        let stats = try console.ask("STATS")
        guard let data = stats.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let skills = object["skills"] as? [String] else { throw Console.failure(1, "STATS did not name the skill catalogue") }
        return Set(skills)
    }

    /// A row's WORKER ADD/SET arguments, or why it is refused.
    static func check(_ row: [String: String], catalogue: Set<String>) -> Result<String, ImportProblem> {
        let id = row["id"] ?? ""
        let idValid = (1...64).contains(id.utf8.count) && id.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_.:-".unicodeScalars.contains($0)
        }
        guard idValid else { return .failure(ImportProblem("id '\(id)' must be 1-64 of A-Z a-z 0-9 _ . : -")) }
        let skills = (row["skills"] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard !skills.isEmpty else { return .failure(ImportProblem("no skills")) }
        if let unknown = skills.first(where: { !catalogue.contains($0) }) {
            return .failure(ImportProblem("unknown skill '\(unknown)'; the catalogue has \(catalogue.sorted().joined(separator: ", "))"))
        }
        let phone = (row["phone"] ?? "").filter { $0 != " " && $0 != "-" }
        let digits = phone.hasPrefix("+") ? String(phone.dropFirst()) : phone
        guard phone.isEmpty || ((10...15).contains(digits.count) && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)) else {
            return .failure(ImportProblem("bad phone '\(row["phone"] ?? "")': 10-15 digits, optionally after +"))
        }
        let verified = (row["verified"] ?? "").lowercased()
        guard verified == "yes" || verified == "no" else { return .failure(ImportProblem("verified must be yes or no, not '\(verified)'")) }
        var fields = " skills=\(skills.joined(separator: ",")) verified=\(verified)"
        for key in ["name", "district"] where !(row[key] ?? "").isEmpty { fields += " \(key)=\(LineArgument.quoted(row[key]!))" }
        if !phone.isEmpty { fields += " phone=\(LineArgument.quoted(phone))" }
        if let pincode = row["pincode"], !pincode.isEmpty {
            guard pincode.utf8.count == 6, pincode.allSatisfy(\.isASCII), pincode.allSatisfy(\.isNumber), !pincode.hasPrefix("0") else {
                return .failure(ImportProblem("pincode '\(pincode)' is not a PIN code: six digits, the first 1-9"))
            }
            fields += " pincode=\(pincode)"
        }
        return .success(fields)
    }
}

struct ImportProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// RFC 4180 records: fields separated by commas, records by LF or CRLF, double quotes around
/// fields that hold commas, quotes ("" inside) or line breaks. Each record comes with the line
/// it starts on.
enum CSV {
    static func records(_ text: String) -> [(line: Int, fields: [String])] {
        var records: [(Int, [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var start = 1
        var characters = Array(text)
        characters.append("\n")
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if quoted {
                if character == "\"" {
                    if index + 1 < characters.count && characters[index + 1] == "\"" {
                        field.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
            } else {
                switch character {
                case "\"" where field.isEmpty: quoted = true
                case ",":
                    fields.append(field)
                    field = ""
                case "\n", "\r\n":
                    fields.append(field)
                    if index < characters.count - 1 || fields != [""] { records.append((start, fields)) }
                    fields = []
                    field = ""
                    line += 1
                    start = line
                case "\r": break
                default: field.append(character)
                }
            }
            index += 1
        }
        return records
    }
}
