import Foundation
import GRDB
import XCTest

/// Every byte the command line prints is safe for a terminal: hostile names, codes, keys, file
/// names, paths and arguments are echoed everywhere the CLI echoes them, and no run's stdout or
/// stderr ever holds a C0 control (other than newline), DEL, a C1 control or a bidi control.
/// `--json` escapes them as JSON does (`\u001b`), so the values still round-trip.
final class CLIOutputSanitizedTests: CLITestCase {
    /// ESC, BEL, CR, BS, U+202E, C1 CSI (0x9B), DEL, NEL (0x85), U+2028, and a working OSC 52
    /// clipboard write.
    static let hostile = "\u{1B}]52;c;SGVsbG8=\u{07}Evil\u{1B}[2J\r\u{08}\u{202E}gnp.exe\u{9B}31m\u{7F}\u{85}\u{2028}Zed"

    /// The scalars no output may hold: C0 but newline, DEL, C1, bidi controls, line/paragraph separators.
    static func unsafeScalars(_ text: String) -> [String] {
        text.unicodeScalars.filter { u in
            let v = u.value
            return (v < 0x20 && v != 0x0A) || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || v == 0x061C
                || v == 0x200E || v == 0x200F || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
        }.map { String(format: "U+%04X", $0.value) }
    }

    var runs: [(args: [String], result: CLIResult)] = []

    /// Runs affdesk and keeps what it printed for the scan.
    @discardableResult
    func run(_ args: [String], stdin: String? = nil) throws -> CLIResult {
        let r = try CLIRunner.run(args, stdin: stdin)
        XCTAssertFalse(r.timedOut, "\(args)")
        runs.append((args, r))
        return r
    }

    func assertEverythingPrintedIsSafe(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertGreaterThan(runs.count, 20, file: file, line: line)
        for (args, r) in runs {
            for (name, text) in [("stdout", r.stdout), ("stderr", r.stderr)] {
                let bad = Self.unsafeScalars(text)
                XCTAssertEqual(bad, [], "affdesk \(args.map { $0.debugDescription }.joined(separator: " ")): \(name) holds "
                               + "\(bad.joined(separator: ", ")):\n\(text.debugDescription)", file: file, line: line)
            }
        }
    }

    func testHostileTextIsNeverPrintedRaw() throws {
        let h = Self.hostile
        let db = self.db
        XCTAssertEqual(try run(["init", "--name", h, "--db", db]).status, 0)
        try run(["init", "--name", h, "--db", db])                          // already set up
        let show = try run(["program", "show", "--db", db])
        XCTAssertTrue(show.stdout.contains("program          Evil"), show.stdout)
        XCTAssertTrue(show.stdout.contains("Zed"), show.stdout)
        let showJSON = try run(["program", "show", "--json", "--db", db])
        XCTAssertEqual(try jsonObject(showJSON)["name"] as? String, h, "JSON carries the name whole, escaped")
        for escape in ["\\u001b", "\\u0007", "\\r", "\\u0008", "\\u202e", "\\u009b", "\\u007f", "\\u0085", "\\u2028"] {
            XCTAssertTrue(showJSON.stdout.contains(escape), "\(escape) in \(showJSON.stdout)")
        }
        try run(["program", "set", "--name", h, "--metadata-key", h, "--db", db])
        try run(["program", "set", "--model", h, "--db", db])
        try run(["program", "set", "--commission", h, "--db", db])

        try run(["affiliates", "add", "--code", "evil", "--name", h, "--email", h, "--db", db])   // refused: the email, quoted
        try run(["affiliates", "add", "--code", "evil", "--name", h, "--db", db])
        // The hostile email as an older build stored it (the core's email rule refuses it at the door now).
        try DatabaseQueue(path: db).write { try $0.execute(sql: "UPDATE affiliate SET email = ? WHERE code = 'evil'", arguments: [h]) }
        try run(["affiliates", "list", "--db", db])
        try run(["affiliates", "add", "--code", h, "--name", h, "--db", db])
        try run(["affiliates", "add", "--code", "evil", "--name", "again", "--db", db])  // duplicate, quoted
        try run(["affiliates", "add", "--code", "x2", "--name", "X", "--commission", h, "--db", db])
        try run(["affiliates", "disable", h, "--db", db])
        try run(["affiliates", "enable", h, "--db", db])
        try run(["affiliates", "list", "--db", db])
        try run(["affiliates", "list", "--json", "--db", db])

        // A file with a hostile name, holding hostile fields.
        let fileName = "ev\u{1B}]52;c;QUFB\u{07}\u{202E}lnosj.jsonl"
        let events = [
            #"{"type":"click","click_id":"c\u001b[31m1","affiliate":"evil","at":"2026-01-05T10:00:00Z"}"#,
            #"{"type":"lead","customer_key":"k\u001b]52;c;QQ==\u0007\u202e1","click_id":"c\u001b[31m1","email":"e\u009b2Jx@example.com","at":"2026-01-05T11:00:00Z"}"#,
            #"{"type":"lead","customer_key":"plain","click_id":"c\u001b[31m1","at":"2026-01-05T11:00:00Z"}"#,
            #"{"type":"conversion","external_id":"o\u001b[2J1","amount":"\u001b[31m12","customer_key":"plain","at":"2026-01-06T10:00:00Z"}"#,
            #"{"type":"\u001b]52;c;QQ==\u0007","at":"2026-01-06T10:00:00Z"}"#,
            "{\"type\":\"click\",\"click_id\":\"raw\u{1B}[2J\u{202E}\",\"affiliate\":\"nobody\u{9B}\",\"at\":\"2026-01-05T10:00:00Z\"}",
        ]
        let file = try write(fileName, events)
        try run(["ingest", file, "--db", db])
        try run(["ingest", file, "--json", "--db", db])
        try run(["ingest", "-", "--db", db], stdin: events.joined(separator: "\n") + "\n")
        try run(["ingest", dir + "/missing\u{1B}[2J\u{202E}.jsonl", "--db", db])
        try run(["ingest", "--format", h, "-", "--db", db], stdin: "")

        let key = "k\u{1B}]52;c;QQ==\u{07}\u{202E}1"
        for args in [["customers", "list"], ["customers", "list", "--json"], ["customers", "list", "--filter", h],
                     ["customers", "list", "--sort", h], ["customers", "list", "--status", h], ["customers", "list", "--affiliate", h],
                     ["customers", "show", key], ["customers", "show", key, "--json"], ["customers", "show", h],
                     ["customers", "set-status", key, "Lost"], ["customers", "set-status", h, "Lost"],
                     ["customers", "set-status", "plain", h], ["customers", "reassign", key, h], ["customers", "reassign", h, "evil"],
                     ["customers", "reassign", "plain", "evil"],
                     ["conversions", "list"], ["conversions", "list", "--json"], ["conversions", "list", "--customer", h],
                     ["conversions", "add", "--external-id", h, "--amount", "10.00", "--affiliate", "evil"],
                     ["conversions", "add", "--external-id", "m1", "--amount", h],
                     ["events", "list"], ["events", "list", "--json"], ["events", "list", "--reason", h],
                     ["triage", key], ["triage", key, "--json"], ["triage", h], ["triage", "c"], ["triage", "plain"],
                     ["events", "replay", "4"], ["events", "replay", "5"],
                     ["ssh", "add-key", h, dir + "/" + h + ".pub"], ["ssh", "list-keys"],
                     ["view", "--affiliate", h], ["view", "--affiliate", "evil", "--snapshot", "80x24"],
                     ["dashboard", "--snapshot", "100x30"], ["dashboard", "--snapshot", h]] {
            try run(args + ["--db", db])
        }
        // Argument errors quote what was typed; a hostile database path is named in errors.
        try run(["customers", "list", "--\u{1B}]52;c;QQ==\u{07}", "--db", db])
        try run([h, "--db", db])
        try run(["events", "replay", h, "--db", db])
        try run(["customers", "list", "--db", dir + "/" + h + ".sqlite"])
        try run(["customers", "list", "--limit", h, "--db", db])
        let s = try run(["customers", "show", key, "--db", db])
        XCTAssertTrue(s.stdout.contains("customer     k1") || s.stderr.contains("k1"), "the printable part is kept: \(s.stdout)\(s.stderr)")
        assertEverythingPrintedIsSafe()
    }

    /// Structurally: in the affdesk sources nothing writes to standard output or error except
    /// `Console` (Support.swift), which every `print` and `stderrPrint` goes through. The one other
    /// writer is the ingest's progress bar, fixed text on a terminal's standard error.
    func testNothingInTheCommandLineWritesAroundConsole() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/affdesk")
        let files = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { $0.hasSuffix(".swift") }
        XCTAssertTrue(files.contains("Support.swift"), "\(sources.path): \(files)")
        let bypasses = ["Swift.print(", "FileHandle.standardOutput", "FileHandle.standardError", "fputs(", "fwrite(", "putchar(",
                        "write(1,", "write(2,", "write(STDOUT_FILENO", "write(STDERR_FILENO", "dump("]
        for name in files where name != "Support.swift" {
            let text = try String(contentsOf: sources.appendingPathComponent(name), encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for b in bypasses where line.contains(b) {
                    let progressBar = name == "IngestCommand.swift" && line.contains("FileHandle.standardError.write(Data(\"\\r")
                    XCTAssertTrue(progressBar, "\(name):\(n + 1) writes around Console: \(line)")
                }
            }
        }
    }

    /// The JSON writer escapes what a terminal must not see, and the value still round-trips.
    func testJSONOutputEscapesControlsAndBidiAndSeparators() throws {
        let name = "a\u{1B}b\u{9B}c\u{7F}d\u{2028}e\u{2029}f\u{202E}g\u{2066}h\u{200F}i\u{061C}j\u{FEFF}k"
        try affdesk("init", "--name", name, "--db", db)
        let r = try affdesk("program", "show", "--json", "--db", db)
        XCTAssertEqual(try jsonObject(r)["name"] as? String, name)
        XCTAssertEqual(Self.unsafeScalars(r.stdout), [])
        for escape in ["\\u001b", "\\u009b", "\\u007f", "\\u2028", "\\u2029", "\\u202e", "\\u2066", "\\u200f", "\\u061c", "\\ufeff"] {
            XCTAssertTrue(r.stdout.contains(escape), "\(escape) in \(r.stdout)")
        }
    }
}
