import AttributionCore
import AttributionStore
import TerminalText

func handleMouse(_ s: inout State, _ m: MouseEvent) -> [Effect] {
    guard s.overlays.isEmpty, !Layout(s).tooSmall else { return [] }
    let layout = Layout(s)
    switch m.kind {
    case .wheelUp, .wheelDown:
        if s.detail != nil { return scrollDetail(&s, m.kind == .wheelUp ? .up : .down, 1) }
        return moveSelection(&s, to: s.list.selected + (m.kind == .wheelUp ? -3 : 3))
    case .press, .click, .doubleClick:
        if m.y == layout.tabsY {
            for (tab, range) in layout.tabRanges(s) where range.contains(m.x) { return switchTab(&s, tab) }
            return []
        }
        guard s.detail == nil, s.onList else { return [] }
        if m.y == layout.headerY {
            let cols = layout.columnRects(s)
            guard let hit = cols.first(where: { $0.x <= m.x && m.x < $0.x + $0.width }),
                  Screens.columns(s.tab, s)[hit.index].sortKey != nil else { return [] }
            if s.list.sortColumn == hit.index {
                s.list.descending.toggle()
            } else {
                s.list.sortColumn = hit.index
                s.list.descending = Screens.columns(s.tab, s)[hit.index].descendingFirst
            }
            return [State.load(s, s.tab, .reset)]
        }
        let rowIndex = m.y - layout.firstRowY
        guard rowIndex >= 0, rowIndex < layout.visibleRows else { return [] }
        let target = s.list.top + rowIndex
        guard target < s.list.total else { return [] }
        var out = moveSelection(&s, to: target)
        if m.kind == .doubleClick { out += open(&s) }
        return out
    default:
        return []
    }
}
