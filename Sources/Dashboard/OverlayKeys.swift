import AttributionCore
import AttributionStore
import TerminalText

func handleFilterKey(_ s: inout State, _ key: Key) -> [Effect] {
    var l = s.list
    switch key {
    case .enter:
        s.filtering = false
        // Kept: a filter waiting for a pause in typing queries now.
        return Debounce.due(&s, force: true)
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
    s.list = l
    return Debounce.filterChanged(&s, now: key == .escape || key == .ctrl("u"))
}

/// A key while a dialog is open: the top one takes it (Ctrl-C quits from any).
func handleOverlayKey(_ s: inout State, _ key: Key) -> [Effect] {
    guard let top = s.overlays.last else { return [] }
    if key == .ctrl("c") { s.quit = true; return [.quit] }
    switch top {
    case .history: return handleHistoryKey(&s, key)
    case .help: return handleHelpKey(&s, key)
    case .confirm(let c): return handleConfirmKey(&s, c, key)
    case .menu(let m): return handleMenuKey(&s, m, key)
    case .picker(let p): return handlePickerKey(&s, p, key)
    case .form(let f): return handleFormKey(&s, f, key)
    case .notice: return handleNoticeKey(&s, key)
    case .columns(let c): return ColumnChooserKeys.handle(&s, c, key)
    }
}

/// Replaces the top dialog.
private func replaceTop(_ s: inout State, _ o: Overlay) { s.overlays[s.overlays.count - 1] = o }

/// The help: scrolls; Esc, ?, q or Enter closes it.
func handleHelpKey(_ s: inout State, _ key: Key) -> [Effect] {
    let page = max(1, OverlayView.dialogRoom(s.height, lines: OverlayView.helpLines(s).count) - 1)
    switch key {
    case .down, .char("j"): s.helpScroll += 1
    case .up, .char("k"): s.helpScroll -= 1
    case .pageDown, .char(" "), .ctrl("f"): s.helpScroll += page
    case .pageUp, .ctrl("b"): s.helpScroll -= page
    case .home, .char("g"): s.helpScroll = 0
    case .end, .char("G"): s.helpScroll = Int.max / 2
    case .escape, .char("?"), .char("q"), .enter, .f(1): s.overlays.removeLast()
    default: break
    }
    s.helpScroll = min(max(0, s.helpScroll), OverlayView.helpMaxScroll(s))
    return []
}

/// y sends the change; n, Esc or q cancels it; Enter presses the highlighted button (No, the
/// safe one, until ←/→/Tab/h/l moves to Yes).
func handleConfirmKey(_ s: inout State, _ c: Confirm, _ key: Key) -> [Effect] {
    switch key {
    case .left, .right, .tab, .backTab, .char("h"), .char("l"):
        var c = c
        c.yes.toggle()
        replaceTop(&s, .confirm(c))
        return []
    case .enter where c.yes, .char("y"), .char("Y"):
        s.overlays.removeAll()
        if case .bulkReplay = c.action { s.triageMarks = TriageMarks() }
        return sendWrite(&s, c.action)
    case .char("n"), .char("N"), .escape, .enter, .char("q"):
        s.overlays.removeAll()
        s.message = Note("Cancelled: nothing was changed.")
        return []
    default: return []
    }
}

/// The status menu: Enter asks to confirm the chosen status.
func handleMenuKey(_ s: inout State, _ menu: Menu, _ key: Key) -> [Effect] {
    var m = menu
    switch key {
    case .up, .char("k"): m.selected = max(0, m.selected - 1); replaceTop(&s, .menu(m))
    case .down, .char("j"): m.selected = min(m.items.count - 1, m.selected + 1); replaceTop(&s, .menu(m))
    case .escape, .char("q"): s.overlays.removeLast()
    case .enter:
        let item = m.items[m.selected]
        replaceTop(&s, .confirm(Confirm(title: "Change status?",
                                        lines: ["Customer  \(m.customerKey)",
                                                "Status    \(s.settings.label(m.from)) → \(item.label)"],
                                        action: .setStatus(customerKey: m.customerKey, to: item.status))))
    default: break
    }
    return []
}

/// The affiliate picker: typing filters; Enter asks to confirm the reassignment (or the manual credit).
func handlePickerKey(_ s: inout State, _ picker: Picker, _ key: Key) -> [Effect] {
    var p = picker
    let st = s.settings
    switch key {
    case .up: p.selected = p.selectable(from: p.selected - 1, step: -1, st) ?? p.selected
    case .down: p.selected = p.selectable(from: p.selected + 1, step: 1, st) ?? p.selected
    case .escape: s.overlays.removeLast(); return []
    case .backspace: if !p.filter.isEmpty { p.filter.removeLast(); p.selected = p.selectable(from: 0, step: 1, st) ?? 0 }
    case .char(let c): p.filter.append(c); p.selected = p.selectable(from: 0, step: 1, st) ?? 0
    case .enter:
        let v = p.visible
        // Only what the core allows is picked; the others are shown with why.
        guard v.indices.contains(p.selected), p.refusal(v[p.selected], st) == nil else { return [] }
        replaceTop(&s, .confirm(pickedConfirm(p, v[p.selected])))
        return []
    default: return []
    }
    replaceTop(&s, .picker(p))
    return []
}

/// The confirmation of what a picked affiliate is for.
func pickedConfirm(_ p: Picker, _ target: PickerItem) -> Confirm {
    if let draft = p.manual { return TriageActions.manualConfirm(draft, affiliate: target.code) }
    return Confirm(title: "Reassign customer?",
                   lines: ["Customer  \(p.customerKey)",
                           "Affiliate \(p.currentCode) → \(target.code) (\(target.name))",
                           "Credited conversions stay with \(p.currentCode);",
                           "future ones go to \(target.code)."],
                   action: .reassign(customerKey: p.customerKey, affiliateCode: target.code))
}

/// A form: Tab moves between fields; ←/→ or Space picks among a field's choices; Enter checks
/// what is filled in: an error keeps the focus on the field it is about, else Enter moves on,
/// and on the last field asks to confirm.
func handleFormKey(_ s: inout State, _ form: Form, _ key: Key) -> [Effect] {
    var f = form
    let choices = f.choices(f.focus)
    switch key {
    case .escape: s.overlays.removeLast(); return []
    case .tab, .down: f.focus = (f.focus + 1) % f.labels.count
    case .backTab, .up: f.focus = (f.focus + f.labels.count - 1) % f.labels.count
    case .left where !choices.isEmpty, .right where !choices.isEmpty, .char(" ") where !choices.isEmpty:
        let i = choices.firstIndex(of: f.values[f.focus].lowercased()) ?? -1
        let step = key == .left ? choices.count - 1 : 1
        f.values[f.focus] = choices[(max(0, i) + (i < 0 ? 0 : step)) % choices.count]
    case .backspace: if !f.values[f.focus].isEmpty { f.values[f.focus].removeLast() }
    case .ctrl("u"): f.values[f.focus] = ""
    case .char(let c): f.values[f.focus].append(c)
    case .enter:
        switch submit(f, s) {
        case .failure(let e) where e.field == nil || e.field! <= f.focus || f.focus == f.labels.count - 1:
            f.error = e.message
            f.errorField = e.field
            if let field = e.field { f.focus = field }
            replaceTop(&s, .form(f))
            return []
        case .success(let c) where f.focus == f.labels.count - 1:
            replaceTop(&s, .confirm(c))
            // The core's answer on the stored facts: a refusal replaces the confirmation.
            return [.preview(c.action)]
        default: f.focus += 1
        }
    default: return []
    }
    f.error = nil
    f.errorField = nil
    replaceTop(&s, .form(f))
    return []
}

/// What is wrong in a form, and which field it is about (nil: the form as a whole).
struct FormError: Error {
    var message: String
    var field: Int? = nil
}

/// Checks a form's fields and turns it into the confirmation of its action.
func submit(_ f: Form, _ s: State) -> Result<Confirm, FormError> {
    switch f.purpose {
    case .addConversion(let key):
        let id = f.values[0].trimmingCharacters(in: .whitespaces)
        if id.isEmpty { return .failure(FormError(message: "External id: required", field: 0)) }
        let cur: Currency
        do { cur = try Currency(f.values[2]) } catch { return .failure(FormError(message: "Currency: \(error)", field: 2)) }
        let amount: Money
        do { amount = try Money.parse(f.values[1], currency: cur) } catch { return .failure(FormError(message: "Amount: \(error)", field: 1)) }
        var at: Instant?
        let when = f.values[3].trimmingCharacters(in: .whitespaces)
        if !when.isEmpty {
            guard let i = Instant.parse(when) else { return .failure(FormError(message: "Paid at: use 2026-01-31 or 2026-01-31T10:00:00Z", field: 3)) }
            at = i
        }
        let warning = FormWarnings.currency(amount.currency, s.settings).map { ["", $0] } ?? []
        return .success(Confirm(title: "Add conversion?",
                                lines: ["Customer  \(key)", "External  \(id)", "Amount    \(amount)",
                                        "Paid at   \(at?.shortDisplay ?? "now")"] + warning,
                                action: .addConversion(customerKey: key, externalID: id, amount: amount, at: at)))
    case .addAffiliate:
        return AffiliateAdmin.submit(f, s)
    case .editAffiliate(let code, let current):
        return AffiliateAdmin.submitEdit(f, code: code, current: current, s)
    case .voidCommissions(let ids):
        return CommissionActions.submitVoid(f, ids: ids)
    case .createPayouts, .markPayoutPaid, .exportPayout:
        return PayoutActions.submit(f, s)
    case .editSetting(let field):
        var new = s.settings, adapters = s.adapters
        if let e = SettingsScreen.apply(field, f.values[0], to: &new, &adapters) { return .failure(FormError(message: e, field: 0)) }
        if new == s.settings && adapters == s.adapters { return .failure(FormError(message: "Unchanged: type a new value or press Esc", field: 0)) }
        var lines = [field.label, "\(SettingsScreen.value(field, s.settings, s.adapters)) → \(SettingsScreen.value(field, new, adapters))"]
        if case .fixed(let m) = new.commission, field == .commission, let w = FormWarnings.currency(m.currency, new) { lines += ["", w] }
        return .success(Confirm(title: "Change setting?", lines: lines,
                                action: adapters != s.adapters ? .saveAdapters(adapters) : .saveSettings(new)))
    }
}

/// A notice: Enter, Esc, q, y or n closes it.
func handleNoticeKey(_ s: inout State, _ key: Key) -> [Effect] {
    switch key {
    case .enter, .escape, .char("q"), .char("y"), .char("Y"), .char("n"), .char("N"), .char(" "): s.overlays.removeLast()
    default: break
    }
    return []
}

enum FormWarnings {
    /// An amount in another currency than the program's is allowed, and said.
    static func currency(_ c: Currency, _ settings: ProgramSettings) -> String? {
        c == settings.currency ? nil : "Warning: \(c.code) is not the program's currency (\(settings.currency.code))."
    }
}
