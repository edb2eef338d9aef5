import AttributionCore
import AttributionStore
import TerminalText

/// The affiliate view's screens: My customers, My conversions, Earnings. Every row is built from
/// the store's affiliate-view rows, which carry no customer key, email or order id.
enum AffiliateScreens {
    static func columns(_ tab: Tab) -> [Column] {
        switch tab {
        case .customers: return [
            Column("Customer", width: 13, flex: true, sort: CustomerSort.key.rawValue, priority: 9),
            Column("Status", width: 8, sort: CustomerSort.status.rawValue, priority: 9),
            Column("Conv.", width: 5, right: true, sort: CustomerSort.conversions.rawValue, priority: 6),
            Column("Commission", width: 11, right: true, sort: CustomerSort.commission.rawValue, priority: 8),
            Column("Cap", width: 10, priority: 5),
            Column("Last activity", width: 16, sort: CustomerSort.activity.rawValue, priority: 7),
        ]
        case .conversions: return [
            Column("Date", width: 16, sort: ConversionSort.date.rawValue, priority: 9),
            Column("Customer", width: 13, flex: true, priority: 8),
            Column("Amount", width: 12, right: true, sort: ConversionSort.amount.rawValue, priority: 7),
            Column("Commission", width: 12, right: true, sort: ConversionSort.commission.rawValue, priority: 9),
        ]
        default: return [
            Column("Month", width: 8, priority: 9),
            Column("Conv.", width: 6, right: true, priority: 7),
            Column("Earnings", width: 12, right: true, priority: 9),
            Column("", width: 20, flex: true, priority: 5),
        ]
        }
    }

    static func customerRow(_ c: AffiliateCustomerRow, _ s: ProgramSettings, now: Instant, sort: CustomerSort) -> DisplayRow {
        let cap: String
        if let t = s.caps.progress(c.capHistory, now: now).tightest {
            cap = ProgressBar.render(fraction: t.fraction, width: 5) + " \(Int((t.fraction * 100).rounded(.down)))%"
        } else {
            cap = "—"
        }
        return DisplayRow(id: c.number, ref: "#\(c.number)",
                          cells: ["Customer #\(c.number)", s.label(c.status), String(c.conversions), Fmt.money(c.commission, s),
                                  cap, c.lastActivityAt.shortDisplay],
                          roles: [nil, Fmt.statusRole(c.status), nil, .accent, .chart, .dim],
                          cursor: c.cursor(sort), status: c.status)
    }

    static func conversionRow(_ v: AffiliateConversionRow, _ s: ProgramSettings, sort: ConversionSort) -> DisplayRow {
        DisplayRow(id: v.id, ref: v.customerNumber.map { "#\($0)" } ?? "",
                   cells: [v.at.shortDisplay, v.customerNumber.map { "Customer #\($0)" } ?? "one-off sale",
                           Fmt.money(v.amount, s), Fmt.money(v.commission, s)],
                   roles: [.dim, v.customerNumber == nil ? .dim : nil, nil, .accent], cursor: v.cursor(sort))
    }

    /// Months newest first, each with a bar scaled to the best month.
    static func earningsRows(_ months: [EarningsMonth], _ s: ProgramSettings) -> [DisplayRow] {
        let best = max(1, months.map(\.commission).max() ?? 1)
        return months.reversed().enumerated().map { i, m in
            DisplayRow(id: Int64(i), ref: m.month,
                       cells: [m.month, String(m.conversions), Fmt.money(minor: m.commission, s),
                               ProgressBar.render(value: m.commission, max: best, width: 20, empty: " ")],
                       roles: [nil, nil, .accent, .chart], cursor: Cursor(int: Int64(i), id: Int64(i)))
        }
    }

    static func detailLines(_ d: MyCustomerDetail, _ s: State, width: Int) -> [(String, Style)] {
        let c = d.customer
        let st = s.settings
        var out: [(String, Style)] = []
        func kv(_ k: String, _ v: String, _ style: Style = Style(.normal)) { out.append((Width.pad(k, to: 13) + v, style)) }
        kv("Status", st.label(c.status), Style(Fmt.statusRole(c.status), bold: true))
        kv("Since", c.createdAt.dateDisplay)
        kv("Conversions", String(c.conversions))
        kv("Commission", Fmt.money(c.commission, st), Style(.accent))
        out.append(("", Style()))
        out.append(("Caps", Style(.title, bold: true)))
        let barW = max(10, min(30, width - 40))
        for (name, dim, text) in [("Count", d.progress.count, { (x: CapProgress.Dimension) in "\(x.used) of \(x.limit) commissions" }),
                                  ("Months", d.progress.months, { "day \($0.used) of \($0.limit)" }),
                                  ("Amount", d.progress.amount, { "\(Fmt.money(minor: $0.used, st)) of \(Fmt.money(minor: $0.limit, st))" })] {
            guard let dim else { out.append((Width.pad(name, to: 13) + "no cap", Style(.dim))); continue }
            out.append((Width.pad(name, to: 13) + ProgressBar.render(fraction: dim.fraction, width: barW) + "  " + text(dim),
                        Style(dim.reached ? .warning : .chart)))
        }
        out.append(("", Style()))
        out.append(("Your conversions from this customer", Style(.title, bold: true)))
        for v in d.conversions {
            out.append(("\(v.at.shortDisplay)  paid \(Fmt.money(v.amount, st))  you earned \(Fmt.money(v.commission, st))", Style(.ok)))
        }
        if d.conversions.isEmpty { out.append(("none yet", Style(.dim))) }
        return out
    }
}
