import AttributionCore
import TerminalText

/// What the screen shows while a read runs off the UI loop: "loading…" once a list's load has
/// run `LoadingView.shownAfterMs`, and the previous rows, dimmed, until the new ones come.
enum LoadingView {
    /// A load answered sooner than this shows no indicator (no flicker on a fast store).
    static let shownAfterMs: Int64 = 100

    /// Whether the current list says it is loading.
    static func listLoading(_ s: State) -> Bool {
        guard s.onList, let since = s.list.loadingSince, s.list.loading else { return false }
        return s.uptimeMs - since >= shownAfterMs
    }

    /// Whether the current list's rows are the previous ones (read under another filter or sort).
    static func rowsArePrevious(_ s: State) -> Bool {
        s.onList && (s.list.filterDue != nil || LoadTickets.rowsAreStale(s, s.tab))
    }

    /// The status bar's mark, before the position: " loading… 12/2,341", or with the rows
    /// of the previous filter or sort still shown, " loading… (previous rows) 12/2,341".
    static func statusMark(_ s: State) -> String {
        guard listLoading(s) else { return "" }
        return rowsArePrevious(s) ? " loading… (previous rows)" : " loading…"
    }
}
