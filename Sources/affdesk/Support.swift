import ArgumentParser
import AttributionCore
import AttributionStore
import Foundation
import TerminalText

/// Options every command that touches the database takes.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The database file (default: $AFFDESK_DB, else $XDG_DATA_HOME/affdesk/affdesk.sqlite).",
                                            valueName: "PATH"))
    var db: String?

    var path: String {
        if let d = db { return absolute(d) }
        let env = ProcessInfo.processInfo.environment
        if let d = env["AFFDESK_DB"], !d.isEmpty { return absolute(d) }
        let base = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (base as NSString).appendingPathComponent("affdesk/affdesk.sqlite")
    }

    /// The database, which must already hold a program: never created or given a schema as a
    /// side effect of a typo or an empty file (only `init` and `demo` make one). A command that
    /// only reads opens it read-only, which never writes or migrates the file.
    func open(readOnly: Bool = false) throws -> Store {
        try Store.open(existing: path, readOnly: readOnly)
    }
}

func absolute(_ p: String) -> String {
    if p.hasPrefix("/") { return p }
    return (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(p)
}

/// The OS user, for the audit log.
func currentUser() -> String {
    if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
    return ProcessInfo.processInfo.environment["USER"] ?? "uid \(geteuid())"
}

/// Exits with a clear message naming what was wrong.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// The ranges of the whole numbers the command line takes.
enum Bounds {
    /// `--limit`: rows to print.
    static let rows: ClosedRange<Int64> = 0...1_000_000_000
    /// `ingest --batch`: events per transaction.
    static let batch: ClosedRange<Int64> = 1...1_000_000
    /// An event or key id.
    static let id: ClosedRange<Int64> = 1...Int64.max
}

/// A whole number given on the command line, read from its text. Such options are declared as
/// text with `parsing: .unconditional` (arguments with `.allUnrecognized`), so that "-1" reaches
/// this check as a value instead of being taken for an option ("Missing value").
func wholeNumber(_ text: String, _ name: String, in range: ClosedRange<Int64>) throws -> Int64 {
    guard let n = Int64(text), range.contains(n) else {
        func g(_ v: Int64) -> String { Money.grouped(String(v)) }
        throw Failure("\(name) must be a whole number from \(g(range.lowerBound)) to \(g(range.upperBound)), got \"\(text)\"")
    }
    return n
}

/// The one value of a positional argument declared with `parsing: .allUnrecognized`.
func single(_ values: [String], _ name: String) throws -> String {
    guard values.count == 1 else {
        throw Failure(values.isEmpty ? "give the \(name)" : "give one \(name), got \(values.map { "\"\($0)\"" }.joined(separator: " "))")
    }
    return values[0]
}

/// A `--limit` option's rows.
func rowLimit(_ text: String?) throws -> Int? {
    try text.map { Int(try wholeNumber($0, "--limit", in: Bounds.rows)) }
}

/// The value of a `--sort` option, or the error listing the choices.
func parseSort<T: RawRepresentable & CaseIterable>(_ value: String) throws -> T where T.RawValue == String {
    guard let s = T(rawValue: value) else {
        throw Failure("--sort: \"\(value)\" is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return s
}

/// The affiliate an `--affiliate CODE` option names.
func affiliateOption(_ code: String, in store: Store) throws -> AffiliateRow {
    guard let a = try store.affiliate(code: code) else { throw Failure("--affiliate: no affiliate \"\(code)\"") }
    return a
}

// MARK: - Output

/// Everything the command line prints goes through `Console`: each line is passed through the
/// dashboard's sanitizer (`Sanitize.text`), so a name, key, file name, path, argument or reason
/// quoted in any output or error can never drive the terminal (no C0/C1 controls, DEL, escape
/// sequences or bidi overrides reach it). Newlines between lines are kept. JSON is written by
/// `Out`, which escapes the same characters as `\uXXXX`, so sanitizing it changes nothing.
enum Console {
    /// `text` with every line sanitized; the newlines between lines are kept.
    static func safe(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { Sanitize.text(String($0)) }.joined(separator: "\n")
    }

    /// Writes to standard output (buffered, like `print`).
    static func out(_ text: String, terminator: String = "\n") {
        Swift.print(safe(text), terminator: safe(terminator))
    }

    /// Writes a line to standard error, after anything already printed to standard output.
    static func error(_ text: String) {
        fflush(nil)
        FileHandle.standardError.write(Data((safe(text) + "\n").utf8))
    }
}

/// `print` in this module is `Console.out`: a command cannot print a raw string by forgetting to
/// sanitize it (this declaration shadows the standard library's).
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    Console.out(items.map { "\($0)" }.joined(separator: separator), terminator: terminator)
}

func stderrPrint(_ s: String) {
    Console.error(s)
}

/// Plain-text tables for the terminal: every cell sanitized, widths by display cells.
struct Table {
    var headers: [String]
    var rightAligned: Set<Int> = []
    var rows: [[String]] = []
    var maxWidth = 42

    mutating func add(_ cells: [String]) { rows.append(cells.map { Sanitize.text($0) }) }

    func render() -> String {
        var widths = headers.map { Width.of($0) }
        for r in rows { for (i, c) in r.enumerated() { widths[i] = min(maxWidth, max(widths[i], Width.of(c))) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                Width.fit(c, to: widths[i], align: rightAligned.contains(i) ? .right : .left)
            }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var out = [line(headers), line(widths.map { String(repeating: "─", count: $0) })]
        out += rows.map(line)
        return out.joined(separator: "\n")
    }
}

/// A JSON value with ordered keys, for `--json` output.
indirect enum Out {
    case obj([(String, Out)]), arr([Out]), str(String), int(Int64), bool(Bool), null

    static func s(_ v: String?) -> Out { v.map(Out.str) ?? .null }
    static func i(_ v: Int64?) -> Out { v.map(Out.int) ?? .null }
    static func i(_ v: Int) -> Out { .int(Int64(v)) }

    var text: String {
        var o = ""
        write(&o, indent: 0)
        return o
    }

    func write(_ o: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1), end = String(repeating: "  ", count: indent)
        switch self {
        case .obj(let kv):
            if kv.isEmpty { o += "{}"; return }
            o += "{\n"
            for (n, (k, v)) in kv.enumerated() {
                o += pad + Out.quote(k) + ": "
                v.write(&o, indent: indent + 1)
                o += n == kv.count - 1 ? "\n" : ",\n"
            }
            o += end + "}"
        case .arr(let a):
            if a.isEmpty { o += "[]"; return }
            o += "[\n"
            for (n, v) in a.enumerated() {
                o += pad
                v.write(&o, indent: indent + 1)
                o += n == a.count - 1 ? "\n" : ",\n"
            }
            o += end + "]"
        case .str(let s): o += Out.quote(s)
        case .int(let i): o += String(i)
        case .bool(let b): o += b ? "true" : "false"
        case .null: o += "null"
        }
    }

    static func quote(_ s: String) -> String {
        var o = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": o += "\\\""
            case "\\": o += "\\\\"
            case "\n": o += "\\n"
            case "\r": o += "\\r"
            case "\t": o += "\\t"
            default:
                if mustEscape(u) {
                    o += escaped(u)
                } else {
                    o.unicodeScalars.append(u)
                }
            }
        }
        return o + "\""
    }

    /// What a terminal must not see raw: C0 and C1 controls, DEL, U+2028/U+2029, and every
    /// character the sanitizer drops on its own (bidi controls, other invisible format characters).
    static func mustEscape(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x20 || (0x7F...0x9F).contains(v) { return true }
        if v < 0xAD { return false }
        let one = String(u)
        return Sanitize.text(one) != one
    }

    /// `\uXXXX`, as a UTF-16 surrogate pair past the Basic Multilingual Plane.
    static func escaped(_ u: Unicode.Scalar) -> String {
        String(u).utf16.map { unit in
            let h = String(unit, radix: 16)
            return "\\u" + String(repeating: "0", count: 4 - h.count) + h
        }.joined()
    }
}

func parseMoney(_ text: String, currency: String?, field: String, default def: Currency) throws -> Money {
    let cur: Currency
    if let c = currency {
        do { cur = try Currency(c) } catch { throw Failure("--currency: \(error)") }
    } else { cur = def }
    do { return try Money.parse(text, currency: cur) } catch { throw Failure("\(field): \(error)") }
}

func parseStatus(_ name: String, _ settings: ProgramSettings) throws -> CustomerStatus {
    guard let s = settings.model.status(named: name) else {
        let names = CustomerStatus.allCases.map { "\(settings.label($0)) (\($0.rawValue))" }.joined(separator: ", ")
        throw Failure("status \"\(name)\" is unknown; use one of: \(names)")
    }
    return s
}

/// Prints a refusal the way every command does, and fails the command.
func report(_ d: Decision, success: String) throws {
    if d.isAccepted {
        print(success + (d.detail.map { " (\($0))" } ?? ""))
        for n in d.notes { print("  note \(n.rawValue): \(n.sentence)") }
    } else {
        let r = d.reason!
        throw Failure("refused: \(r.rawValue): \(r.sentence)\(d.detail.map { " (\($0))" } ?? "")\n  fix: \(r.hint)")
    }
}
