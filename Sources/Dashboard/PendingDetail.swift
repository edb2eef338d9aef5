import AttributionCore
import TerminalText

/// A detail pane read off the UI loop: it opens at once, saying that it is loading, and
/// only the answer for the pane asked for last fills it.
enum PendingDetail {
    /// Whether a pane read is the one wanted; if so it is no longer waited for.
    static func accept(_ s: inout State, _ d: Detail) -> Bool {
        if let w = s.detailWanted {
            guard w == DetailKey(d) else { return false }
            s.detailWanted = nil
            return true
        }
        // Not asked for: a refresh of the open pane, unless the pane was closed since.
        return !s.detailClosed
    }

    /// Whether a command works while a pane is being read: leaving it (Esc, another tab, q),
    /// help and history do; the rest waits for the pane (nothing moves the list under it).
    static func allows(_ s: State, _ cmd: Command) -> Bool {
        guard s.detail == nil, s.detailWanted != nil else { return true }
        switch cmd {
        case .quit, .help, .history, .nextTab, .prevTab, .gotoTab, .back, .refresh: return true
        default: return false
        }
    }

    /// Closes the pane, or the one being read. Whether there was one.
    static func close(_ s: inout State) -> Bool {
        let open = s.detail != nil || s.detailWanted != nil
        s.detail = nil
        s.detailWanted = nil
        s.detailClosed = true
        return open
    }

    /// The pane being read, over the content area: its title and "loading…".
    static func draw(_ f: inout Frame, _ s: State, _ key: DetailKey, _ area: Rect) {
        f.fill(area, style: Style(.normal))
        f.put(key.title, x: 1, y: area.y, style: Style(.header, bold: true), maxWidth: max(0, area.width - 2))
        f.put("loading…", x: 2, y: area.y + 2, style: Style(.warning), maxWidth: max(0, area.width - 4))
    }
}
