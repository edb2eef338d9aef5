import AttributionCore
import AttributionStore
import TerminalText

/// The affiliate view's payout pane (Enter on Payouts): the payout and its lines, each only
/// "Customer #X", the month it was earned and the amount (a clawback negative).
enum MyPayoutPane {
    static func detailLines(_ d: MyPayoutDetail, _ s: State, width: Int) -> [(String, Style)] {
        let p = d.payout
        var out: [(String, Style)] = []
        func kv(_ k: String, _ v: String, _ style: Style = Style(.normal)) { out.append((Width.pad(k, to: 13) + v, style)) }
        kv("State", p.state.rawValue, Style(MyPayoutsScreen.role(p.state), bold: true))
        kv("Amount", p.amount.description, Style(.accent))
        kv("Created", s.zone.short(p.createdAt))
        if let paid = p.paidAt { kv("Paid", s.zone.short(paid)) }
        if let r = p.reference, !r.isEmpty { kv("Reference", r) }
        kv("Lines", String(p.lines))
        out.append(("", Style()))
        out.append(("Customer        Month        Amount", Style(.title, bold: true)))
        for l in d.lines {
            let who = Width.pad(l.customerNumber.map { "Customer #\($0)" } ?? "one-off sale", to: 15)
            let amount = Money.grouped(l.amount.decimalString) + " " + l.amount.currency.code
            out.append(("\(who) \(Width.pad(l.month, to: 7))  \(String(repeating: " ", count: max(0, 14 - Width.of(amount))))\(amount)"
                            + (l.isClawback ? "  clawback" : ""), Style(l.isClawback ? .error : .normal)))
        }
        if d.lines.count < p.lines { out.append(("… and \(p.lines - d.lines.count) more", Style(.dim))) }
        if p.lines == 0 { out.append(("no lines", Style(.dim))) }
        return out
    }
}
