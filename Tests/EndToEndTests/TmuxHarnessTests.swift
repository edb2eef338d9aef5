import XCTest

/// Proves the end-to-end harness itself on ordinary programs, so a failing affdesk test is
/// about affdesk.
final class TmuxHarnessTests: XCTestCase {
    func testSpawnCapturesOutputAndStatus() throws {
        let r = try Spawn.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        XCTAssertEqual(r.status, 3)
        XCTAssertNil(r.signal)
        XCTAssertFalse(r.timedOut)
        XCTAssertEqual(r.output, "out\nerr\n")
    }

    func testSpawnStartsWithDefaultSignalsAndNoExtraDescriptors() throws {
        let r = try Spawn.run("/bin/sh", ["-c", "grep -E '^Sig(Blk|Ign)' /proc/self/status; ls /proc/self/fd | sort -n | tr '\\n' ' '"])
        XCTAssertEqual(r.status, 0)
        // Standard signals 1-31 (glibc keeps 32 and 33 for itself).
        for field in ["SigBlk", "SigIgn"] {
            let line = r.output.split(separator: "\n").first { $0.hasPrefix(field + ":") }
            let mask = line.flatMap { UInt64($0.split(separator: "\t").last ?? "", radix: 16) }
            XCTAssertEqual(mask.map { $0 & 0x7FFF_FFFF }, 0, "\(field): \(r.output)")
        }
        // 0, 1, 2, and 3 for the directory ls reads.
        XCTAssertTrue(r.output.hasSuffix("0 1 2 3 "), r.output)
    }

    func testSpawnTimeLimit() throws {
        let start = Date()
        let r = try Spawn.run("/bin/sh", ["-c", "sleep 30"], timeout: 0.3)
        XCTAssertTrue(r.timedOut)
        XCTAssertEqual(r.signal, SIGKILL)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }

    func testTmuxHarness() throws {
        // "hello" is printed once echo is off, so nothing typed after it is echoed twice.
        let tmux = try Tmux(command: "stty -echo; printf 'hello\\n'; cat", width: 40, height: 10)
        defer { tmux.kill() }

        let first = try tmux.waitFor("hello", timeout: 10)
        XCTAssertEqual(first.first, "hello")
        XCTAssertEqual(first.count, 10)

        tmux.type("typed 日本")
        tmux.sendKeys("Enter")
        try tmux.waitFor("typed 日本")
        tmux.sendKeys("a", "b", "Enter")
        let screen = try tmux.waitFor("ab")
        XCTAssertEqual(Array(screen.prefix(3)), ["hello", "typed 日本", "ab"])

        tmux.resize(width: 30, height: 6)
        let small = try tmux.waitUntil("6 lines") { $0.count == 6 }
        XCTAssertEqual(small.first, "hello")

        XCTAssertTrue(tmux.isRunning)
        tmux.sendKeys("C-d")
        XCTAssertEqual(try tmux.waitForExit(), 0)
        XCTAssertFalse(tmux.isRunning)

        tmux.kill()
        tmux.kill()   // idempotent
        XCTAssertEqual(tmux.capture(), [])
    }

    func testExitStatusAndEnvironment() throws {
        let tmux = try Tmux(command: "echo \"term=$TERM flag=$AFFDESK_FLAG\"; read line; exit 7", width: 40, height: 5,
                            environment: ["AFFDESK_FLAG": "on"])
        defer { tmux.kill() }
        XCTAssertEqual(try tmux.waitFor("flag=").first, "term=tmux-256color flag=on")
        tmux.sendKeys("Enter")
        XCTAssertEqual(try tmux.waitForExit(), 7)
        XCTAssertEqual(tmux.capture().first, "term=tmux-256color flag=on")
    }

    func testBinaryPathFindsTheProductsDirectory() throws {
        // The test bundle itself lives in the products directory; affdesk may not be built
        // when only this target was, so look for something that always is.
        let path = try? Tmux.binaryPath()
        if let path { XCTAssertTrue(path.hasSuffix("/affdesk"), path) }
    }
}
