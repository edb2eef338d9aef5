#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNcursesW
import TerminalText

/// The ncurses edge: the only code in the package that talks to the terminal. It copies a
/// `Frame` to the screen and turns keys, mouse clicks and resizes into `Input`.
///
///     guard let term = try Terminal.start(colors: !noColor, mouse: true) else {
///         // not a terminal (or TERM is dumb/unknown): print plain text instead
///     }
///     defer { term.stop() }
///     var size = term.size
///     loop: while true {
///         term.draw(view(state, size))
///         switch term.nextInput(timeoutMs: 250) {
///         case .key(.ctrl("c")), .hangup: break loop
///         case .resize(let w, let h): size = (w, h)
///         ...
///         }
///     }
///
/// Call `stop()` on every way out (`defer` right after `start`); it is idempotent, and
/// `deinit` calls it too. The keyboard is in raw mode, so Ctrl-C, Ctrl-Z and Ctrl-\ arrive as
/// keys (`.ctrl("c")`, ...) rather than signals: the caller decides that Ctrl-C quits.
/// SIGTERM and SIGINT sent from outside are handled by ncurses, which restores the terminal
/// and exits. SIGWINCH only interrupts the wait for input (its handler does nothing); the
/// new size is then read from the terminal, capped (`ScreenSize`) and returned as `.resize`,
/// so a terminal of any reported size, 1x1 to 65535x65535, is drawn within sane bounds. A
/// timeout is a `.tick`; only a terminal that is really gone is a `.hangup` (`InputWaiter`).
///
/// Use from one thread only. One Terminal at a time.
public final class Terminal {
    public enum ColorMode: Sendable, Hashable {
        /// No colour: roles become bold / reverse / underline / dim.
        case monochrome
        /// 8 or 16 colours.
        case basic
        /// 256 colours or more.
        case extended
    }

    public enum StartError: Error, CustomStringConvertible {
        case alreadyActive
        public var description: String { "a Terminal is already active; stop() it first" }
    }

    public let colorMode: ColorMode
    public let mouseEnabled: Bool
    /// False when even the C.UTF-8 locale was unavailable: non-ASCII text is drawn as "?".
    public let unicode: Bool

    private let screen: OpaquePointer
    private(set) var stopped = false
    /// The SIGWINCH action before `start`, put back by `stop`.
    private var previousWinch = sigaction()
    /// How `nextInput` waits (the real terminal and clock; see `InputWaiter`).
    let waiter: InputWaiter
    /// The origin of the waiter's clock.
    private static let origin = ContinuousClock.now
    /// (attributes, pair) per role, index `Role.rawValue`.
    private var looks: [(attrs: attr_t, pair: Int16)] = []
    private var glyphs: [String: [wchar_t]] = [:]
    private var buffer: [wchar_t] = []
    private let replacement: wchar_t

    nonisolated(unsafe) private static var active = false

    /// Why the terminal cannot be used, checked without touching it: stdin or stdout is not a
    /// terminal, or TERM is unset or "dumb". nil when `start` should be tried.
    public static func unavailableReason() -> String? {
        if isatty(0) != 1 { return "standard input is not a terminal" }
        if isatty(1) != 1 { return "standard output is not a terminal" }
        guard let t = getenv("TERM"), t.pointee != 0 else { return "TERM is not set" }
        if String(cString: t) == "dumb" { return "TERM is dumb" }
        return nil
    }

    /// Takes over the terminal. Returns nil, having changed nothing on screen, when it cannot
    /// be used for a full-screen display (see `unavailableReason`; also an unknown TERM or a
    /// terminal without cursor addressing), so the caller can print plain text instead.
    /// `colors: false` (NO_COLOR, --no-color) draws with attributes only. `mouse` enables
    /// mouse reporting when the terminal has it.
    public static func start(colors: Bool = true, mouse: Bool = false) throws -> Terminal? {
        if active { throw StartError.alreadyActive }
        let unicode = setUTF8Locale()
        _ = affdesk_unblock_all_signals()
        if unavailableReason() != nil { return nil }
        var previousWinch = sigaction()
        _ = affdesk_catch_winch(&previousWinch)
        let screen = withCappedStartSize { newterm(nil, affdesk_stdout(), affdesk_stdin()) }
        if let screen { _ = set_term(screen) }
        guard let screen, affdesk_has_cup() == 1 else {
            if let screen {
                endwin()
                delscreen(screen)
            }
            _ = affdesk_restore_winch(&previousWinch)
            return nil
        }
        active = true
        _ = set_escdelay(25)
        raw()
        noecho()
        nonl()
        _ = affdesk_keypad(1)
        _ = affdesk_leaveok(1)
        _ = curs_set(0)

        var mode = ColorMode.monochrome
        var defaults = false
        if colors && has_colors() {
            start_color()
            defaults = use_default_colors() == OK
            mode = affdesk_colors() >= 256 ? .extended : .basic
        }
        var mouseOn = false
        if mouse {
            mouseOn = affdesk_mousemask(1) != 0
            _ = mouseinterval(0)   // report presses at once; no click detection delay
        }
        let t = Terminal(screen: screen, colorMode: mode, mouse: mouseOn, unicode: unicode)
        t.previousWinch = previousWinch
        t.setUpLooks(defaultColors: defaults)
        return t
    }

    private init(screen: OpaquePointer, colorMode: ColorMode, mouse: Bool, unicode: Bool) {
        self.screen = screen
        self.colorMode = colorMode
        self.mouseEnabled = mouse
        self.unicode = unicode
        replacement = unicode && affdesk_wcwidth(0xFFFD) == 1 ? 0xFFFD : 0x3F
        waiter = InputWaiter(
            now: { Terminal.origin.duration(to: .now) },
            read: { timeout in
                affdesk_timeout(timeout)
                affdesk_set_errno(0)
                var wch: UInt32 = 0
                let r = affdesk_get_wch(&wch)
                if r == ERR { return .error(errno: affdesk_errno()) }
                return r == KEY_CODE_YES ? .code(Int32(bitPattern: wch)) : .char(wch)
            },
            inputGone: Terminal.inputGone,
            pause: { ms in _ = poll(nil, 0, ms) })
    }

    deinit { stop() }

    /// Gives the terminal back: leaves full-screen mode, shows the cursor, restores the tty
    /// modes. Idempotent. Never call it from a signal handler.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        if mouseEnabled { affdesk_mouse_off() }
        _ = curs_set(1)
        endwin()
        delscreen(screen)
        _ = affdesk_restore_winch(&previousWinch)
        Terminal.active = false
    }

    /// The screen size in cells (at most `ScreenSize.maxWidth` x `maxHeight`).
    public var size: (width: Int, height: Int) {
        var h: Int32 = 0, w: Int32 = 0
        affdesk_getmaxyx(&h, &w)
        return (max(0, Int(w)), max(0, Int(h)))
    }

    /// Makes the next `draw` repaint the whole screen rather than only what changed (Ctrl-L,
    /// or after something else wrote to the terminal).
    public func repaintAll() {
        if !stopped { _ = affdesk_clearok(1) }
    }

    /// Rings the terminal bell (or flashes).
    public func bell() {
        if !stopped { _ = beep() }
    }

    // MARK: - Locale

    /// setlocale(LC_ALL, "") keeping C number formatting; when the user's locale is not UTF-8,
    /// switches LC_CTYPE to a UTF-8 one so wide characters work. True when UTF-8 is in effect.
    static func setUTF8Locale() -> Bool {
        _ = setlocale(LC_ALL, "")
        _ = setlocale(LC_NUMERIC, "C")
        if isUTF8Codeset() { return true }
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, name) != nil {
            if isUTF8Codeset() { return true }
        }
        return false
    }

    private static func isUTF8Codeset() -> Bool {
        guard let c = affdesk_codeset() else { return false }
        let s = String(cString: c).uppercased()
        return s == "UTF-8" || s == "UTF8"
    }

    // MARK: - Styles

    private func setUpLooks(defaultColors: Bool) {
        looks = []
        for role in Role.allCases {
            let look: Look
            switch colorMode {
            case .monochrome: look = Palette.monochrome(role)
            case .basic: look = Palette.basic(role)
            case .extended: look = Palette.extended(role)
            }
            var attrs = affdesk_a_normal()
            if look.bold { attrs |= affdesk_a_bold() }
            if look.reverse { attrs |= affdesk_a_reverse() }
            if look.underline { attrs |= affdesk_a_underline() }
            if look.dim { attrs |= affdesk_a_dim() }
            var pair: Int16 = 0
            if colorMode != .monochrome {
                pair = Int16(role.rawValue) + 1
                var fg = look.fg, bg = look.bg
                if !defaultColors {
                    if fg < 0 { fg = Palette.white }
                    if bg < 0 { bg = Palette.black }
                }
                if Int32(pair) >= affdesk_color_pairs() || init_pair(pair, fg, bg) != OK { pair = 0 }
            }
            looks.append((attrs, pair))
        }
    }

    private func attributes(_ s: Style) -> (attr_t, Int16) {
        let look = looks[Int(s.role.rawValue)]
        var a = look.attrs
        if s.bold { a |= affdesk_a_bold() }
        if s.reverse { a |= affdesk_a_reverse() }
        if s.underline { a |= affdesk_a_underline() }
        return (a, look.pair)
    }

    // MARK: - Drawing

    /// Copies `frame` to the screen and updates it. Cells outside the screen are dropped; screen
    /// cells outside the frame are blank.
    public func draw(_ frame: Frame) {
        guard !stopped else { return }
        let (sw, sh) = size
        _ = affdesk_erase()
        // Never more rows or columns than both the screen and the frame have (the frame's
        // cells are width x height; a negative bound would be an empty range).
        let w = max(0, min(frame.width, sw))
        let h = max(0, min(frame.height, sh, frame.width > 0 ? frame.cells.count / frame.width : 0))
        frame.cells.withUnsafeBufferPointer { cells in
            for y in 0..<h {
                let row = y * frame.width
                var x = 0
                while x < w {
                    // Start a run at the next non-continuation cell.
                    if cells[row + x].text.isEmpty {
                        x += 1
                        continue
                    }
                    let style = cells[row + x].style
                    let start = x
                    buffer.removeAll(keepingCapacity: true)
                    while x < w {
                        let cell = cells[row + x]
                        if cell.text.isEmpty {
                            x += 1   // drawn by the wide character before it
                            continue
                        }
                        if cell.style != style { break }
                        let cw = x + 1 < frame.width && cells[row + x + 1].text.isEmpty ? 2 : 1
                        if cw == 2 && x + 1 >= w {
                            buffer.append(0x20)   // wide character cut by the screen edge
                        } else {
                            appendGlyph(cell.text, cells: cw)
                        }
                        x += cw
                    }
                    let (attrs, pair) = attributes(style)
                    _ = affdesk_attr_set(attrs, pair)
                    // At the bottom-right cell ncurses reports ERR (it cannot move the cursor
                    // past it) but has stored the character; the error is expected.
                    _ = buffer.withUnsafeBufferPointer { b in
                        affdesk_mvaddnwstr(Int32(y), Int32(start), b.baseAddress, Int32(b.count))
                    }
                }
            }
        }
        _ = affdesk_attr_set(affdesk_a_normal(), 0)
        _ = affdesk_refresh()
    }

    /// Appends what to send for one cell's text so that the terminal advances exactly `cells`
    /// columns. The terminal and ncurses measure with the C library's wcwidth, which knows
    /// less about emoji than `Width`: clusters it would measure differently are simplified
    /// (a ZWJ sequence or skin tone shows its first emoji, a flag its two letters, a
    /// text-style symbol with VS16 its text form plus a space), and what the locale cannot
    /// print becomes U+FFFD or "?".
    private func appendGlyph(_ text: String, cells: Int) {
        let utf8 = text.utf8
        if utf8.count == 1, let b = utf8.first, b >= 0x20, b < 0x7F {
            buffer.append(wchar_t(b))
            return
        }
        if let g = glyphs[text] {
            buffer.append(contentsOf: g)
            return
        }
        let g = glyph(text, cells: cells)
        if glyphs.count > 4096 { glyphs.removeAll(keepingCapacity: true) }
        glyphs[text] = g
        buffer.append(contentsOf: g)
    }

    private func glyph(_ text: String, cells: Int) -> [wchar_t] {
        let scalars = Array(text.unicodeScalars)
        guard let first = scalars.first else { return Array(repeating: 0x20, count: cells) }
        let isRI = { (u: Unicode.Scalar) in (0x1F1E6...0x1F1FF).contains(u.value) }
        if cells == 2 && scalars.count == 2 && isRI(scalars[0]) && isRI(scalars[1]) {
            // A flag: its two-letter region code.
            return scalars.map { wchar_t($0.value - 0x1F1E6 + 0x41) }
        }
        var out: [wchar_t] = [wchar_t(bitPattern: first.value)]
        for u in scalars.dropFirst() {
            if u.value == 0x200D { break }                              // ZWJ: keep the first emoji
            if u.value == 0xFE0F || u.value == 0xFE0E { continue }      // presentation selectors
            guard out.count < 5, affdesk_wcwidth(wchar_t(bitPattern: u.value)) == 0 else { break }
            out.append(wchar_t(bitPattern: u.value))
        }
        let w = Int(affdesk_wcwidth(wchar_t(bitPattern: first.value)))
        if w == cells { return out }
        if w == 1 && cells == 2 { return out + [0x20] }
        return [replacement] + Array(repeating: 0x20, count: max(0, cells - 1))
    }
}
