import AttributionCore
import AttributionStore
import TerminalText

/// The detail panes: the admin's customer (with caps, revenue sparkline, conversions and events
/// in time order) and inbox event (its reason, fix and payload), opened only from admin screens
/// (and loaded only for the admin, see `Driver`); the affiliate view's pane is `MyCustomerPane`.
enum DetailView {
    static func draw(_ f: inout Frame, _ s: State, _ area: Rect) {
        guard let (title, lines, scroll) = content(s, area) else { return }
        f.box(area, title: title, style: Style(.borderFocused))
        let inner = area.interior
        let top = min(scroll, max(0, lines.count - inner.height))
        for (i, line) in lines.dropFirst(top).prefix(inner.height).enumerated() {
            f.put(line.0, x: inner.x + 1, y: inner.y + i, style: line.1, maxWidth: inner.width - 2)
        }
        if lines.count > inner.height {
            let label = " \(top + 1)-\(min(lines.count, top + inner.height))/\(lines.count) "
            f.put(label, x: area.maxX - Width.of(label) - 2, y: area.maxY - 1, style: Style(.border))
        }
    }

    /// The pane's title, its lines wrapped to the pane, and the scroll asked for.
    static func content(_ s: State, _ area: Rect) -> (String, [(String, Style)], Int)? {
        let title: String
        let lines: [(String, Style)]
        let scroll: Int
        switch s.detail {
        case .customer(let d)?:
            title = "Customer \(d.customer.key)"
            lines = customerLines(d, s, width: area.width - 4)
            scroll = d.scroll
        case .event(let d)?:
            title = "Event #\(d.event.id) · \(d.event.type)"
            lines = eventLines(d, s, width: area.width - 4)
            scroll = d.scroll
        case .mine(let d)?:
            title = "Customer #\(d.customer.number)"
            lines = MyCustomerPane.detailLines(d, s, width: area.width - 4)
            scroll = d.scroll
        case .myPayout(let d)?:
            title = "Payout #\(d.payout.id)"
            lines = MyPayoutPane.detailLines(d, s, width: area.width - 4)
            scroll = d.scroll
        case nil:
            return nil
        }
        let width = area.interior.width - 2
        return (title, lines.flatMap { line in wrap(line.0, width: width).map { ($0, line.1) } }, scroll)
    }

    /// How far the open pane scrolls before its last line is at the bottom.
    static func maxScroll(_ s: State) -> Int {
        let area = Layout(s).content
        guard let (_, lines, _) = content(s, area) else { return 0 }
        return max(0, lines.count - area.interior.height)
    }

    /// Word-wraps a line to a width in cells; words longer than the width are cut.
    static func wrap(_ text: String, width: Int) -> [String] {
        // Measure and cut what the frame will draw: escape sequences gone, line breaks spaces.
        let text = Sanitize.text(text)
        guard width > 0, Width.of(text) > width else { return [text] }
        var out: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if Width.of(candidate) <= width { line = candidate; continue }
            if !line.isEmpty { out.append(line) }
            var rest = String(word)
            while Width.of(rest) > width {
                let head = Width.truncate(rest, to: width, ellipsis: "")
                if head.isEmpty { break }   // a wide character in a one-cell width: the frame clips it
                out.append(head)
                rest = String(rest.dropFirst(head.count))
            }
            line = rest
        }
        if !line.isEmpty { out.append(line) }
        return out
    }

    static func customerLines(_ d: CustomerDetail, _ s: State, width: Int) -> [(String, Style)] {
        let c = d.customer
        let st = s.settings
        var out: [(String, Style)] = []
        func kv(_ k: String, _ v: String, _ style: Style = Style(.normal)) { out.append((Width.pad(k, to: 13) + v, style)) }
        kv("Key", c.key, Style(.accent, bold: true))
        kv("Email", c.email ?? "—")
        kv("Affiliate", "\(c.affiliateCode) (\(c.affiliateName))")
        kv("Status", "\(st.label(c.status)) (\(c.status.rawValue))", Style(Fmt.statusRole(c.status), bold: true))
        kv("Tracked", s.zone.short(c.createdAt))
        kv("Conversions", String(c.conversions))
        kv("Commission", Fmt.money(c.commission, st), Style(.accent))
        out.append(("", Style()))
        out.append(("Caps", Style(.title, bold: true)))
        out += Fmt.capBars(d.progress, st, width: width)
        out.append(("", Style()))
        let series = d.monthly.map(\.minor)
        let spark = Sparkline.render(Array(series.suffix(max(4, width - 30))), width: min(series.count, max(4, width - 30)))
        out.append(("Revenue per month" + (d.monthly.first.map { " since \($0.month)" } ?? ""), Style(.title, bold: true)))
        out.append((series.isEmpty ? "no payments yet" : spark + "  total " + Fmt.money(minor: series.saturatingSum(), st),
                    Style(series.isEmpty ? .dim : .chart)))
        out.append(("", Style()))
        out.append(("History (oldest first)", Style(.title, bold: true)))
        // Conversions and events in one time line.
        var items: [(Instant, Int64, String, Style)] = []
        for v in d.conversions {
            let state = d.ledger[v.id].map { "  " + LedgerHistory.state($0, st) } ?? ""
            items.append((v.at, v.id * 2, "\(s.zone.short(v.at))  paid \(Fmt.money(v.amount, st))  commission \(Fmt.money(v.commission, st))\(state)  \(v.affiliateCode)  \(v.externalID)",
                          Style(.ok)))
        }
        items += LedgerHistory.items(d, s)
        // A payment's own inbox event adds nothing to its "paid" line; other events stay.
        let paid = Set(d.conversions.map(\.id))
        for e in d.events where !(e.outcome == .accepted && e.notes.isEmpty && e.conversionID.map(paid.contains) == true) {
            let what = e.reasonCode.map { "refused \($0)" } ?? (e.note.map { "accepted · \($0)" } ?? "accepted")
            items.append((e.at ?? e.receivedAt, e.id * 2 + 1, "\(s.zone.short(e.at ?? e.receivedAt))  event #\(e.id) \(e.type): \(what)",
                          Style(e.outcome == .accepted ? .dim : .error)))
        }
        items.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        out += items.map { ($0.2, $0.3) }
        if items.isEmpty { out.append(("nothing yet", Style(.dim))) }
        return out
    }

    static func eventLines(_ d: EventDetail, _ s: State, width: Int) -> [(String, Style)] {
        let e = d.event
        var out: [(String, Style)] = []
        func kv(_ k: String, _ v: String, _ style: Style = Style(.normal)) { out.append((Width.pad(k, to: 12) + v, style)) }
        kv("Outcome", e.outcome.rawValue + (e.reasonCode.map { " · \($0)" } ?? ""), Style(e.outcome == .accepted ? .ok : .error, bold: true))
        kv("Received", s.zone.short(e.receivedAt) + " from " + e.source + (e.file.map { " \($0)\(e.line.map { ":\($0)" } ?? "")" } ?? ""))
        if let at = e.at { kv("Event time", s.zone.short(at)) }
        if let f = e.field { kv("Field", f, Style(.warning)) }
        if let x = e.externalID { kv("External id", x) }
        if d.customer == nil, let k = e.customerKey { kv("Customer", k + " · not tracked") }
        if d.click == nil, let c = e.clickRef { kv("Click", c) }
        // The click's age against the window, the customer's status and caps (TriageActions).
        out += TriageActions.contextLines(d, s)
        out += LedgerHistory.commissionLines(d.ledger, s)
        out.append(("", Style()))
        if let r = e.reason {
            out.append(("Why", Style(.title, bold: true)))
            out.append((r.sentence, Style(.normal)))
            if let detail = e.detail { out.append((detail, Style(.dim))) }
            out.append(("", Style()))
            out.append(("How to fix", Style(.title, bold: true)))
            out.append((r.hint, Style(.accent)))
        } else if let detail = e.detail {
            out.append((detail, Style(.dim)))
        }
        for n in e.notes {
            let note = Wording.note(n, refused: e.outcome == .rejected)
            out.append(("Note \(n.rawValue): \(note.sentence)", Style(.warning)))
            out.append(("  \(note.hint)", Style(.dim)))
        }
        if let w = d.wouldNow {
            out.append(("", Style()))
            out.append(("If it came again today", Style(.title, bold: true)))
            let text = w.isAccepted ? "accepted" + (w.detail.map { ": \($0)" } ?? "") : "refused \(w.reason!.rawValue): \(w.reason!.sentence)"
            out.append((text, Style(w.isAccepted ? .ok : .error)))
            if w.isAccepted && e.outcome == .rejected {
                out.append(("p replays it now (y/N, audited; never pays twice)", Style(.key)))
            }
        }
        out.append(("", Style()))
        out.append(("Payload", Style(.title, bold: true)))
        // The raw payload, wrapped; the frame sanitizes every character.
        var line = ""
        for ch in e.raw {
            line.append(ch)
            if Width.of(line) >= width - 2 { out.append((line, Style(.dim))); line = "" }
        }
        if !line.isEmpty { out.append((line, Style(.dim))) }
        return out
    }
}
