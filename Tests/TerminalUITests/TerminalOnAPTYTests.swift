import Foundation
import TerminalText
@testable import TerminalUI
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real `Terminal` (ncurses) on a pseudo-terminal: for the length of each check, standard
/// input and output of the test process are the pty's slave and a thread drains its master.
/// Assertions are made after the real standard output is back.
final class TerminalOnAPTYTests: XCTestCase {
    /// Reads everything the terminal writes, so ncurses never blocks on a full pty.
    final class Drain: @unchecked Sendable {
        let master: Int32
        private let lock = NSLock()
        private var stopFlag = false
        private var done = false
        private var bytes: [UInt8] = []

        init(master: Int32) { self.master = master }

        func start() {
            let t = Thread { [self] in
                var chunk = [UInt8](repeating: 0, count: 65536)
                while !lock.withLock({ stopFlag }) {
                    var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                    guard poll(&p, 1, 20) > 0 else { continue }
                    let n = chunk.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                    if n <= 0 { break }
                    lock.withLock { bytes += chunk[0..<n] }
                }
                lock.withLock { done = true }
            }
            t.start()
        }

        func stop() {
            lock.withLock { stopFlag = true }
            while !lock.withLock({ done }) { usleep(1_000) }
        }

        var output: String { lock.withLock { String(decoding: bytes, as: UTF8.self) } }
    }

    /// Sets the pty's window size (what an SSH client or terminal emulator does on resize).
    static func setSize(_ master: Int32, rows: Int, cols: Int) {
        var ws = winsize(ws_row: UInt16(rows), ws_col: UInt16(cols), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &ws)
    }

    private typealias IntFunction = @convention(c) (Int32) -> Int32
    private typealias NameFunction = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

    /// posix_openpt, grantpt, unlockpt and ptsname, looked up at run time (the Glibc module
    /// does not declare them): a new pty's master and its slave's path.
    static func openMaster() -> (Int32, String)? {
        guard let o = dlsym(nil, "posix_openpt"), let g = dlsym(nil, "grantpt"), let u = dlsym(nil, "unlockpt"),
              let n = dlsym(nil, "ptsname") else { return nil }
        let master = unsafeBitCast(o, to: IntFunction.self)(O_RDWR | O_NOCTTY)
        guard master >= 0, unsafeBitCast(g, to: IntFunction.self)(master) == 0, unsafeBitCast(u, to: IntFunction.self)(master) == 0,
              let name = unsafeBitCast(n, to: NameFunction.self)(master) else { return nil }
        return (master, String(cString: name))
    }

    final class Flag { var value = true }

    /// Runs `body` with a Terminal started on a new `rows` x `cols` pty; returns what it
    /// returned and everything the terminal wrote. `closeMaster` lets the body hang up the pty.
    func onPTY<T>(rows: Int, cols: Int, _ body: (Terminal, _ master: Int32, _ hangUp: () -> Void) -> T) throws -> (T, String) {
        guard let (master, name) = Self.openMaster() else {
            throw XCTSkip("no pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        let slave = open(name, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw XCTSkip("cannot open the pty's slave") }
        Self.setSize(master, rows: rows, cols: cols)
        let drain = Drain(master: master)
        drain.start()
        fflush(nil)
        let saved = (dup(0), dup(1))
        let oldTerm = getenv("TERM").map { String(cString: $0) }
        setenv("TERM", "xterm-256color", 1)
        dup2(slave, 0)
        dup2(slave, 1)
        let masterOpen = Flag()
        let hangUp: () -> Void = {
            drain.stop()
            close(master)
            masterOpen.value = false
        }
        var result: T?
        var failure: Error?
        do {
            if let term = try Terminal.start(colors: true, mouse: true) {
                result = body(term, master, hangUp)
                term.stop()
            }
        } catch { failure = error }
        fflush(nil)
        dup2(saved.0, 0)
        dup2(saved.1, 1)
        close(saved.0)
        close(saved.1)
        close(slave)
        if let oldTerm { setenv("TERM", oldTerm, 1) } else { unsetenv("TERM") }
        if masterOpen.value {
            drain.stop()
            close(master)
        }
        if let failure { throw failure }
        return (try XCTUnwrap(result, "Terminal.start returned nil on the pty"), drain.output)
    }

    /// The real nextInput with deadlines a fraction of a millisecond away, thousands of times:
    /// every one is a tick, none a hang-up (the issue: 1,000 immediate ERRs were a "hang-up").
    func testSubMillisecondDeadlinesAreTicksOnARealTerminal() throws {
        let (outcomes, _) = try onPTY(rows: 24, cols: 80) { term, _, _ -> [Input: Int] in
            var outcomes: [Input: Int] = [:]
            for i in 0..<5_000 {
                let deadline = term.waiter.now() + .nanoseconds(Int64(1_000 + (i * 7_919) % 998_000))
                outcomes[term.nextInput(until: deadline), default: 0] += 1
            }
            // And whole timeouts, the way the dashboard calls it.
            for _ in 0..<20 { outcomes[term.nextInput(timeoutMs: 1), default: 0] += 1 }
            return outcomes
        }
        XCTAssertEqual(outcomes, [.tick: 5_020])
    }

    /// Sizes from 1x1 to 65535x65535 set on the pty, each followed by SIGWINCH: every one is
    /// a `.resize` within `ScreenSize`, the screen has that size, and frames of any size draw.
    func testAResizeStormOfAnySizeStaysWithinBoundsAndDraws() throws {
        let sizes = [(65535, 65535), (24, 80), (1, 1), (65535, 1), (1, 65535), (0, 0), (500, 1000), (501, 1001),
                     (2, 3), (65535, 65535), (40, 120), (0, 200), (24, 80)]
        let (report, output) = try onPTY(rows: 24, cols: 80) { term, master, _ -> [String] in
            var report: [String] = []
            var expected = (width: 80, height: 24)
            for round in 0..<3 {
                for (rows, cols) in sizes {
                    Self.setSize(master, rows: rows, cols: cols)
                    kill(getpid(), SIGWINCH)
                    let input = term.nextInput(timeoutMs: 20)
                    let before = expected
                    if let s = ScreenSize.usable(width: cols, height: rows) { expected = s }
                    let changed = before != expected
                    if changed && input != .resize(width: expected.width, height: expected.height) {
                        report.append("round \(round), \(rows)x\(cols): \(input), expected a resize to \(expected)")
                    }
                    if !changed && input != .tick { report.append("round \(round), \(rows)x\(cols): \(input), expected a tick") }
                    if term.size != expected { report.append("round \(round), \(rows)x\(cols): size \(term.size), expected \(expected)") }
                    for (w, h) in [(expected.width, expected.height), (1, 1), (expected.width + 7, expected.height + 3), (3, 500)] {
                        var frame = Frame(width: w, height: h)
                        _ = frame.put("Customer #1 界", x: 0, y: 0)
                        term.draw(frame)
                    }
                }
            }
            Self.setSize(master, rows: 24, cols: 80)
            return report
        }
        XCTAssertEqual(report, [])
        XCTAssertTrue(output.contains("Customer #1"), "nothing drawn")
    }

    /// A pty whose other side is gone (the SSH connection or the terminal window closed) is a
    /// hang-up, at once.
    func testAHungUpTerminalIsAHangUpAtOnce() throws {
        let ((input, seconds), _) = try onPTY(rows: 24, cols: 80) { term, _, hangUp -> (Input, Double) in
            _ = term.nextInput(timeoutMs: 10)
            hangUp()
            let start = Date()
            let input = term.nextInput(timeoutMs: 5_000)
            return (input, Date().timeIntervalSince(start))
        }
        XCTAssertEqual(input, .hangup)
        XCTAssertLessThan(seconds, 1)
    }
}
