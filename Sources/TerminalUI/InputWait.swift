#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How `Terminal.nextInput` waits for input until a deadline, and what a read that brought
/// nothing means. The terminal, the clock and the pause are passed in as functions, so tests
/// can drive the waiting with any timing (deadlines a fraction of a millisecond away, reads
/// that time out early or late) without a terminal.
///
/// The rules:
/// - A timeout is a tick, never a hang-up. The timeout handed to get_wch is the time left
///   rounded *up* to whole milliseconds (at least 1 ms), and when no time is left the wait
///   ends with a tick without reading, so get_wch is never asked for a 0 ms wait.
/// - Only evidence that the input is gone is a hang-up: `inputGone` (standard input polls as
///   POLLHUP / POLLERR / POLLNVAL, or is no longer a terminal) after a read that failed
///   before its deadline, or get_wch failing with EIO, ENXIO, EBADF or ENOTTY either with
///   that evidence or `errorsBeforePause` times in a row (a stale errno alone is not enough).
/// - A read interrupted by a signal (EINTR) is reported as `.interrupted`: the caller checks
///   for a resize and waits on with the same deadline.
/// - Reads that keep failing early with no such evidence never end the session and never
///   spin: after `errorsBeforePause` of them in a row the waiter pauses (`pauseMs`, at most
///   the time left) before reading again.
struct InputWaiter {
    /// What one get_wch brought.
    enum Read: Hashable {
        /// A character (get_wch returned OK).
        case char(UInt32)
        /// A KEY_* code (get_wch returned KEY_CODE_YES).
        case code(Int32)
        /// ERR, with errno as it was right after the call (0: none, e.g. a timeout).
        case error(errno: Int32)
    }

    enum Outcome: Hashable {
        case read(Read)
        /// The deadline passed with no input.
        case tick
        /// A signal interrupted the wait (e.g. SIGWINCH).
        case interrupted
        /// The input is gone: stop.
        case hangup
    }

    /// The time now, since any fixed origin (deadlines are measured from the same origin).
    var now: () -> Duration
    /// get_wch with a timeout in milliseconds (-1: wait without limit).
    var read: (_ timeoutMs: Int32) -> Read
    /// True when standard input has hung up, closed or stopped being a terminal.
    var inputGone: () -> Bool
    /// Sleeps `ms` milliseconds without reading.
    var pause: (_ ms: Int32) -> Void

    /// errno values from a read that mean the terminal is gone.
    static let hangupErrors: Set<Int32> = [EIO, ENXIO, EBADF, ENOTTY]
    static let errorsBeforePause = 16
    static let pauseMs: Int32 = 10

    /// Waits for one read, the deadline (nil: none) or a hang-up.
    func next(until deadline: Duration?) -> Outcome {
        var earlyErrors = 0
        var hangupErrorsInARow = 0
        while true {
            var timeout: Int32 = -1
            if let deadline {
                guard let t = Self.timeoutMs(left: deadline - now()) else { return .tick }
                timeout = t
            }
            let r = read(timeout)
            guard case .error(let e) = r else { return .read(r) }
            if Self.hangupErrors.contains(e) {
                hangupErrorsInARow += 1
                if hangupErrorsInARow >= Self.errorsBeforePause || inputGone() { return .hangup }
            } else {
                hangupErrorsInARow = 0
            }
            if e == EINTR { return .interrupted }
            if let deadline, now() >= deadline { return .tick }
            // ERR before the deadline with no error: an end of file, or a spurious wake-up.
            if inputGone() { return .hangup }
            earlyErrors += 1
            if earlyErrors >= Self.errorsBeforePause {
                earlyErrors = 0
                var ms = Self.pauseMs
                if let deadline, let left = Self.timeoutMs(left: deadline - now()) { ms = min(ms, left) }
                pause(ms)
            }
        }
    }

    /// The get_wch timeout that waits out `left`: whole milliseconds rounded up, at least 1;
    /// nil when nothing is left (the wait is over: a tick).
    static func timeoutMs(left: Duration) -> Int32? {
        guard left > .zero else { return nil }
        let (seconds, attoseconds) = left.components
        let perMs: Int64 = 1_000_000_000_000_000
        let (ms, over) = seconds.multipliedReportingOverflow(by: 1000)
        if over { return Int32.max }
        let total = ms.addingReportingOverflow((attoseconds + perMs - 1) / perMs)
        return total.overflow ? Int32.max : Int32(clamping: max(1, total.partialValue))
    }
}
