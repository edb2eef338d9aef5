import AttributionCore
import TerminalText

/// The message history (`M`): what became of this session's changes, newest first, each with
/// its time in the view's zone (named in the title, as in the title bar) and whether it was
/// applied, refused or not applied.
enum HistoryView {
    static func title(_ zone: DisplayZone) -> String { "Messages (\(zone.label)) · M or Esc closes" }

    static func draw(_ f: inout Frame, _ s: State) {
        OverlayView.dialog(&f, title(s.zone), lines(s), minWidth: width(s), scroll: s.historyScroll)
    }

    /// As wide as the screen allows: the sentences are long.
    static func width(_ s: State) -> Int { max(30, min(s.width - 2, 110)) }

    static func lines(_ s: State) -> [(String, Style)] {
        var out: [(String, Style)] = []
        if let p = s.pendingWrite {
            out.append(("now       " + (p.waiting ? "waiting" : "working") + "      " + p.summary, Style(.warning)))
        }
        if s.history.isEmpty && s.pendingWrite == nil {
            return [("No changes yet in this session.", Style(.dim))]
        }
        let room = max(10, width(s) - 4)
        for o in s.history.reversed() {
            let head = s.zone.clock(o.at) + "  " + Width.pad(o.label, to: 11) + "  "
            let indent = String(repeating: " ", count: Width.of(head))
            let style = Style(o.isError ? .error : .ok)
            for (i, line) in DetailView.wrap(o.text, width: room - Width.of(head)).enumerated() {
                out.append(((i == 0 ? head : indent) + line, style))
            }
        }
        return out
    }

    static func room(_ s: State) -> Int { OverlayView.dialogRoom(s.height, lines: lines(s).count) }

    static func maxScroll(_ s: State) -> Int { max(0, lines(s).count - room(s)) }
}
