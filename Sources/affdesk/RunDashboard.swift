import AttributionCore
import AttributionStore
import Dashboard
import Foundation
import TerminalText
import TerminalUI

/// How long a typed filter waits for the next keystroke before it queries.
let dashboardFilterDelayMs = 120

/// Opens the dashboard on a terminal and runs it until the user quits or the terminal goes.
/// Without a usable terminal (no tty, TERM=dumb) prints the plain-text summary instead.
func runDashboard(store: Store, mode: Mode, ui: UIOptions, fallback: () throws -> String) throws {
    let noColor = ui.noColor || (ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false)
    guard let term = try Terminal.start(colors: !noColor, mouse: !ui.noMouse) else {
        let why = Terminal.unavailableReason() ?? "the terminal cannot address the cursor (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? ""))"
        stderrPrint("affdesk: no full-screen terminal (\(why)); printing a plain-text summary instead.")
        // An affiliate's `ssh -T` gets standard error too: a crash's messages go to a file.
        var affiliate = false
        if case .affiliate = mode { affiliate = true }
        let diversion = StderrDiversion(evenWithoutATerminal: affiliate)
        defer { diversion.restore() }
        print(try fallback())
        return
    }
    defer { term.stop() }
    let diversion = StderrDiversion()   // a crash's messages go to a file, not the screen
    defer { diversion.restore() }
    let size = term.size
    let session = try Session(store: store, mode: mode, who: currentUser(), clock: SystemClock(),
                              width: size.width, height: size.height, writes: .background,
                              reads: .background, filterDelayMs: dashboardFilterDelayMs,
                              loopClock: MonotonicLoopClock())
    slowListReadsForTests(session)
    // Times in the local zone (TZ), or UTC with --utc.
    session.send(.zone(ui.utc ? .utc : DisplayZone(TimeZone.current)))
    term.draw(session.frame)
    var copied = 0
    var lastTick = Date()
    loop: while !session.state.quit {
        // Reads run off this loop: it wakes soon while one runs, and when a typed filter is due.
        switch term.nextInput(timeoutMs: session.waitMs(idleMs: 200)) {
        case .key(let k): session.send(.key(k))
        case .mouse(let m): session.send(.mouse(m))
        case .resize(let w, let h): session.send(.resize(width: w, height: h))
        case .tick: break
        case .hangup: break loop
        }
        if Date().timeIntervalSince(lastTick) >= 0.5 {
            session.send(.tick)
            lastTick = Date()
        }
        session.wake()
        if session.state.quit { break }
        term.draw(session.frame)
        // `y`: the clipboard is written after the frame (OSC 52).
        if let c = session.state.clipboard, c.serial != copied { copied = c.serial; term.copyToClipboard(c.text) }
    }
}

/// For the end-to-end tests only: with AFFDESK_TEST_SLOW_LIST_READS_MS=N (at most 10,000) every
/// list read waits N ms on the background reader first, as on a store too big for its queries,
/// so a test can press keys while a load runs.
func slowListReadsForTests(_ session: Session) {
    guard let text = ProcessInfo.processInfo.environment["AFFDESK_TEST_SLOW_LIST_READS_MS"],
          let ms = Int(text), ms > 0 else { return }
    let wait = UInt32(min(ms, 10_000)) * 1000
    session.beforeRead = { e in
        if case .load = e { usleep(wait) }
    }
}
