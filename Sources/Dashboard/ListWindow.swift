import AttributionCore
import AttributionStore
import TerminalText

/// The list window: pages read on demand around the selection, at most three kept.

/// Rows read per page; the window keeps at most three pages.
public let pageSize = 200

extension State {
    /// The effects that fill a new dashboard.
    public static func start(_ s: State) -> [Effect] {
        [.loadSettings, load(s, s.tab, .reset)] + (s.screen(on: s.tab)?.sideLoads(s) ?? [])
    }

    static func load(_ s: State, _ tab: Tab, _ mode: LoadMode) -> Effect {
        let l = s.lists[tab] ?? ListState(sortColumn: 0, descending: false)
        let q = Screens.query(tab, s)
        switch mode {
        case .reset: return .load(q, mode, .first(pageSize))
        case .last: return .load(q, mode, .last(pageSize))
        case .reload:
            // A window at the top of the list reads from the top, so rows new since (sorting
            // before the first one) show up.
            let from = l.offset == 0 ? nil : l.rows.first?.cursor
            return .load(q, mode, PageRequest(after: from, limit: max(pageSize, l.rows.count), inclusive: from != nil))
        case .append: return .load(q, mode, PageRequest(after: l.rows.last?.cursor, limit: pageSize))
        case .prepend: return .load(q, mode, PageRequest(after: l.rows.first?.cursor, direction: .backward, limit: pageSize))
        }
    }
}

func applyLoaded(_ s: inout State, _ tab: Tab, _ mode: LoadMode, _ rows: [ListRow], _ total: Int, _ atEnd: Bool,
                 totalIsFloor floor: Bool = false) {
    // Only a list this mode has (a late answer for another tab's list is dropped).
    guard var l = s.lists[tab] else { return }
    l.loading = false
    l.loaded = true
    if total >= 0 {
        l.total = total
        // Counted up to its screen's bound, and more there, or said to be only "at least" by
        // its screen: the total is only a floor.
        let bound = s.screens.first { $0.tab == tab }?.countsUpTo
        l.countedUpTo = bound ?? ListState.countBound
        l.totalIsFloor = floor || (bound.map { total > $0 } ?? false)
    }
    switch mode {
    case .reset:
        l.rows = rows; l.offset = 0; l.selected = 0; l.top = 0; l.atEnd = atEnd
        l.positionKnown = true
    case .reload(let keep):
        let oldSelected = l.selected
        l.rows = rows; l.atEnd = atEnd
        if let id = keep, let i = rows.firstIndex(where: { $0.id == id }) {
            l.selected = l.offset + i
        } else {
            l.selected = oldSelected
        }
        if rows.isEmpty { l.offset = 0 }
    case .last:
        l.rows = rows; l.atEnd = true
        l.offset = max(0, l.total - rows.count)
        // Past a floor, how many rows lie above the last page is not known.
        if l.totalIsFloor { l.positionKnown = false }
        l.selected = l.offset + rows.count - 1
    case .append:
        l.rows += rows
        l.atEnd = atEnd
        if l.rows.count > 3 * pageSize {
            let drop = l.rows.count - 3 * pageSize
            l.rows.removeFirst(drop)
            l.offset += drop
        }
    case .prepend:
        l.rows = rows + l.rows
        l.offset -= rows.count
        if rows.count < pageSize || (l.offset < 0 && l.positionKnown) {
            // Reached the top: whatever the count said, the window starts at 0.
            let shift = -l.offset
            l.offset = 0; l.selected += shift; l.top += shift
            l.positionKnown = true
        } else if l.offset < pageSize && !l.positionKnown {
            // Not the top yet, and the count was a floor: room above for the next page.
            let shift = pageSize - l.offset
            l.offset += shift; l.selected += shift; l.top += shift
        }
        if l.rows.count > 3 * pageSize {
            l.rows.removeLast(l.rows.count - 3 * pageSize)
            l.atEnd = false
        }
    }
    l.total = max(l.total, l.offset + l.rows.count)
    // Read from the top to the end: now the count is exact.
    if l.totalIsFloor && l.positionKnown && l.atEnd { l.total = l.offset + l.rows.count; l.totalIsFloor = false }
    if l.rows.isEmpty {
        l.selected = 0; l.top = 0
    } else {
        l.selected = min(max(l.selected, l.offset), l.offset + l.rows.count - 1)
    }
    l.top = clampTop(l, visible: Layout(s).visibleRows)
    s.lists[tab] = l
}

func clampTop(_ l: ListState, visible: Int) -> Int {
    var top = l.top
    let v = max(1, visible)
    if l.selected < top { top = l.selected }
    if l.selected >= top + v { top = l.selected - v + 1 }
    top = min(top, max(0, l.total - v))
    return max(0, top)
}

/// Moves the selection to an absolute row, asking for pages as the window runs out.
func moveSelection(_ s: inout State, to target: Int) -> [Effect] {
    var l = s.list
    guard l.total > 0, !l.rows.isEmpty else { return [] }
    let t = min(max(target, 0), l.total - 1)
    if t == l.total - 1, t >= l.offset + l.rows.count, !l.atEnd {
        l.loading = true
        s.list = l
        return [State.load(s, s.tab, .last)]
    }
    if t == 0, l.offset > 0 {
        l.loading = true
        s.list = l
        return [State.load(s, s.tab, .reset)]
    }
    l.selected = min(max(t, l.offset), l.offset + l.rows.count - 1)
    l.top = clampTop(l, visible: Layout(s).visibleRows)
    s.list = l
    return prefetch(&s)
}

/// Asks for the next or previous page when the selection nears the window's edge.
func prefetch(_ s: inout State) -> [Effect] {
    var l = s.list
    guard !l.loading else { return [] }
    let margin = max(20, Layout(s).visibleRows * 2)
    if !l.atEnd, l.offset + l.rows.count - l.selected <= margin {
        l.loading = true; s.list = l
        return [State.load(s, s.tab, .append)]
    }
    if l.offset > 0, l.selected - l.offset <= margin {
        l.loading = true; s.list = l
        return [State.load(s, s.tab, .prepend)]
    }
    return []
}
