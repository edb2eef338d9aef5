import AttributionCore
import AttributionStore
import TerminalText

/// Draws the whole screen for a state. Pure: the same state and size give the same frame.
public func view(_ s: State) -> Frame {
    var f = Frame(width: s.width, height: s.height)
    let layout = Layout(s)
    if layout.tooSmall {
        let lines = ["Terminal too small", "affdesk needs at least \(Layout.minWidth)x\(Layout.minHeight)",
                     "now \(s.width)x\(s.height)", "enlarge the window, or press q"]
        for (i, l) in lines.enumerated() {
            let y = s.height / 2 - 2 + i
            f.put(l, x: max(0, (s.width - Width.of(l)) / 2), y: y, style: i == 0 ? Style(.error, bold: true) : Style(.normal))
        }
        return f
    }
    drawTitle(&f, s)
    drawTabs(&f, s, layout)
    if s.detail != nil {
        DetailView.draw(&f, s, layout.content)
    } else if let wanted = s.detailWanted {
        PendingDetail.draw(&f, s, wanted, layout.content)
    } else if !s.onList {
        SettingsScreen.draw(&f, s, layout.content)
    } else {
        if layout.extraLine { s.screen?.drawContextLine(&f, s, y: layout.contentTop) }
        drawTable(&f, s, layout)
    }
    drawMessage(&f, s, layout)
    drawStatusBar(&f, s, layout)
    PromptView.draw(&f, s, layout)
    for o in s.overlays { OverlayView.draw(&f, s, o) }
    return f
}

func drawTitle(_ f: inout Frame, _ s: State) {
    f.fill(Rect(x: 0, y: 0, width: f.width, height: 1), style: Style(.title))
    var x = f.put(" affdesk ", x: 0, y: 0, style: Style(.title, bold: true))
    x = f.put("· " + s.settings.name + " · " + s.settings.model.displayName, x: x, y: 0, style: Style(.title), maxWidth: f.width / 2)
    // The zone times are in and the currency amounts without a code are in come first:
    // "UTC · USD · recurring on · admin"; the widest of these that fits is drawn.
    let units = "\(s.zone.label) · \(s.settings.currency.code) · "
    let candidates: [String]
    switch s.mode {
    case .admin:
        let rest = "recurring \(s.settings.recurring ? "on" : "off") · admin "
        candidates = [units + rest, "\(s.zone.label) · " + rest]
    case .affiliate(_, let code, let name):
        let rest = "\(name) (\(code)) · read-only "
        candidates = [units + rest, "\(s.zone.label) · " + rest]
    }
    let room = f.width - x - 1
    let right = candidates.first { Width.of($0) <= room } ?? candidates.last!
    let w = min(Width.of(right), room)
    if w > 4 { f.put(Width.truncate(right, to: w), x: f.width - w, y: 0, style: Style(.title)) }
}

func drawTabs(_ f: inout Frame, _ s: State, _ layout: Layout) {
    f.fill(Rect(x: 0, y: layout.tabsY, width: f.width, height: 1), style: Style(.tab))
    let ranges = layout.tabRanges(s)
    let labels = layout.tabLabels(s)
    for (i, (tab, range)) in ranges.enumerated() {
        f.put(labels[i], x: range.lowerBound, y: layout.tabsY, style: tab == s.tab ? Style(.tabActive, bold: true) : Style(.tab))
    }
}

func drawTable(_ f: inout Frame, _ s: State, _ layout: Layout) {
    let l = s.list
    let cols = Screens.columns(s.tab, s)
    // The rows are typed; their screen draws them now, with this state's settings and time.
    let screen = s.screen, ctx = DrawContext(s)
    // Rows read under the previous filter or sort, shown until the new ones come: dimmed.
    let previous = LoadingView.rowsArePrevious(s)
    let rects = layout.columnRects(s)
    if !l.loaded {
        // Read off the UI loop: the header comes with the first rows, so a drawn header means rows.
        f.put("Loading…", x: 2, y: layout.firstRowY, style: Style(.dim))
        return
    }
    // Header, with the sort column marked.
    f.fill(Rect(x: 0, y: layout.headerY, width: f.width, height: 1), style: Style(.header))
    for r in rects {
        let c = cols[r.index]
        var title = c.title
        if r.index == l.sortColumn, c.sortKey != nil {
            // The marker stays when the title is cut: "Affilia… ▲".
            title = Width.truncate(c.title, to: max(0, r.width - 2)) + (l.descending ? " ▼" : " ▲")
        }
        f.put(Width.fit(title, to: r.width, align: c.rightAligned ? .right : .left), x: r.x, y: layout.headerY,
              style: Style(.header, bold: true), maxWidth: r.width)
    }
    if l.total == 0 || l.rows.isEmpty {
        if LoadingView.listLoading(s) {
            f.put("loading…", x: 2, y: layout.firstRowY, style: Style(.warning))
            return
        }
        let empty = l.filter.isEmpty ? "Nothing here yet." : "No row matches \"\(l.filter)\". Esc clears the filter."
        f.put(empty, x: 2, y: layout.firstRowY, style: Style(.dim), maxWidth: f.width - 4)
    }
    for i in 0..<layout.visibleRows {
        let abs = l.top + i
        let idx = abs - l.offset
        guard l.rows.indices.contains(idx) else { continue }
        let row = screen?.draw(l.rows[idx].item, ctx) ?? DrawnRow()
        let y = layout.firstRowY + i
        let selected = abs == l.selected
        if selected { f.fill(Rect(x: 0, y: y, width: f.width, height: 1), style: Style(.selected)) }
        for r in rects {
            let c = cols[r.index]
            let text = row.cells.indices.contains(r.index) ? row.cells[r.index] : ""
            let role = row.roles.indices.contains(r.index) ? row.roles[r.index] : nil
            let style = selected ? Style(.selected) : previous ? Style(.dim) : Style(role ?? .normal)
            let cell = Width.fit(text, to: r.width, align: c.rightAligned ? .right : .left)
            f.put(cell, x: r.x, y: y, style: style, maxWidth: r.width)
            if !l.filter.isEmpty && !selected { highlight(&f, cell, l.filter, x: r.x, y: y) }
        }
    }
}

/// Marks the filter's matches inside a drawn cell.
func highlight(_ f: inout Frame, _ cell: String, _ filter: String, x: Int, y: Int) {
    let lower = cell.lowercased()
    guard let range = lower.range(of: filter.lowercased()) else { return }
    let before = Width.of(String(lower[..<range.lowerBound]))
    let w = Width.of(String(lower[range]))
    f.paint(Rect(x: x + before, y: y, width: w, height: 1), style: Style(.match, bold: true))
}

func drawMessage(_ f: inout Frame, _ s: State, _ layout: Layout) {
    var y = layout.messageY
    if let m = s.shownNote {
        for line in Layout.messageText(m.text, width: f.width) {
            let role: Role = m.isPending ? .warning : m.isError ? .error : .ok
            f.put(" " + line, x: 0, y: y, style: Style(role, bold: m.isError), maxWidth: f.width - 1)
            y += 1
        }
    }
    if Layout.showsFilterLine(s) {
        var x = f.put(" / ", x: 0, y: y, style: Style(.key, bold: true))
        x = f.put(s.list.filter, x: x, y: y, style: Style(.input), maxWidth: max(0, f.width - x - 2))
        if s.filtering { f.put("█", x: x, y: y, style: Style(.input)) }
        let hint = s.filtering ? "  Enter keeps · Esc clears" : "  (filter · Esc clears)"
        f.put(Width.truncate(hint, to: max(0, f.width - x - 2)), x: x + 1, y: y, style: Style(.dim))
    }
}

/// The list's size as the status bar says it: "2341", or "1,000+" when it was counted only up
/// to its bound, or "312+" when only that many were seen to match (`ListState.totalIsFloor`).
func totalText(_ l: ListState) -> String {
    l.totalIsFloor ? Money.grouped(String(min(l.total, l.countedUpTo))) + "+" : String(l.total)
}

func drawStatusBar(_ f: inout Frame, _ s: State, _ layout: Layout) {
    let y = layout.statusY
    f.fill(Rect(x: 0, y: y, width: f.width, height: 1), style: Style(.statusBar))
    // Where we are, on the right: "12/2,341".
    var right = ""
    if s.detail == nil && s.detailWanted == nil && s.onList && s.list.loaded {
        right = s.list.total == 0 ? " 0 rows " : " \(s.list.positionKnown ? "\(s.list.selected + 1)/" : "")\(totalText(s.list)) "
        right = LoadingView.statusMark(s) + right
        f.put(right, x: f.width - Width.of(right), y: y, style: Style(.statusBar, bold: true))
    }
    var x = 1
    for b in Keymap.statusBar(s) {
        let need = Width.of(b.label) + Width.of(b.short) + 3
        if x + need > f.width - Width.of(right) - 1 { break }
        x = f.put(b.label, x: x, y: y, style: Style(.statusKey, bold: true))
        x = f.put(" " + b.short + "  ", x: x, y: y, style: Style(.statusBar))
    }
}
