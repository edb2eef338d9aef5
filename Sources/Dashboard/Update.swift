import AttributionCore
import AttributionStore
import TerminalText

/// Rows read per page; the window keeps at most three pages.
public let pageSize = 200

extension State {
    /// The effects that fill a new dashboard.
    public static func start(_ s: State) -> [Effect] {
        [.loadSettings, load(s, s.tab, .reset)] + s.screens.flatMap(\.sideLoads)
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

/// The dashboard's one state transition: a message in, the new state and the work to do out.
public func update(_ s: inout State, _ msg: Msg) -> [Effect] {
    let effects = transition(&s, msg)
    // A message of two rows takes one from the list: keep the selection in view.
    if s.onList {
        let top = clampTop(s.list, visible: Layout(s).visibleRows)
        s.list.top = top
    }
    return effects
}

func transition(_ s: inout State, _ msg: Msg) -> [Effect] {
    switch msg {
    case .key(let k): return handleKey(&s, k)
    case .mouse(let m): return handleMouse(&s, m)
    case .resize(let w, let h):
        s.width = w; s.height = h
        let visible = Layout(s).visibleRows
        for (t, l) in s.lists { s.lists[t]!.top = clampTop(l, visible: visible) }
        return []
    case .tick:
        markWaiting(&s)
        return [.checkForChanges]
    case .dataChanged: return refreshAll(s)
    case .loaded(let tab, let mode, let rows, let total, let atEnd):
        applyLoaded(&s, tab, mode, rows, total, atEnd)
        if mode == .reset || mode == .last, tab == s.tab { return prefetch(&s) }
        return []
    case .detailLoaded(let d):
        // Keep the scroll of a pane that is only being refreshed.
        var d = d
        switch (s.detail, d) {
        case (.customer(let old)?, .customer(var new)) where old.customer.id == new.customer.id:
            new.scroll = old.scroll; d = .customer(new)
        case (.event(let old)?, .event(var new)) where old.event.id == new.event.id:
            new.scroll = old.scroll; d = .event(new)
        case (.mine(let old)?, .mine(var new)) where old.customer.number == new.customer.number:
            new.scroll = old.scroll; d = .mine(new)
        default: break
        }
        s.detail = d
        return []
    case .reasonsLoaded(let r):
        let current = s.reasons.indices.contains(s.reasonIndex) ? s.reasons[s.reasonIndex].reason : ""
        s.reasons = r
        s.reasonIndex = r.firstIndex { $0.reason == current } ?? 0
        return []
    case .settingsLoaded(let settings):
        s.settings = settings
        return []
    case .pickerLoaded(let items):
        if case .picker(var p)? = s.overlays.last {
            p.items = items
            p.selected = p.visible.firstIndex { $0.code != p.currentCode && !$0.disabled } ?? 0
            s.overlays[s.overlays.count - 1] = .picker(p)
        }
        return []
    case .writeFinished(let outcome): return finishWrite(&s, outcome)
    case .fileChanged(let outcome):
        noticeFileChanged(&s, outcome)
        return []
    case .replayPrepared(let preview):
        // Asked for by a key; another dialog opened since wins.
        guard s.overlays.isEmpty else { return [] }
        s.overlays.append(.confirm(TriageActions.replayConfirm(preview)))
        return []
    case .manualPrepared(let draft):
        guard s.overlays.isEmpty else { return [] }
        if draft.customerKey == nil && draft.affiliateCode == nil {
            // Nothing names whom to credit: the admin picks the affiliate.
            s.overlays.append(.picker(Picker(title: "Credit \(draft.externalID) to…", customerKey: "", currentCode: "", manual: draft)))
            return [.loadPicker]
        }
        s.overlays.append(.confirm(TriageActions.manualConfirm(draft, affiliate: nil)))
        return []
    case .failed(let m):
        s.message = Note(m, isError: true)
        s.lists[s.tab]?.loading = false
        return []
    }
}

/// Everything on screen read again, keeping selections.
func refreshAll(_ s: State) -> [Effect] {
    // What the screens keep beside their lists (Triage's reasons: not in the affiliate view).
    var out: [Effect] = [.loadSettings] + s.screens.flatMap(\.sideLoads)
    if s.onList { out.append(State.load(s, s.tab, .reload(keep: s.list.selectedRow?.id))) }
    switch s.detail {
    case .customer(let d)?: out.append(.loadCustomer(key: d.customer.key))
    case .event(let d)?: out.append(.loadEvent(id: d.event.id))
    case .mine(let d)?: out.append(.loadMyCustomer(number: d.customer.number))
    case nil: break
    }
    return out
}

func applyLoaded(_ s: inout State, _ tab: Tab, _ mode: LoadMode, _ rows: [DisplayRow], _ total: Int, _ atEnd: Bool) {
    // Only a list this mode has (a late answer for another tab's list is dropped).
    guard var l = s.lists[tab] else { return }
    l.loading = false
    l.loaded = true
    if total >= 0 { l.total = total }
    switch mode {
    case .reset:
        l.rows = rows; l.offset = 0; l.selected = 0; l.top = 0; l.atEnd = atEnd
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
        if rows.count < pageSize || l.offset < 0 {
            // Reached the top: whatever the count said, the window starts at 0.
            let shift = -l.offset
            l.offset = 0; l.selected += shift; l.top += shift
        }
        if l.rows.count > 3 * pageSize {
            l.rows.removeLast(l.rows.count - 3 * pageSize)
            l.atEnd = false
        }
    }
    l.total = max(l.total, l.offset + l.rows.count)
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

func switchTab(_ s: inout State, _ t: Tab) -> [Effect] {
    guard let screen = Screens.screen(t, s.mode) else { return [] }
    s.tab = t
    s.detail = nil
    s.filtering = false
    guard screen.isList else { return [.loadSettings] }
    return screen.sideLoads + [State.load(s, t, s.list.loaded ? .reload(keep: s.list.selectedRow?.id) : .reset)]
}

func handleKey(_ s: inout State, _ key: Key) -> [Effect] {
    if !s.overlays.isEmpty { return handleOverlayKey(&s, key) }
    if s.filtering { return handleFilterKey(&s, key) }
    if Layout(s).tooSmall {
        if key == .char("q") || key == .ctrl("c") { s.quit = true; return [.quit] }
        return []
    }
    guard let cmd = Keymap.command(for: key, in: s) else { return [] }
    s.message = nil
    return perform(&s, cmd)
}

func perform(_ s: inout State, _ cmd: Command) -> [Effect] {
    let visible = Layout(s).visibleRows
    switch cmd {
    case .quit:
        guard quitAsked(&s) else { return [] }
        s.quit = true
        return [.quit]
    case .help:
        s.overlays.append(.help)
        s.helpScroll = 0
        return []
    case .history:
        s.overlays.append(.history)
        s.historyScroll = 0
        return []
    case .nextTab, .prevTab:
        let tabs = s.tabs
        let i = tabs.firstIndex(of: s.tab) ?? 0
        return switchTab(&s, tabs[(i + (cmd == .nextTab ? 1 : tabs.count - 1)) % tabs.count])
    case .gotoTab(let n):
        let tabs = s.tabs
        return n >= 1 && n <= tabs.count ? switchTab(&s, tabs[n - 1]) : []
    case .up, .down, .pageUp, .pageDown, .top, .bottom:
        return move(&s, cmd, visible)
    case .open: return open(&s)
    case .back:
        if s.detail != nil { s.detail = nil; return [] }
        if !s.list.filter.isEmpty {
            s.list.filter = ""
            return [State.load(s, s.tab, .reset)]
        }
        if s.tab == .customers, s.affiliateFilter != nil {
            s.affiliateFilter = nil
            return [State.load(s, .customers, .reset)]
        }
        return []
    case .filter:
        guard s.onList, s.detail == nil else { return [] }
        s.filtering = true
        return []
    case .sortNext, .sortPrev, .sortReverse:
        guard s.onList, s.detail == nil else { return [] }
        let cols = Screens.columns(s.tab, s)
        let sortable = cols.indices.filter { cols[$0].sortKey != nil }
        guard !sortable.isEmpty else { return [] }
        if cmd == .sortReverse {
            s.list.descending.toggle()
        } else {
            let i = sortable.firstIndex(of: s.list.sortColumn) ?? 0
            let next = sortable[(i + (cmd == .sortNext ? 1 : sortable.count - 1)) % sortable.count]
            s.list.sortColumn = next
        }
        s.list.loading = true
        return [State.load(s, s.tab, .reset)]
    case .setStatus: return beginSetStatus(&s)
    case .reassign:
        guard let key = selectedCustomerKey(s), !refuseWhileBlocked(&s) else { return [] }
        let current = selectedAffiliateCode(s) ?? ""
        s.overlays.append(.picker(Picker(title: "Reassign \(key) to…", customerKey: key, currentCode: current)))
        return [.loadPicker]
    case .addConversion:
        guard let key = selectedCustomerKey(s), !refuseWhileBlocked(&s) else { return [] }
        s.overlays.append(.form(Form(title: "Add a conversion for \(key)", purpose: .addConversion(customerKey: key),
                                     labels: ["External id", "Amount", "Currency", "Paid at (empty = now)"],
                                     values: ["", "", s.settings.currency.code, ""])))
        return []
    case .reasonNext, .reasonPrev:
        guard !s.reasons.isEmpty else { return [] }
        let n = s.reasons.count
        s.reasonIndex = (s.reasonIndex + (cmd == .reasonNext ? 1 : n - 1)) % n
        return [State.load(s, .triage, .reset)]
    case .replay:
        guard let id = TriageActions.selectedEventID(s), !refuseWhileBlocked(&s) else { return [] }
        return [.prepareReplay(eventID: id)]
    case .manualConversion:
        guard let id = TriageActions.selectedEventID(s), !refuseWhileBlocked(&s) else { return [] }
        return [.prepareManual(eventID: id)]
    case .refresh:
        return refreshAll(s)
    }
}

/// Up, down, a page, the top or the bottom: in a pane it scrolls, on Settings it picks a field, on a list it selects.
func move(_ s: inout State, _ cmd: Command, _ visible: Int) -> [Effect] {
    if s.detail != nil { return scrollDetail(&s, cmd, visible) }
    if s.tab == .settings {
        let n = SettingField.allCases.count
        switch cmd {
        case .up: s.settingsField = max(0, s.settingsField - 1)
        case .down: s.settingsField = min(n - 1, s.settingsField + 1)
        case .top, .pageUp: s.settingsField = 0
        default: s.settingsField = n - 1
        }
        return []
    }
    let l = s.list
    switch cmd {
    case .up: return moveSelection(&s, to: l.selected - 1)
    case .down: return moveSelection(&s, to: l.selected + 1)
    case .pageUp: return moveSelection(&s, to: l.selected - visible)
    case .pageDown: return moveSelection(&s, to: l.selected + visible)
    case .top: return moveSelection(&s, to: 0)
    default: return moveSelection(&s, to: l.total - 1)
    }
}

func scrollDetail(_ s: inout State, _ cmd: Command, _ visible: Int) -> [Effect] {
    func step(_ scroll: Int) -> Int {
        switch cmd {
        case .up: return max(0, scroll - 1)
        case .down: return scroll + 1
        case .pageUp: return max(0, scroll - visible)
        case .pageDown: return scroll + visible
        case .top: return 0
        default: return 10_000
        }
    }
    // Clamped to the pane's lines: after End, Up moves at once.
    let maxScroll = DetailView.maxScroll(s)
    switch s.detail {
    case .customer(var d)?: d.scroll = min(step(d.scroll), maxScroll); s.detail = .customer(d)
    case .event(var d)?: d.scroll = min(step(d.scroll), maxScroll); s.detail = .event(d)
    case .mine(var d)?: d.scroll = min(step(d.scroll), maxScroll); s.detail = .mine(d)
    case nil: break
    }
    return []
}

/// Enter: what the screen opens for its selected row.
func open(_ s: inout State) -> [Effect] {
    guard let screen = s.screen else { return [] }
    if screen.isList && s.list.selectedRow == nil { return [] }
    return screen.open(s.list.selectedRow, &s)
}

/// The customer the customer actions act on: the open pane's, else the selected row's (on a
/// screen with customer actions).
func selectedCustomerRow(_ s: State) -> DisplayRow? {
    guard s.detail == nil, s.screen?.scopes.contains(.customerActions) == true else { return nil }
    return s.list.selectedRow
}

func selectedCustomerKey(_ s: State) -> String? {
    if case .customer(let d)? = s.detail { return d.customer.key }
    return selectedCustomerRow(s)?.ref
}

func selectedAffiliateCode(_ s: State) -> String? {
    if case .customer(let d)? = s.detail { return d.customer.affiliateCode }
    guard case .customer(let c)? = selectedCustomerRow(s)?.item else { return nil }
    return c.affiliateCode
}

func selectedStatus(_ s: State) -> CustomerStatus? {
    if case .customer(let d)? = s.detail { return d.customer.status }
    return selectedCustomerRow(s)?.status
}

func beginSetStatus(_ s: inout State) -> [Effect] {
    guard let key = selectedCustomerKey(s), let from = selectedStatus(s), !refuseWhileBlocked(&s) else { return [] }
    let targets = Engine.allowedTransitions(from: from)
    guard !targets.isEmpty else {
        s.message = Note("No manual change is allowed from \(s.settings.label(from)).", isError: true)
        return []
    }
    s.overlays.append(.menu(Menu(title: "Status of \(key) (now \(s.settings.label(from)))",
                                 items: targets.map { MenuItem(label: s.settings.label($0), status: $0) },
                                 customerKey: key, from: from)))
    return []
}

func beginEditSetting(_ s: inout State) -> [Effect] {
    guard let field = SettingField(rawValue: s.settingsField), !refuseWhileBlocked(&s) else { return [] }
    s.overlays.append(.form(Form(title: "Edit: \(field.label)", purpose: .editSetting(field), labels: [field.label],
                                 values: [SettingsScreen.value(field, s.settings)])))
    return []
}

func handleFilterKey(_ s: inout State, _ key: Key) -> [Effect] {
    var l = s.list
    switch key {
    case .enter:
        s.filtering = false
        return []
    case .escape:
        s.filtering = false
        l.filter = ""
    case .backspace:
        guard !l.filter.isEmpty else { return [] }
        l.filter.removeLast()
    case .ctrl("u"):
        l.filter = ""
    case .char(let c):
        l.filter.append(c)
    case .ctrl("c"):
        s.quit = true
        return [.quit]
    default:
        return []
    }
    l.loading = true
    s.list = l
    return [State.load(s, s.tab, .reset)]
}

func handleOverlayKey(_ s: inout State, _ key: Key) -> [Effect] {
    guard let top = s.overlays.last else { return [] }
    if key == .ctrl("c") { s.quit = true; return [.quit] }
    func pop() { s.overlays.removeLast() }
    func replaceTop(_ o: Overlay) { s.overlays[s.overlays.count - 1] = o }
    switch top {
    case .history: return handleHistoryKey(&s, key)
    case .help:
        let page = max(1, OverlayView.dialogRoom(s.height, lines: OverlayView.helpLines(s).count) - 1)
        switch key {
        case .down, .char("j"): s.helpScroll += 1
        case .up, .char("k"): s.helpScroll -= 1
        case .pageDown, .char(" "), .ctrl("f"): s.helpScroll += page
        case .pageUp, .ctrl("b"): s.helpScroll -= page
        case .home, .char("g"): s.helpScroll = 0
        case .end, .char("G"): s.helpScroll = Int.max / 2
        case .escape, .char("?"), .char("q"), .enter, .f(1): pop()
        default: break
        }
        s.helpScroll = min(max(0, s.helpScroll), OverlayView.helpMaxScroll(s))
        return []
    case .confirm(let c):
        switch key {
        case .char("y"), .char("Y"):
            s.overlays.removeAll()
            return sendWrite(&s, c.action)
        case .char("n"), .char("N"), .escape, .enter, .char("q"):
            s.overlays.removeAll()
            s.message = Note("Cancelled: nothing was changed.")
            return []
        default: return []
        }
    case .menu(var m):
        switch key {
        case .up, .char("k"): m.selected = max(0, m.selected - 1); replaceTop(.menu(m))
        case .down, .char("j"): m.selected = min(m.items.count - 1, m.selected + 1); replaceTop(.menu(m))
        case .escape, .char("q"): pop()
        case .enter:
            let item = m.items[m.selected]
            replaceTop(.confirm(Confirm(title: "Change status?",
                                        lines: ["Customer  \(m.customerKey)",
                                                "Status    \(s.settings.label(m.from)) → \(item.label)"],
                                        action: .setStatus(customerKey: m.customerKey, to: item.status))))
        default: break
        }
        return []
    case .picker(var p):
        switch key {
        case .up: p.selected = max(0, p.selected - 1)
        case .down: p.selected = min(max(0, p.visible.count - 1), p.selected + 1)
        case .escape: pop(); return []
        case .backspace: if !p.filter.isEmpty { p.filter.removeLast(); p.selected = 0 }
        case .char(let c): p.filter.append(c); p.selected = 0
        case .enter:
            let v = p.visible
            guard v.indices.contains(p.selected) else { return [] }
            let target = v[p.selected]
            if let draft = p.manual {
                replaceTop(.confirm(TriageActions.manualConfirm(draft, affiliate: target.code)))
                return []
            }
            replaceTop(.confirm(Confirm(title: "Reassign customer?",
                                        lines: ["Customer  \(p.customerKey)",
                                                "Affiliate \(p.currentCode) → \(target.code) (\(target.name))",
                                                "Credited conversions stay with \(p.currentCode);",
                                                "future ones go to \(target.code)."],
                                        action: .reassign(customerKey: p.customerKey, affiliateCode: target.code))))
            return []
        default: return []
        }
        replaceTop(.picker(p))
        return []
    case .form(var f):
        switch key {
        case .escape: pop(); return []
        case .tab, .down: f.focus = (f.focus + 1) % f.labels.count
        case .backTab, .up: f.focus = (f.focus + f.labels.count - 1) % f.labels.count
        case .backspace: if !f.values[f.focus].isEmpty { f.values[f.focus].removeLast() }
        case .ctrl("u"): f.values[f.focus] = ""
        case .char(let c): f.values[f.focus].append(c)
        case .enter:
            if f.focus < f.labels.count - 1 { f.focus += 1; break }
            switch submit(f, s) {
            case .success(let c): replaceTop(.confirm(c))
            case .failure(let e): f.error = e.message; replaceTop(.form(f))
            }
            return []
        default: return []
        }
        f.error = nil
        replaceTop(.form(f))
        return []
    }
}

struct FormError: Error { var message: String }

/// Checks a form's fields and turns it into the confirmation of its action.
func submit(_ f: Form, _ s: State) -> Result<Confirm, FormError> {
    switch f.purpose {
    case .addConversion(let key):
        let id = f.values[0].trimmingCharacters(in: .whitespaces)
        if id.isEmpty { return .failure(FormError(message: "External id: required")) }
        let cur: Currency
        do { cur = try Currency(f.values[2]) } catch { return .failure(FormError(message: "Currency: \(error)")) }
        let amount: Money
        do { amount = try Money.parse(f.values[1], currency: cur) } catch { return .failure(FormError(message: "Amount: \(error)")) }
        var at: Instant?
        let when = f.values[3].trimmingCharacters(in: .whitespaces)
        if !when.isEmpty {
            guard let i = Instant.parse(when) else { return .failure(FormError(message: "Paid at: use 2026-01-31 or 2026-01-31T10:00:00Z")) }
            at = i
        }
        return .success(Confirm(title: "Add conversion?",
                                lines: ["Customer  \(key)", "External  \(id)", "Amount    \(amount)",
                                        "Paid at   \(at?.shortDisplay ?? "now")"],
                                action: .addConversion(customerKey: key, externalID: id, amount: amount, at: at)))
    case .editSetting(let field):
        var new = s.settings
        if let e = SettingsScreen.apply(field, f.values[0], to: &new) { return .failure(FormError(message: e)) }
        if new == s.settings { return .failure(FormError(message: "Unchanged: type a new value or press Esc")) }
        return .success(Confirm(title: "Change setting?",
                                lines: [field.label, "\(SettingsScreen.value(field, s.settings)) → \(SettingsScreen.value(field, new))"],
                                action: .saveSettings(new)))
    }
}

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
            if s.list.sortColumn == hit.index { s.list.descending.toggle() } else { s.list.sortColumn = hit.index }
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
