#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcursesW
import TerminalText

/// Reading the terminal: keys, mouse, size changes, ticks and the hang-up.
extension Terminal {
    /// Waits up to `timeoutMs` milliseconds (forever when negative) for input. Keys the
    /// program has no use for (shifted arrows, keypad oddities) are skipped, not returned.
    /// When the time is up the answer is `.tick`; `.hangup` only when the terminal is gone.
    public func nextInput(timeoutMs: Int) -> Input {
        let deadline = timeoutMs >= 0 ? waiter.now() + .milliseconds(timeoutMs) : nil
        return nextInput(until: deadline)
    }

    /// `nextInput` with a deadline on the waiter's clock (nil: none).
    func nextInput(until deadline: Duration?) -> Input {
        if stopped { return .hangup }
        if let r = resizeIfChanged() { return r }
        while true {
            switch waiter.next(until: deadline) {
            case .tick: return resizeIfChanged() ?? .tick
            case .hangup: return .hangup
            case .interrupted:
                if let r = resizeIfChanged() { return r }
            case .read(.code(let code)):
                if code == KEY_RESIZE {
                    if let r = resizeIfChanged() { return r }
                } else if code == KEY_MOUSE {
                    if let m = mouseEvent() { return .mouse(m) }
                } else if let k = Terminal.key(code: code) {
                    return .key(k)
                }
            case .read(.char(let wch)):
                if wch < 128 {
                    if let k = Key.fromASCII(UInt8(wch)) { return .key(k) }
                } else if let u = Unicode.Scalar(wch), !(0x80...0x9F).contains(wch) {
                    return .key(.char(Character(u)))
                }
            case .read(.error):
                continue   // InputWaiter never returns this
            }
        }
    }

    /// When the terminal's size differs from the screen's: resizes the screen to it (within
    /// `ScreenSize`) and returns the `.resize`. nil when nothing changed or the size is
    /// unknown.
    func resizeIfChanged() -> Input? {
        var rows: Int32 = 0, cols: Int32 = 0
        guard affdesk_winsize(1, &rows, &cols) == 0 || affdesk_winsize(0, &rows, &cols) == 0,
              let s = ScreenSize.usable(width: Int(cols), height: Int(rows)) else { return nil }
        let current = size
        if current.width == s.width && current.height == s.height { return nil }
        _ = resizeterm(Int32(s.height), Int32(s.width))
        let now = size   // what ncurses really has (unchanged if it could not resize)
        if now.width == current.width && now.height == current.height { return nil }
        return .resize(width: now.width, height: now.height)
    }

    /// Runs `body` (newterm) with LINES and COLUMNS set to the terminal's size within
    /// `ScreenSize`, so that ncurses never allocates a screen larger than that; puts the
    /// variables back afterwards.
    static func withCappedStartSize<T>(_ body: () -> T) -> T {
        var rows: Int32 = 0, cols: Int32 = 0
        guard affdesk_winsize(1, &rows, &cols) == 0 || affdesk_winsize(0, &rows, &cols) == 0,
              let s = ScreenSize.usable(width: Int(cols), height: Int(rows)) else { return body() }
        let names: [String] = ["LINES", "COLUMNS"]
        let saved = names.map { name in (name, getenv(name).map { String(cString: $0) }) }
        setenv("LINES", String(s.height), 1)
        setenv("COLUMNS", String(s.width), 1)
        use_env(true)
        defer {
            for (name, value) in saved {
                if let value { setenv(name, value, 1) } else { unsetenv(name) }
            }
        }
        return body()
    }

    static func key(code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_IC: return .insert
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        default:
            let f0 = affdesk_key_f(0)
            if code > f0 && code <= f0 + 24 { return .f(Int(code - f0)) }
            return nil
        }
    }

    private func mouseEvent() -> MouseEvent? {
        var x: Int32 = 0, y: Int32 = 0
        var b: mmask_t = 0
        guard affdesk_getmouse(&x, &y, &b) == OK else { return nil }
        let kind: MouseEvent.Kind
        if b & affdesk_button4_pressed() != 0 { kind = .wheelUp }
        else if b & affdesk_button5_pressed() != 0 { kind = .wheelDown }
        else if b & affdesk_button1_pressed() != 0 { kind = .press }
        else if b & affdesk_button1_released() != 0 { kind = .release }
        else if b & affdesk_button1_clicked() != 0 { kind = .click }
        else if b & affdesk_button1_double_clicked() != 0 { kind = .doubleClick }
        else if b & affdesk_button3_pressed() != 0 { kind = .rightPress }
        else if b & affdesk_report_mouse_position() != 0 { kind = .move }
        else { return nil }
        return MouseEvent(x: Int(x), y: Int(y), kind: kind)
    }

    /// True when standard input is gone: poll reports HUP, ERR or NVAL, or it is no longer a
    /// terminal (EBADF, EIO after a hang-up).
    static func inputGone() -> Bool {
        var p = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        let r = poll(&p, 1, 0)
        if r < 0 { return errno != EINTR && errno != EAGAIN && errno != ENOMEM }
        if p.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return true }
        return isatty(0) != 1 && (errno == EBADF || errno == EIO)
    }
}
