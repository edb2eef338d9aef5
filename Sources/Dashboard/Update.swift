import AttributionCore
import AttributionStore
import TerminalText

/// The dashboard's one state transition: a message in, the new state and the work to do out.
public func update(_ s: inout State, _ msg: Msg) -> [Effect] {
    // Each list load gets its ticket (newest wins); a detail asked for is waited for.
    let effects = LoadTickets.stamp(&s, transition(&s, msg))
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
    case .dataChanged: return Refresh.dataChanged(&s)
    case .loaded(let tab, let asked, let rows, let total, let atEnd, let ticket, let floor):
        return listLoaded(&s, tab, asked, rows, total, atEnd, ticket: ticket, floor: floor)
    case .detailLoaded(let d):
        guard PendingDetail.accept(&s, d) else { return [] }
        s.detail = keepingScroll(of: s.detail, d)
        return []
    case .reasonsLoaded(let r):
        let current = s.reasons.indices.contains(s.reasonIndex) ? s.reasons[s.reasonIndex].reason : ""
        s.reasons = r
        s.reasonIndex = r.firstIndex { $0.reason == current } ?? 0
        return []
    case .settingsLoaded(let settings):
        s.settings = settings
        return []
    case .adaptersLoaded(let a):
        s.adapters = a
        return []
    case .pickerLoaded(let items):
        if case .picker(var p)? = s.overlays.last {
            p.items = items
            p.selected = p.selectable(from: 0, step: 1, s.settings) ?? 0
            s.overlays[s.overlays.count - 1] = .picker(p)
        } else if s.prompt != nil {
            s.affiliateCodes = items.map(\.code)
        }
        return []
    case .previewed(let action, let d):
        Previews.apply(&s, action, d)
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
    case .bulkReplayPrepared(let result): return TriageActions.bulkPrepared(&s, result)
    case .ledgerTotalsLoaded, .payoutTotalsLoaded, .payoutLinesLoaded, .payoutRunPrepared, .commissionActionPrepared:
        ledgerTransition(&s, msg)
        return []
    case .manualPrepared(let draft):
        guard s.overlays.isEmpty else { return [] }
        if draft.needsAffiliate {
            // Nothing names whom to credit: the admin picks the affiliate.
            s.overlays.append(.picker(Picker(title: "Credit \(draft.externalID) to…", customerKey: "", currentCode: "", manual: draft)))
            return [.loadPicker]
        }
        s.overlays.append(.confirm(TriageActions.manualConfirm(draft, affiliate: nil)))
        return []
    case .zone(let z):
        s.zone = z
        return []
    case .failed(let m):
        s.message = Note(m, isError: true)
        s.lists[s.tab]?.loading = false
        s.lists[s.tab]?.loadingSince = nil
        if s.detail == nil { s.detailWanted = nil }
        return []
    case .elapsed: return Debounce.due(&s)
    }
}

/// A list's page arriving: kept if it is the list's newest load, then the reload a write by
/// another process was holding back, or the next page when the selection is near the window's edge.
private func listLoaded(_ s: inout State, _ tab: Tab, _ asked: LoadMode, _ rows: [ListRow], _ total: Int, _ atEnd: Bool,
                        ticket: Int, floor: Bool) -> [Effect] {
    guard let how = LoadTickets.accept(&s, tab, asked, ticket: ticket) else { return [] }
    applyLoaded(&s, tab, how, rows, total, atEnd, totalIsFloor: floor)
    grantWish(&s, tab)
    if let reload = Refresh.due(&s, tab) { return [reload] }
    // A reload too: rows new since may have pushed the kept selection to the window's edge.
    if how == .reset || how == .last || how.isReload, tab == s.tab { return prefetch(&s) }
    return []
}

/// The ledger's reads and previews (the Commissions and Payouts tabs) arriving.
func ledgerTransition(_ s: inout State, _ msg: Msg) {
    switch msg {
    case .ledgerTotalsLoaded(let t): s.ledgerTotals = t
    case .payoutTotalsLoaded(let t): s.payoutTotals = t
    case .payoutLinesLoaded(let p, let lines):
        if s.overlays.isEmpty { s.overlays.append(.notice(PayoutActions.linesNotice(p, lines, s))) }
    case .payoutRunPrepared(let action, let r, let totals): PayoutActions.runPrepared(&s, action, r, totals: totals)
    case .commissionActionPrepared(let plan): CommissionActions.prepared(&s, plan)
    default: break
    }
}

/// A pane read again keeps its scroll when it shows the same record.
func keepingScroll(of current: Detail?, _ loaded: Detail) -> Detail {
    switch (current, loaded) {
    case (.customer(let old)?, .customer(var new)) where old.customer.id == new.customer.id:
        new.scroll = old.scroll; return .customer(new)
    case (.event(let old)?, .event(var new)) where old.event.id == new.event.id:
        new.scroll = old.scroll; return .event(new)
    case (.mine(let old)?, .mine(var new)) where old.customer.number == new.customer.number:
        new.scroll = old.scroll; return .mine(new)
    case (.myPayout(let old)?, .myPayout(var new)) where old.payout.id == new.payout.id:
        new.scroll = old.scroll; return .myPayout(new)
    default: return loaded
    }
}

/// Everything on screen read again, keeping selections.
/// `reloadingList` false: the list's reload is left to its caller (`Refresh`, which holds it back
/// while a page of the list is on its way).
func refreshAll(_ s: State, reloadingList: Bool = true) -> [Effect] {
    // What the shown screen keeps beside its list (Triage's reasons, the ledger's totals); another
    // tab's are read when it is shown, so a refresh never pays for a screen nobody looks at.
    var out: [Effect] = [.loadSettings] + (s.screen(on: s.tab)?.sideLoads(s) ?? [])
    if s.onList, reloadingList { out.append(State.load(s, s.tab, .reload(keep: s.list.selectedRow?.id))) }
    out += reloadDetail(s.detail)
    return out
}

/// The read that refreshes an open pane (none without one).
func reloadDetail(_ detail: Detail?) -> [Effect] {
    switch detail {
    case .customer(let d)?: return [.loadCustomer(key: d.customer.key)]
    case .event(let d)?: return [.loadEvent(id: d.event.id)]
    case .mine(let d)?: return [.loadMyCustomer(number: d.customer.number)]
    case .myPayout(let d)?: return [.loadMyPayout(id: d.payout.id)]
    case nil: return []
    }
}

func switchTab(_ s: inout State, _ t: Tab) -> [Effect] {
    guard let screen = s.screen(on: t) else { return [] }
    // A tab is the top level: nothing to go back to.
    s.trail = []
    s.tab = t
    _ = PendingDetail.close(&s)
    s.filtering = false
    guard screen.isList else { return [.loadSettings] + screen.sideLoads(s) }
    return screen.sideLoads(s) + [State.load(s, t, s.list.loaded ? .reload(keep: s.list.selectedRow?.id) : .reset)]
}

func handleKey(_ s: inout State, _ key: Key) -> [Effect] {
    if !s.overlays.isEmpty { return handleOverlayKey(&s, key) }
    if s.prompt != nil { return handlePromptKey(&s, key) }
    if s.filtering { return handleFilterKey(&s, key) }
    if Layout(s).tooSmall {
        if key == .char("q") || key == .ctrl("c") { s.quit = true; return [.quit] }
        return []
    }
    guard let cmd = Keymap.command(for: key, in: s), PendingDetail.allows(s, cmd) else { return [] }
    s.message = nil
    return perform(&s, cmd)
}

func perform(_ s: inout State, _ cmd: Command) -> [Effect] {
    let visible = Layout(s).visibleRows
    switch cmd {
    case .quit:
        // q closes the pane or goes back; it quits only at the top level.
        if !Navigation.atTopLevel(s) { return back(&s) }
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
        guard !tabs.isEmpty else { return [] }
        let i = tabs.firstIndex(of: s.tab) ?? 0
        return switchTab(&s, tabs[(i + (cmd == .nextTab ? 1 : tabs.count - 1)) % tabs.count])
    case .gotoTab(let n):
        let tabs = s.tabs
        return n >= 1 && n <= tabs.count ? switchTab(&s, tabs[n - 1]) : []
    case .up, .down, .pageUp, .pageDown, .top, .bottom:
        return move(&s, cmd, visible)
    case .open: return open(&s)
    case .back: return back(&s)
    case .filter:
        guard s.onList, s.detail == nil else { return [] }
        s.filtering = true
        return []
    case .sortNext, .sortPrev, .sortReverse: return sort(&s, cmd)
    case .setStatus: return beginSetStatus(&s)
    case .reassign: return beginReassign(&s)
    case .addConversion: return beginAddConversion(&s)
    case .reasonNext, .reasonPrev:
        guard !s.reasons.isEmpty else { return [] }
        let n = s.reasons.count
        s.reasonIndex = (s.reasonIndex + (cmd == .reasonNext ? 1 : n - 1)) % n
        return [State.load(s, .triage, .reset)]
    case .replay:
        guard !refuseWhileBlocked(&s) else { return [] }
        if let bulk = TriageActions.bulkReplay(s) { return bulk }
        guard let id = TriageActions.selectedEventID(s) else { return [] }
        return [.prepareReplay(eventID: id)]
    case .markRow, .markReason, .toggleResolved: return TriageActions.perform(&s, cmd)
    case .ledgerStateNext, .ledgerStatePrev, .markCommission, .commissionAction: return CommissionActions.perform(&s, cmd)
    case .payoutAction(let kind): return PayoutActions.perform(&s, kind)
    case .manualConversion:
        guard let id = TriageActions.selectedEventID(s), !refuseWhileBlocked(&s) else { return [] }
        return [.prepareManual(eventID: id)]
    case .refresh:
        return refreshAll(s)
    case .jump(let kind): return Navigation.jump(&s, kind)
    case .prompt: return openPrompt(&s)
    case .copy: return Copy.copy(&s)
    case .chooseColumns: return ColumnChooserKeys.open(&s)
    case .addAffiliate: return AffiliateAdmin.beginAdd(&s)
    case .toggleAffiliate: return AffiliateAdmin.beginToggle(&s)
    case .editAffiliate: return AffiliateAdmin.beginEdit(&s)
    }
}

/// Esc: back where the admin came from (the trail), else closes the pane, else clears the
/// filter, else what the screen does (Customers: shows every customer again).
func back(_ s: inout State) -> [Effect] {
    if let out = Navigation.pop(&s) { return out }
    if PendingDetail.close(&s) { return [] }
    if !s.list.filter.isEmpty {
        s.list.filter = ""
        return [State.load(s, s.tab, .reset)]
    }
    return s.screen?.back(&s) ?? []
}

/// >, < and o: the next or previous sortable column, or the other direction.
func sort(_ s: inout State, _ cmd: Command) -> [Effect] {
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
        s.list.descending = cols[next].descendingFirst
    }
    s.list.loading = true
    return [State.load(s, s.tab, .reset)]
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
    case .myPayout(var d)?: d.scroll = min(step(d.scroll), maxScroll); s.detail = .myPayout(d)
    case nil: break
    }
    return []
}

/// Enter: what the screen opens for its selected row.
func open(_ s: inout State) -> [Effect] {
    guard let screen = s.screen else { return [] }
    guard screen.isList else { return screen.open(nil, &s) }
    guard let row = s.list.selectedRow else { return [] }
    // What it opens is a place Esc comes back from.
    Navigation.push(&s)
    let out = screen.open(row, &s)
    if out.isEmpty { s.trail.removeLast() }
    return out
}

/// The customer the customer actions act on: the open pane's, else the selected row's (on a
/// screen with customer actions).
func selectedCustomerRow(_ s: State) -> ListRow? {
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

/// The customer row the customer actions act on (the pane's or the selected row's).
func selectedCustomer(_ s: State) -> CustomerRow? {
    if case .customer(let d)? = s.detail { return d.customer }
    if case .customer(let c)? = selectedCustomerRow(s)?.item { return c }
    return nil
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

func beginReassign(_ s: inout State) -> [Effect] {
    guard let key = selectedCustomerKey(s), !refuseWhileBlocked(&s) else { return [] }
    let current = selectedAffiliateCode(s) ?? ""
    s.overlays.append(.picker(Picker(title: "Reassign \(key) to…", customerKey: key, currentCode: current)))
    return [.loadPicker]
}

func beginAddConversion(_ s: inout State) -> [Effect] {
    guard let key = selectedCustomerKey(s), !refuseWhileBlocked(&s) else { return [] }
    // A customer the core would credit nothing (canceled, capped): said at once, in full.
    if let c = selectedCustomer(s), let d = Previews.conversionRefusal(s, c.fact, history: c.capHistory), let r = d.reason {
        s.overlays.append(.notice(Notice(title: "No conversion can be added for \(key)", lines: Previews.refusalLines(d))))
        s.message = Note("Refused: \(r.sentence) \(r.hint)", isError: true)
        return []
    }
    s.overlays.append(.form(Form(title: "Add a conversion for \(key)", purpose: .addConversion(customerKey: key),
                                 labels: ["External id", "Amount", "Currency", "Paid at (empty = now)"],
                                 values: ["", "", s.settings.currency.code, ""])))
    return []
}

func beginEditSetting(_ s: inout State) -> [Effect] {
    guard let field = SettingField(rawValue: s.settingsField), !refuseWhileBlocked(&s) else { return [] }
    var form = Form(title: "Edit: \(field.label)", purpose: .editSetting(field), labels: [field.label],
                    values: [SettingsScreen.value(field, s.settings, s.adapters)])
    form.choices = [field.choices]
    form.hints = [SettingsScreen.explain(field, s.settings)]
    s.overlays.append(.form(form))
    return []
}
