import AttributionCore
import AttributionStore
import TerminalText

/// The affiliate view's customer pane (Enter on My customers or My conversions): "Customer #N",
/// its caps and the conversions it earned this affiliate; nothing else about the customer.
enum MyCustomerPane {
    static func detailLines(_ d: MyCustomerDetail, _ s: State, width: Int) -> [(String, Style)] {
        let c = d.customer
        let st = s.settings
        var out: [(String, Style)] = []
        func kv(_ k: String, _ v: String, _ style: Style = Style(.normal)) { out.append((Width.pad(k, to: 13) + v, style)) }
        kv("Status", st.label(c.status), Style(Fmt.statusRole(c.status), bold: true))
        kv("Since", s.zone.date(c.createdAt))
        kv("Conversions", String(c.conversions))
        kv("Commission", Fmt.money(c.commission, st), Style(.accent))
        out.append(("", Style()))
        out.append(("Caps", Style(.title, bold: true)))
        out += Fmt.capBars(d.progress, st, width: width)
        out.append(("", Style()))
        out.append(("Your conversions from this customer", Style(.title, bold: true)))
        for v in d.conversions {
            out.append(("\(s.zone.short(v.at))  paid \(Fmt.money(v.amount, st))  you earned \(Fmt.money(v.commission, st))", Style(.ok)))
        }
        if d.conversions.isEmpty { out.append(("none yet", Style(.dim))) }
        return out
    }
}
