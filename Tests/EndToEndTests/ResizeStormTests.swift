import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resize storms: the dashboard and the affiliate view flipped between sizes from 1x1 to
/// 65535x65535 (an SSH client can send any of them) every 20 to 50 ms, over a pty the test
/// drives and in tmux. Afterwards each is still running, answers a key, and nothing of a crash
/// report reached the terminal. The storms are short (a few seconds each); a long one is the
/// same code with a larger `stormSeconds`.
final class ResizeStormTests: XCTestCase {
    var program: SessionProgram!
    let stormSeconds = 3.0
    /// The most memory a view may use after a storm (its peak resident size): the capped
    /// screen takes a few tens of MB; a 10000x10000 one took over 2 GB.
    static let peakMemoryLimitMB = 400
    /// How long the first redraw after a storm may take (a frozen program is a hang; the
    /// capped one takes well under a second, even in a debug build on a busy machine).
    static let redrawLimitSeconds = 20.0
    let timeout = 60.0

    override func setUpWithError() throws {
        program = try SessionProgram(test: self, ssh: false)
    }

    override func tearDownWithError() throws {
        program?.remove()
    }

    /// The sizes of a storm, `largest` the biggest side: the extremes first, then sizes spread
    /// over 1...largest (deterministic).
    static func stormSizes(_ count: Int, largest: Int) -> [(rows: Int, cols: Int)] {
        var sizes: [(rows: Int, cols: Int)] = [(largest, largest), (24, 80), (1, 1), (largest, 1), (1, largest), (24, 80),
                                               (largest, largest), (2, 2), (500, 1000), (501, 1001), (1, 80), (24, 1)]
        var x: UInt64 = 42
        while sizes.count < count {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let r = Int((x >> 33) % UInt64(largest)) + 1
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let c = Int((x >> 33) % UInt64(largest)) + 1
            sizes.append(sizes.count % 2 == 0 ? (largest, largest) : (r % 3 == 0 ? (r, c) : (24, 80)))
        }
        return sizes
    }

    func testAResizeStormOverAPTYNeitherCrashesNorShowsAReport() throws {
        var env = CLIRunner.environment([:])
        env["TERM"] = "xterm-256color"
        env["LANG"] = "C.UTF-8"
        env["AFFDESK_CRASH_DIR"] = program.crashDir
        env["NO_COLOR"] = nil
        let sessions = [
            ("the dashboard", try PTYSession(program.bin, ["--db", program.db], environment: env, rows: 24, cols: 80), "Session program"),
            ("the affiliate view", try PTYSession(program.bin, ["view", "--affiliate", "alpha", "--db", program.db],
                                                  environment: env, rows: 24, cols: 80), "Alma Alpha (alpha)"),
        ]
        defer { for (_, s, _) in sessions { s.end() } }
        for (name, s, title) in sessions {
            XCTAssertTrue(s.waitForOutput(title, timeout: timeout), "\(name) never drew its title:\n\(s.output)")
        }

        let start = Date()
        var n = 0
        let sizes = Self.stormSizes(400, largest: 65535)
        while Date().timeIntervalSince(start) < stormSeconds {
            let (rows, cols) = sizes[n % sizes.count]
            for (_, s, _) in sessions { s.resize(rows: rows, cols: cols) }
            usleep(UInt32(20_000 + (n % 4) * 10_000))   // 20, 30, 40, 50 ms
            n += 1
        }
        for (_, s, _) in sessions { s.resize(rows: 24, cols: 80) }

        for (name, s, _) in sessions {
            XCTAssertNil(s.status, "\(name) ended during a storm of \(n) sizes:\n\(tail(s.output))")
            s.type("q")
            XCTAssertEqual(s.waitForExit(timeout: timeout), 0, "\(name) after the storm: q\n\(tail(s.output))")
            for marker in crashReportMarkers where s.output.contains(marker) {
                XCTFail("\(name): \"\(marker)\" reached the terminal:\n\(tail(s.output))")
            }
        }
        XCTAssertGreaterThan(n, 40)
    }

    func testAResizeStormInTmuxNeitherCrashesNorShowsAReport() throws {
        // tmux's largest window is 10000x10000.
        let tmux = try Tmux(command: program.affdeskCommand("view --affiliate alpha"), width: 100, height: 30)
        defer { tmux.kill() }
        try tmux.waitFor("Alma Alpha (alpha)", timeout: timeout)
        let pid = try Processes.waitForOne(name: (program.bin as NSString).lastPathComponent, containing: ["view", program.db])
        let start = Date()
        var n = 0
        let sizes = Self.stormSizes(400, largest: 10000)
        while Date().timeIntervalSince(start) < stormSeconds {
            let (rows, cols) = sizes[n % sizes.count]
            tmux.resize(width: cols, height: rows)
            usleep(UInt32(20_000 + (n % 4) * 10_000))
            n += 1
        }
        tmux.resize(width: 80, height: 24)
        XCTAssertTrue(tmux.isRunning, "the view ended during the storm:\n\(tmux.capture().joined(separator: "\n"))")
        let stormEnd = Date()
        // A program that keeps to its capped size redraws at once; one that took the storm's
        // sizes (10000x10000) used gigabytes and stayed frozen for most of a minute.
        let screen = try tmux.waitUntil("a redraw at 80x24", timeout: Self.redrawLimitSeconds) { s in
            s.count == 24 && s[23].hasPrefix(" q quit") && s[0].contains("Alma Alpha (alpha)")
        }
        print("redraw after the storm: \(String(format: "%.1f", Date().timeIntervalSince(stormEnd))) s")
        XCTAssertTrue(screen.joined(separator: "\n").contains("Customer #1"), screen.joined(separator: "\n"))
        // The screen is capped (ScreenSize: 1000x500), so memory stays small whatever tmux says.
        let peak = Processes.peakMemoryMB(pid)
        XCTAssertLessThan(peak ?? 0, Self.peakMemoryLimitMB, "peak memory after the storm, MB")
        print("peak memory after the storm: \(peak ?? -1) MB")
        tmux.sendKeys("2")
        try tmux.waitUntil("My conversions", timeout: timeout) { s in s.contains { $0.hasPrefix(" Date") } }
        tmux.sendKeys("q")
        XCTAssertEqual(try tmux.waitForExit(timeout: timeout), 0)
        let after = tmux.capture().joined(separator: "\n")
        for marker in crashReportMarkers where after.contains(marker) { XCTFail("\"\(marker)\" on screen:\n\(after)") }
        XCTAssertGreaterThan(n, 40)
    }

    func tail(_ s: String) -> String { String(s.suffix(3000)).debugDescription }
}
