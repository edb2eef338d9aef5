import AttributionCore
import AttributionStore
import TerminalText

/// Modal layers: help, confirmations, menus, the affiliate picker, forms.
enum OverlayView {
    static func draw(_ f: inout Frame, _ s: State, _ o: Overlay) {
        switch o {
        case .help: help(&f, s)
        case .history: HistoryView.draw(&f, s)
        case .confirm(let c):
            var lines = c.lines.map { ($0, Style(.dialog)) }
            lines.append(("", Style(.dialog)))
            lines.append((c.yes ? "  No   [ Yes ]" : "[ No ]   Yes", Style(.key, bold: true)))
            lines.append(("y confirm · n / Esc cancel · ←/→ Enter", Style(.dim)))
            dialog(&f, c.title, lines)
        case .columns(let c):
            dialog(&f, "Columns of \(c.tab.title)", ColumnChooserKeys.lines(s, c), minWidth: 36)
        case .notice(let n):
            // Wrapped to the dialog, never cut: a refusal is a whole sentence and its fix.
            let w = min(f.width - 2, 76) - 4
            var lines = n.lines.flatMap { l in DetailView.wrap(l, width: w).map { ($0, Style(.dialog)) } }
            lines += [("", Style(.dialog)), ("Enter / Esc close", Style(.dim))]
            dialog(&f, n.title, lines, minWidth: w + 4)
        case .menu(let m):
            let lines = m.items.enumerated().map { i, item in
                ((i == m.selected ? "▶ " : "  ") + item.label, i == m.selected ? Style(.selected) : Style(.dialog))
            } + [("", Style(.dialog)), ("↑/↓ choose · Enter · Esc cancel", Style(.dim))]
            dialog(&f, m.title, lines)
        case .picker(let p):
            var lines: [(String, Style)] = [("Filter: " + p.filter + "█", Style(.input)), ("", Style(.dialog))]
            let v = p.visible
            let room = max(3, f.height - 12)
            let start = max(0, min(p.selected - room / 2, v.count - room))
            for (i, item) in v.enumerated().dropFirst(start).prefix(room) {
                // What the core would refuse is shown, dimmed, with why; it cannot be picked.
                let why = p.refusal(item, s.settings)
                let current = AffiliateCode.key(item.code) == AffiliateCode.key(p.currentCode) && p.manual == nil
                let mark = current ? " (current)" : why.map { " — \($0)" } ?? ""
                lines.append(((i == p.selected ? "▶ " : "  ") + Width.pad(item.code, to: 12) + " " + item.name + mark,
                              i == p.selected && why == nil ? Style(.selected) : Style(why != nil ? .dim : .dialog)))
            }
            if v.isEmpty { lines.append(("no affiliate matches", Style(.dim))) }
            lines += [("", Style(.dialog)), ("type to filter · ↑/↓ · Enter choose · Esc cancel", Style(.dim))]
            dialog(&f, p.title, lines, minWidth: 50)
        case .form(let form):
            // Sentences wrap only at the screen's width: on a wide screen an error is one line.
            let lines = FormView.lines(form, s, width: f.width - 6)
            dialog(&f, form.title, lines, minWidth: min(f.width - 2, 76))
        }
    }

    /// The rows a dialog shows its lines in on a frame this high.
    static func dialogRoom(_ height: Int, lines: Int) -> Int { max(0, min(height - 2, lines + 2) - 2) }

    static func dialog(_ f: inout Frame, _ title: String, _ lines: [(String, Style)], minWidth: Int = 30, scroll: Int = 0) {
        let w = min(f.width - 2, max(minWidth, Width.of(title) + 6, (lines.map { Width.of($0.0) }.max() ?? 0) + 4))
        let room = dialogRoom(f.height, lines: lines.count)
        let r = f.bounds.centered(width: w, height: room + 2)
        // A blank column either side keeps the screen's text off the border.
        f.fill(Rect(x: r.x - 1, y: r.y, width: r.width + 2, height: r.height), style: Style(.dialog))
        f.box(r, title: title, style: Style(.borderFocused))
        let top = min(max(0, scroll), max(0, lines.count - room))
        for (i, line) in lines.dropFirst(top).prefix(room).enumerated() {
            f.put(Width.truncate(line.0, to: w - 4), x: r.x + 2, y: r.y + 1 + i, style: line.1)
        }
        if lines.count > room {
            let label = " \(top + 1)-\(top + room)/\(lines.count) ↑/↓ "
            f.put(label, x: r.maxX - Width.of(label) - 2, y: r.maxY - 1, style: Style(.borderFocused))
        }
    }

    static func help(_ f: inout Frame, _ s: State) {
        dialog(&f, "Keys · ? or Esc closes", helpLines(s), minWidth: 60, scroll: s.helpScroll)
    }

    static func helpLines(_ s: State) -> [(String, Style)] {
        let scopes = Keymap.scopes(s)
        var lines: [(String, Style)] = []
        let groups: [(Scope, String)] = [(.everywhere, "Everywhere"), (.lists, "Lists"), (.customerActions, "Customer actions (admin)"),
                                          (.triage, "Triage"), (.eventActions, "Event actions (admin)"),
                                          (.affiliateActions, "Affiliate actions (admin)"), (.commissions, "Commissions (admin)"), (.payouts, "Payouts (admin)"),
                                          (.jumps, "Go to a related record (admin; Esc comes back)")]
        for (scope, name) in groups where scopes.contains(scope) || (scope == .lists && scopes.contains(.detail)) {
            lines.append((name, Style(.title, bold: true)))
            for b in Keymap.bindings where b.scope == scope || (scope == .everywhere && b.scope == .admin && scopes.contains(.admin)) {
                // The tab numbers this view has ("1-3" in the affiliate view).
                let label = b.command == .gotoTab(0) ? "1-\(s.tabs.count)" : b.label
                lines.append(("  " + Width.pad(label, to: 9) + b.help, Style(.dialog)))
            }
        }
        lines.append(("Mouse: click a tab or a row, click a header to sort, wheel scrolls.", Style(.dim)))
        return lines
    }

    /// How far the help scrolls on this screen (it is taller than small terminals).
    static func helpMaxScroll(_ s: State) -> Int {
        let n = helpLines(s).count
        return max(0, n - dialogRoom(s.height, lines: n))
    }
}

/// A form's lines: each label, then its value apart from it (a pick-list's choices, the chosen
/// one marked), the hint under the field, a warning, the error, the keys.
enum FormView {
    static func lines(_ form: Form, _ s: State, width: Int) -> [(String, Style)] {
        let labelW = min(width / 2, (form.labels.map { Width.of($0) }.max() ?? 0) + 2)
        var out: [(String, Style)] = []
        for (i, label) in form.labels.enumerated() {
            let focused = i == form.focus
            let style = focused ? Style(.input, bold: true) : Style(.dialog)
            let choices = form.choices(i)
            let value: String
            if !choices.isEmpty, choices.contains(form.values[i].lowercased()) {
                value = choices.map { ($0 == form.values[i].lowercased() ? "● " : "○ ") + $0 }.joined(separator: "  ")
            } else {
                value = form.values[i] + (focused ? "█" : "")
            }
            // A label too wide for its column goes on its own line.
            if Width.of(label) + 2 > labelW {
                out.append((label, style))
                out.append((Width.spaces(2) + value, style))
            } else {
                out.append((Width.pad(label, to: labelW) + value, style))
            }
            if focused, let hint = form.hint(i) {
                out += DetailView.wrap(hint, width: width - 2).map { ("  " + $0, Style(.dim)) }
            }
        }
        out.append(("", Style(.dialog)))
        if let w = warning(form, s) { out += DetailView.wrap(w, width: width).map { ($0, Style(.warning, bold: true)) } }
        if let e = form.error { out += DetailView.wrap(e, width: width).map { ($0, Style(.error, bold: true)) } }
        let pick = form.choices(form.focus).isEmpty ? "" : "←/→ Space pick · "
        out.append((pick + "Tab/↑/↓ move · Enter next/submit · Esc cancel", Style(.dim)))
        return out
    }

    /// An amount in another currency than the program's, said while it is typed.
    static func warning(_ form: Form, _ s: State) -> String? {
        switch form.purpose {
        case .addConversion:
            guard form.values.count > 2, let c = try? Currency(form.values[2]) else { return nil }
            return FormWarnings.currency(c, s.settings)
        case .editSetting(let field):
            guard field == .commission, case .fixed(let m)? = Commission.parse(form.values[0]) else { return nil }
            return FormWarnings.currency(m.currency, s.settings)
        case .voidCommissions, .createPayouts, .markPayoutPaid, .exportPayout:
            return nil
        case .addAffiliate:
            guard form.values.count > 3, case .fixed(let m)? = Commission.parse(form.values[3]) else { return nil }
            return FormWarnings.currency(m.currency, s.settings)
        case .editAffiliate:
            guard form.values.count > 2, case .fixed(let m)? = Commission.parse(form.values[2]) else { return nil }
            return FormWarnings.currency(m.currency, s.settings)
        }
    }
}
