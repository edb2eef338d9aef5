import AttributionCore
import AttributionStore
import Dashboard
import Foundation
import TerminalText
import TerminalUI

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
                              width: size.width, height: size.height, writes: .background)
    // Times in the local zone (TZ); `TZ=UTC` shows UTC. (A `--utc` flag needs a line in
    // UIOptions: `ui.utc ? .utc : DisplayZone(TimeZone.current)`.)
    session.send(.zone(DisplayZone(TimeZone.current)))
    term.draw(session.frame)
    var copied = 0
    var lastTick = Date()
    loop: while !session.state.quit {
        switch term.nextInput(timeoutMs: 200) {
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
        session.pump()
        if session.state.quit { break }
        term.draw(session.frame)
        // `y`: the clipboard is written after the frame (OSC 52).
        if let c = session.state.clipboard, c.serial != copied { copied = c.serial; term.copyToClipboard(c.text) }
    }
}
