import AttributionCore
@testable import TerminalUI
import XCTest
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `InputWaiter`, the waiting inside `Terminal.nextInput`, driven by a simulated terminal and
/// clock: a timeout is a tick whatever the time left, only a terminal that is gone is a hang-up,
/// and reads that fail early never make it spin.
final class InputWaitTests: XCTestCase {
    /// A terminal that never has input, on a clock the test controls. A read with a timeout
    /// returns ERR (errno 0) after the timeout, or up to `earlyBy` before it, as ncurses may
    /// (it measures in whole milliseconds); a read with a 0 timeout returns ERR at once, as
    /// get_wch does. `spuriousEvery` > 0 makes every n-th read return ERR at once.
    final class SimulatedTerminal {
        var clock: Duration = .seconds(1000)
        var reads = 0
        var zeroTimeouts = 0
        var pauses = 0
        var earlyBy: Duration = .zero
        var spuriousEvery = 0
        var gone = false
        var rng = SplitMix(seed: 9)

        var waiter: InputWaiter {
            InputWaiter(
                now: { self.clock },
                read: { timeout in
                    self.reads += 1
                    if timeout == 0 { self.zeroTimeouts += 1; return .error(errno: 0) }
                    if self.spuriousEvery > 0 && self.reads % self.spuriousEvery == 0 { return .error(errno: 0) }
                    let early = self.earlyBy == .zero ? .zero : self.earlyBy * Double(self.rng.next() % 1000) / 1000
                    self.clock += .milliseconds(Int(timeout)) - early
                    return .error(errno: 0)
                },
                inputGone: { self.gone },
                pause: { ms in self.pauses += 1; self.clock += .milliseconds(Int(ms)) })
        }
    }


    func testTheTimeoutIsTheTimeLeftRoundedUpToWholeMilliseconds() {
        XCTAssertNil(InputWaiter.timeoutMs(left: .zero))
        XCTAssertNil(InputWaiter.timeoutMs(left: .nanoseconds(-1)))
        XCTAssertNil(InputWaiter.timeoutMs(left: .seconds(-5)))
        XCTAssertEqual(InputWaiter.timeoutMs(left: .nanoseconds(1)), 1)
        XCTAssertEqual(InputWaiter.timeoutMs(left: .microseconds(300)), 1)
        XCTAssertEqual(InputWaiter.timeoutMs(left: .microseconds(999)), 1)
        XCTAssertEqual(InputWaiter.timeoutMs(left: .milliseconds(1)), 1)
        XCTAssertEqual(InputWaiter.timeoutMs(left: .microseconds(1001)), 2)
        XCTAssertEqual(InputWaiter.timeoutMs(left: .milliseconds(200)), 200)
        XCTAssertEqual(InputWaiter.timeoutMs(left: .seconds(Int64.max)), Int32.max)
    }

    /// The case, many thousands of times: deadlines a fraction of a millisecond away
    /// (and reads that come back up to a millisecond early) always end in a tick, and get_wch
    /// is never asked for a 0 ms wait.
    func testDeadlinesAFractionOfAMillisecondAwayAreTicksNeverHangUps() {
        let t = SimulatedTerminal()
        t.earlyBy = .microseconds(999)
        let waiter = t.waiter
        var outcomes: [InputWaiter.Outcome: Int] = [:]
        var endedEarly = 0
        for i in 0..<50_000 {
            let fraction = Duration.nanoseconds(Int64(1 + t.rng.next() % 999_999))
            let deadline = t.clock + (i % 10 == 0 ? .milliseconds(200) + fraction : fraction)
            outcomes[waiter.next(until: deadline), default: 0] += 1
            if t.clock < deadline { endedEarly += 1 }
        }
        XCTAssertEqual(outcomes, [.tick: 50_000])
        XCTAssertEqual(endedEarly, 0, "waits that ended before their deadline")
        XCTAssertEqual(t.zeroTimeouts, 0, "get_wch was asked for a 0 ms wait")
    }

    /// Reads that keep returning ERR at once with no error (not a timeout, not a hang-up):
    /// the session goes on ticking, pausing between bursts instead of spinning.
    func testReadsFailingEarlyNeverEndTheSessionAndNeverSpin() {
        let t = SimulatedTerminal()
        t.spuriousEvery = 1
        let waiter = t.waiter
        var outcomes: [InputWaiter.Outcome: Int] = [:]
        for _ in 0..<2_000 {
            outcomes[waiter.next(until: t.clock + .milliseconds(200)), default: 0] += 1
        }
        XCTAssertEqual(outcomes, [.tick: 2_000])
        // 200 ms at most 10 ms per pause: about 20 pauses and 16 reads each per tick.
        XCTAssertEqual(t.pauses, 2_000 * 20)
        XCTAssertLessThanOrEqual(t.reads, 2_000 * 20 * InputWaiter.errorsBeforePause)
        // Also with a fraction of a millisecond left.
        outcomes = [:]
        for i in 0..<20_000 {
            outcomes[waiter.next(until: t.clock + .nanoseconds(Int64(1 + (i * 7_919) % 999_999))), default: 0] += 1
        }
        XCTAssertEqual(outcomes, [.tick: 20_000])
    }

    func testOnlyATerminalThatIsGoneIsAHangUp() {
        for e in [EIO, ENXIO, EBADF, ENOTTY] {
            // With the input polling as gone: at once.
            var reads = 0
            let w = InputWaiter(now: { .zero }, read: { _ in reads += 1; return .error(errno: e) }, inputGone: { true }, pause: { _ in })
            XCTAssertEqual(w.next(until: .seconds(1)), .hangup, "errno \(e)")
            XCTAssertEqual(w.next(until: nil), .hangup, "errno \(e), no deadline")
            XCTAssertEqual(reads, 2)
            // Without: only when every read fails so, `errorsBeforePause` times in a row.
            reads = 0
            let repeated = InputWaiter(now: { .zero }, read: { _ in reads += 1; return .error(errno: e) }, inputGone: { false }, pause: { _ in })
            XCTAssertEqual(repeated.next(until: .seconds(1)), .hangup, "errno \(e) repeated")
            XCTAssertEqual(reads, InputWaiter.errorsBeforePause)
        }
        // A stale errno on a read that timed out is a tick.
        let stale = SimulatedTerminal()
        let staleWaiter = InputWaiter(now: { stale.clock }, read: { timeout in
            stale.clock += .milliseconds(Int(timeout))
            return .error(errno: ENOTTY)
        }, inputGone: { false }, pause: { _ in })
        var staleOutcomes: [InputWaiter.Outcome: Int] = [:]
        for i in 0..<1_000 {
            staleOutcomes[staleWaiter.next(until: stale.clock + .nanoseconds(Int64(1 + i * 997))), default: 0] += 1
        }
        XCTAssertEqual(staleOutcomes, [.tick: 1_000])
        // ERR before the deadline and the input polls as hung up (an end of file).
        let t = SimulatedTerminal()
        t.spuriousEvery = 1
        t.gone = true
        XCTAssertEqual(t.waiter.next(until: t.clock + .seconds(1)), .hangup)
        // A signal: the caller looks for a resize and waits on.
        let intr = InputWaiter(now: { .zero }, read: { _ in .error(errno: EINTR) }, inputGone: { true }, pause: { _ in })
        XCTAssertEqual(intr.next(until: .seconds(1)), .interrupted)
        // Input: returned as read.
        let key = InputWaiter(now: { .zero }, read: { _ in .char(0x71) }, inputGone: { true }, pause: { _ in })
        XCTAssertEqual(key.next(until: .seconds(1)), .read(.char(0x71)))
        XCTAssertEqual(key.next(until: nil), .read(.char(0x71)))
        // A deadline already past: a tick, without reading.
        var reads = 0
        let past = InputWaiter(now: { .seconds(2) }, read: { _ in reads += 1; return .error(errno: 0) }, inputGone: { true }, pause: { _ in })
        XCTAssertEqual(past.next(until: .seconds(1)), .tick)
        XCTAssertEqual(reads, 0)
    }

    func testScreenSizesAreCappedAndUnknownSizesChangeNothing() {
        XCTAssertNil(ScreenSize.usable(width: 0, height: 24))
        XCTAssertNil(ScreenSize.usable(width: 80, height: 0))
        XCTAssertNil(ScreenSize.usable(width: -1, height: -1))
        XCTAssertTrue(ScreenSize.usable(width: 1, height: 1)! == (1, 1))
        XCTAssertTrue(ScreenSize.usable(width: 80, height: 24)! == (80, 24))
        XCTAssertTrue(ScreenSize.usable(width: 65535, height: 65535)! == (ScreenSize.maxWidth, ScreenSize.maxHeight))
        XCTAssertTrue(ScreenSize.usable(width: 65535, height: 1)! == (ScreenSize.maxWidth, 1))
    }
}
