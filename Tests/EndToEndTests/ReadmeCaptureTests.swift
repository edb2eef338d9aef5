import Foundation
import XCTest

/// Every screen capture in README.md comes from the binary: each is a fenced block right after
/// a comment naming the command that draws it,
///
///     <!-- capture: affdesk demo --snapshot 100x30 --keys "2" | head -n 14 -->
///
/// (`DEMO` in a command is a demo database built once with `affdesk demo --db DEMO`; `| head -n N`
/// keeps the first N lines; trailing spaces are dropped). This test runs each command and fails
/// when the block differs from what the binary prints. `AFFDESK_UPDATE_README=1 swift test
/// --filter ReadmeCaptureTests` rewrites the blocks from the binary instead.
final class ReadmeCaptureTests: CLITestCase {
    struct Capture {
        var command: String
        /// The block's text lines, and where they sit in the README (a range of its lines).
        var lines: [String]
        var range: Range<Int>
    }

    static var readmePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md").path
    }

    /// The marked captures of a README's text.
    static func captures(_ readme: [String]) -> [Capture] {
        var out: [Capture] = []
        var i = 0
        while i < readme.count {
            let line = readme[i].trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("<!-- capture:"), line.hasSuffix("-->"), i + 1 < readme.count, readme[i + 1].hasPrefix("```") {
                let command = String(line.dropFirst("<!-- capture:".count).dropLast("-->".count)).trimmingCharacters(in: .whitespaces)
                var end = i + 2
                while end < readme.count, readme[end] != "```" { end += 1 }
                out.append(Capture(command: command, lines: Array(readme[(i + 2)..<end]), range: (i + 2)..<end))
                i = end
            }
            i += 1
        }
        return out
    }

    /// Words split at spaces, double quotes keeping spaces.
    static func words(_ text: String) -> [String] {
        var out: [String] = [], word = "", quoted = false, started = false
        for ch in text {
            if ch == "\"" { quoted.toggle(); started = true } else if ch == " " && !quoted {
                if started { out.append(word) }
                word = ""; started = false
            } else { word.append(ch); started = true }
        }
        if started { out.append(word) }
        return out
    }

    /// A capture's command started (it runs beside the others: each is its own process on its
    /// own database); `printed` waits for it.
    struct Drawing {
        var child: CLIRunner.Child
        var head: Int?
    }

    func startDrawing(_ command: String, demo: () throws -> String) throws -> Drawing {
        var text = command, head: Int?
        if let bar = text.range(of: " | head -n ") {
            head = Int(text[bar.upperBound...].trimmingCharacters(in: .whitespaces))
            text = String(text[..<bar.lowerBound])
        }
        var args = Self.words(text)
        XCTAssertEqual(args.first, "affdesk", command)
        args.removeFirst()
        if args.contains("DEMO") { let d = try demo(); args = args.map { $0 == "DEMO" ? d : $0 } }
        return Drawing(child: try CLIRunner.start(args), head: head)
    }

    /// What the binary printed for a capture's command, as the README holds it.
    func printed(_ command: String, _ drawing: Drawing) -> [String] {
        let r = drawing.child.finish(timeout: 900)
        let head = drawing.head
        XCTAssertTrue(r.succeeded, "\(command): \(r.stderr)")
        var lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        while lines.last == "" { lines.removeLast() }
        if let head { lines = Array(lines.prefix(head)) }
        return lines
    }

    func testEveryReadmeCaptureIsWhatTheBinaryDraws() throws {
        let path = Self.readmePath
        var readme = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        let captures = Self.captures(readme)
        XCTAssertGreaterThanOrEqual(captures.count, 5, "the README's captures are marked")
        var demoDB: String?
        let demo = { () throws -> String in
            if let d = demoDB { return d }
            let d = self.dir + "/demo.sqlite"
            try DemoDatabase.copy(to: d)
            demoDB = d
            return d
        }
        let update = ProcessInfo.processInfo.environment["AFFDESK_UPDATE_README"] == "1"
        // All started at once, then read from the last, so that rewriting a block keeps the
        // earlier ranges.
        let drawings = try captures.map { try startDrawing($0.command, demo: demo) }
        for (c, d) in zip(captures, drawings).reversed() {
            let drawn = printed(c.command, d)
            if update {
                readme.replaceSubrange(c.range, with: drawn)
            } else {
                XCTAssertEqual(c.lines, drawn, "README capture \"\(c.command)\" differs from the binary; "
                               + "AFFDESK_UPDATE_README=1 swift test --filter ReadmeCaptureTests rewrites it:\n"
                               + drawn.joined(separator: "\n"))
            }
        }
        if update { try readme.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8) }
    }

    /// The README's shell sessions (the Triage walkthrough): every command run again, in order,
    /// on a private database; what it prints is what the README shows.
    func testEveryReadmeTranscriptIsWhatTheBinaryPrints() throws {
        let path = Self.readmePath
        var readme = try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\n")
        let blocks = Transcript.blocks(readme)
        XCTAssertGreaterThanOrEqual(blocks.count, 2, "the Triage walkthrough's transcripts are marked")
        var sessions: [String: TranscriptSession] = [:]
        var drawn: [(Transcript.Block, [String])] = []
        for b in blocks {
            let session = try sessions[b.name] ?? TranscriptSession(dir: dir + "/transcript-\(sessions.count)")
            sessions[b.name] = session
            var out: [Transcript.Step] = []
            for step in Transcript.steps(b.lines) { out.append(Transcript.Step(command: step.command, output: try session.run(step))) }
            drawn.append((b, Transcript.lines(out)))
        }
        if ProcessInfo.processInfo.environment["AFFDESK_UPDATE_README"] == "1" {
            for (b, lines) in drawn.reversed() { readme.replaceSubrange(b.range, with: lines) }
            try readme.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        for (b, lines) in drawn {
            XCTAssertEqual(b.lines, lines, "README transcript \"\(b.name)\" differs from the binary; "
                           + "AFFDESK_UPDATE_README=1 swift test --filter ReadmeCaptureTests rewrites it:\n" + lines.joined(separator: "\n"))
        }
    }

    func testTranscriptMarkersAndSteps() {
        let text = ["a", "<!-- transcript: walk -->", "```", "$ export AFFDESK_DB=/tmp/x.sqlite", "$ affdesk init", "created", "```"]
        let b = Transcript.blocks(text)
        XCTAssertEqual(b.map(\.name), ["walk"])
        XCTAssertEqual(b.first?.range, 3..<6)
        let steps = Transcript.steps(b.first?.lines ?? [])
        XCTAssertEqual(steps, [Transcript.Step(command: "export AFFDESK_DB=/tmp/x.sqlite", output: []),
                               Transcript.Step(command: "affdesk init", output: ["created"])])
        XCTAssertEqual(Transcript.lines(steps), Array(text[3..<6]))
    }

    /// The parser the test relies on.
    func testCaptureMarkersAndCommandWords() {
        let text = ["a", "<!-- capture: affdesk demo --keys \"2 Enter\" | head -n 3 -->", "```", "x", "y", "```", "b"]
        let c = Self.captures(text)
        XCTAssertEqual(c.map(\.command), ["affdesk demo --keys \"2 Enter\" | head -n 3"])
        XCTAssertEqual(c.first?.lines, ["x", "y"])
        XCTAssertEqual(c.first?.range, 3..<5)
        XCTAssertEqual(Self.words("affdesk demo --keys \"2 Enter\" --x \"\""), ["affdesk", "demo", "--keys", "2 Enter", "--x", ""])
    }
}
