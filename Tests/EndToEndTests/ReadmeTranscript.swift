import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A shell session shown in the README: a fenced block right after `<!-- transcript: NAME -->`,
/// each `$ ` line a command followed by what it printed. The blocks of one NAME are one session,
/// in the README's order (prose may sit between them). `ReadmeCaptureTests` runs every command
/// again and compares, or rewrites the outputs with `AFFDESK_UPDATE_README=1`.
///
/// - `$ export AFFDESK_DB=PATH`: the session's database, a private file shown as PATH;
/// - `$ cat FILE`: its output is the file's content, written into the session's directory;
/// - any other line runs in `sh` in that directory, `affdesk` being the binary under test,
///   stderr with stdout, TZ=UTC. The moment of the run ("2026-11-29 19:49") and the user
///   ("root") are printed as the README has them.
enum Transcript {
    struct Block {
        var name: String
        var lines: [String]
        var range: Range<Int>
    }

    struct Step: Equatable {
        var command: String
        var output: [String]
    }

    static let marker = "<!-- transcript:"
    /// How the moment of the run and the user appear in the README.
    static let shownNow = "2026-11-29 19:49"
    static let shownUser = "root"

    static func blocks(_ readme: [String]) -> [Block] {
        var out: [Block] = []
        var i = 0
        while i < readme.count {
            let line = readme[i].trimmingCharacters(in: .whitespaces)
            if line.hasPrefix(marker), line.hasSuffix("-->"), i + 1 < readme.count, readme[i + 1].hasPrefix("```") {
                let name = String(line.dropFirst(marker.count).dropLast("-->".count)).trimmingCharacters(in: .whitespaces)
                var end = i + 2
                while end < readme.count, readme[end] != "```" { end += 1 }
                out.append(Block(name: name, lines: Array(readme[(i + 2)..<end]), range: (i + 2)..<end))
                i = end
            }
            i += 1
        }
        return out
    }

    static func steps(_ lines: [String]) -> [Step] {
        var out: [Step] = []
        for line in lines {
            if line.hasPrefix("$ ") { out.append(Step(command: String(line.dropFirst(2)), output: [])) } else if !out.isEmpty {
                out[out.count - 1].output.append(line)
            }
        }
        return out
    }

    static func lines(_ steps: [Step]) -> [String] { steps.flatMap { ["$ " + $0.command] + $0.output } }
}

/// One transcript's session: its directory, its database, the commands run in order.
final class TranscriptSession {
    let dir: String
    var db: String
    var shownDB: String?

    init(dir: String) throws {
        self.dir = dir
        db = dir + "/affdesk.sqlite"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    func run(_ step: Transcript.Step) throws -> [String] {
        let exportDB = "export AFFDESK_DB="
        if step.command.hasPrefix(exportDB) {
            let shown = String(step.command.dropFirst(exportDB.count))
            shownDB = shown
            db = dir + "/" + (shown as NSString).lastPathComponent
            return step.output
        }
        let words = step.command.split(separator: " ")
        if words.count == 2, words[0] == "cat" {
            try (step.output.joined(separator: "\n") + "\n").write(toFile: dir + "/" + words[1], atomically: true, encoding: .utf8)
            return step.output
        }
        let script = #"b="$1"; shift; affdesk() { "$b" "$@"; }; cd "$TRANSCRIPT_DIR" || exit 97; exec 2>&1; "# + step.command
        let r = try CLIRunner.run([], environment: ["AFFDESK_DB": db, "TZ": "UTC", "TRANSCRIPT_DIR": dir],
                                  prefix: ["/bin/sh", "-c", script, "sh"])
        XCTAssertFalse(r.timedOut, step.command)
        return normalize(r.stdout + r.stderr)
    }

    /// The output as the README shows it: its paths, the moment and the user it names.
    func normalize(_ text: String) -> [String] {
        var t = text
        if let shown = shownDB {
            t = t.replacingOccurrences(of: db, with: shown).replacingOccurrences(of: dir, with: (shown as NSString).deletingLastPathComponent)
        }
        t = Self.replacingRecentTimes(t)
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name {
            let user = NSRegularExpression.escapedPattern(for: String(cString: name))
            for (pattern, template) in [("(?m) by \(user)$", " by \(Transcript.shownUser)"), ("  \(user)  ", "  \(Transcript.shownUser)  ")] {
                t = t.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
            }
        }
        var lines = t.components(separatedBy: "\n").map { $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
        while lines.last == "" { lines.removeLast() }
        return lines
    }

    /// "YYYY-MM-DD HH:MM" within two days of now (the run's own writes) as `Transcript.shownNow`.
    static func replacingRecentTimes(_ text: String) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        let regex = try! NSRegularExpression(pattern: #"\d{4}-\d\d-\d\d \d\d:\d\d"#)
        let s = NSMutableString(string: text)
        for m in regex.matches(in: text, range: NSRange(location: 0, length: s.length)).reversed() {
            guard let d = f.date(from: s.substring(with: m.range)), abs(d.timeIntervalSinceNow) < 2 * 86_400 else { continue }
            s.replaceCharacters(in: m.range, with: Transcript.shownNow)
        }
        return s as String
    }
}
