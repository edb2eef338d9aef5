import AttributionCore
import TerminalText

// Column widths: shared by priority and content. Narrow: flexible columns shrink to their
// title before any column is dropped, and the least important go first. Wide: each column
// grows to what its title and the rows on screen need, most important first, and what is
// left is spread over every column, so the key column does not take all of it.

enum ColumnFit {
    /// The most blank cells a column gets beyond what it shows.
    static let maxAir = 3

    /// The narrowest a flexible column is drawn: its title, or 8 cells.
    static func minimum(_ c: Column) -> Int { c.flex ? min(c.width, c.minWidth ?? max(8, Width.of(c.title))) : c.width }

    /// Fits `cols` to `width`; `content[i]` is the widest cell of column i on screen (its
    /// title with room for the sort marker included), `hidden` the columns chosen away.
    static func fit(_ cols: [Column], width: Int, content: [Int] = [], hidden: Set<Int> = []) -> [Layout.ColumnRect] {
        var keep = cols.indices.filter { !hidden.contains($0) }
        if keep.isEmpty { keep = Array(cols.indices.prefix(1)) }
        guard !keep.isEmpty else { return [] }
        func gaps() -> Int { max(0, keep.count - 1) + 2 }
        func minimal() -> Int { keep.reduce(0) { $0 + minimum(cols[$1]) } + gaps() }
        while minimal() > width, keep.count > 1 {
            let drop = keep.min { (cols[$0].priority, -$0) < (cols[$1].priority, -$1) }!
            keep.removeAll { $0 == drop }
        }
        var widths = Dictionary(uniqueKeysWithValues: keep.map { ($0, cols[$0].width) })
        var used = keep.reduce(0) { $0 + widths[$1]! } + gaps()
        // Too wide at the preferred widths: the flexible columns give back, widest first.
        while used > width, let i = keep.filter({ widths[$0]! > minimum(cols[$0]) }).max(by: { widths[$0]! < widths[$1]! }) {
            widths[i]! -= 1; used -= 1
        }
        var spare = max(0, width - used)
        // Room to spare: first to the columns whose content is cut, most important first.
        for i in keep.sorted(by: { (cols[$0].priority, -$0) > (cols[$1].priority, -$1) }) where spare > 0 {
            let need = (content.indices.contains(i) ? content[i] : 0) - widths[i]!
            guard need > 0 else { continue }
            let give = min(need, spare)
            widths[i]! += give; spare -= give
        }
        // Then a little air for every column; what is still left stays blank on the right
        // (no column is stretched past what it shows).
        if spare > 0 {
            let each = min(maxAir, spare / keep.count)
            for i in keep { widths[i]! += each }
        }
        if used > width, let only = keep.first, keep.count == 1 { widths[only] = max(1, width - 2) }
        var x = 1
        return keep.map { idx in
            defer { x += widths[idx]! + 1 }
            return Layout.ColumnRect(index: idx, x: x, width: widths[idx]!)
        }
    }

    /// The widest cell of each column among the rows on screen, and its title with the sort marker.
    static func contentWidths(_ s: State, _ cols: [Column], visible: Int) -> [Int] {
        var out = cols.map { Width.of($0.title) + ($0.sortKey != nil ? 2 : 0) }
        guard let screen = s.screen, s.list.loaded else { return out }
        let ctx = DrawContext(s)
        let l = s.list
        for abs in l.top..<(l.top + visible) {
            let idx = abs - l.offset
            guard l.rows.indices.contains(idx) else { continue }
            let cells = screen.draw(l.rows[idx].item, ctx).cells
            for (i, c) in cells.enumerated() where i < out.count { out[i] = max(out[i], Width.of(c)) }
        }
        return out
    }
}

/// The column chooser (`C`): the current tab's columns, each shown or hidden for the session.
public struct ColumnChooser: Hashable, Sendable {
    public var tab: Tab
    public var selected = 0
}

enum ColumnChooserKeys {
    static func open(_ s: inout State) -> [Effect] {
        // The admin's lists (the affiliate view opens no dialog but help).
        guard s.isAdmin, s.onList, s.detail == nil, !Screens.columns(s.tab, s).isEmpty else { return [] }
        s.overlays.append(.columns(ColumnChooser(tab: s.tab)))
        return []
    }

    /// ↑/↓ choose, Space (or Enter) shows or hides, Esc or q closes. One column always stays.
    static func handle(_ s: inout State, _ chooser: ColumnChooser, _ key: Key) -> [Effect] {
        var c = chooser
        let cols = Screens.columns(c.tab, s)
        switch key {
        case .up, .char("k"): c.selected = max(0, c.selected - 1)
        case .down, .char("j"): c.selected = min(cols.count - 1, c.selected + 1)
        case .char(" "), .enter:
            var hidden = s.hiddenColumns[c.tab] ?? []
            if hidden.contains(c.selected) {
                hidden.remove(c.selected)
            } else if hidden.count < cols.count - 1 {
                hidden.insert(c.selected)
            }
            s.hiddenColumns[c.tab] = hidden
        case .escape, .char("q"), .char("C"): s.overlays.removeLast(); return []
        default: return []
        }
        s.overlays[s.overlays.count - 1] = .columns(c)
        return []
    }

    static func lines(_ s: State, _ c: ColumnChooser) -> [(String, Style)] {
        let hidden = s.hiddenColumns[c.tab] ?? []
        var out = Screens.columns(c.tab, s).enumerated().map { i, col in
            ((i == c.selected ? "▶ " : "  ") + (hidden.contains(i) ? "[ ] " : "[x] ") + col.title,
             i == c.selected ? Style(.selected) : Style(hidden.contains(i) ? .dim : .dialog))
        }
        out += [("", Style(.dialog)), ("Space show/hide · ↑/↓ · Esc close", Style(.dim))]
        return out
    }
}
