import AttributionCore
import AttributionStore
import TerminalText

enum AffiliatesScreen {
    static let columns = [
        Column("Code", width: 12, sort: AffiliateSort.code.rawValue, priority: 9),
        Column("Name", width: 18, flex: true, sort: AffiliateSort.name.rawValue, priority: 8),
        Column("Customers", width: 9, right: true, sort: AffiliateSort.customers.rawValue, priority: 7),
        Column("Earnings", width: 12, right: true, sort: AffiliateSort.earnings.rawValue, priority: 8),
        Column("Conv.", width: 6, right: true, sort: AffiliateSort.conversions.rawValue, priority: 4),
        Column("Earnings / month", width: 16, priority: 3),
        Column("State", width: 8, priority: 2),
    ]

    static func row(_ a: AffiliateSummary, monthly: [MonthAmount], _ s: ProgramSettings, sort: AffiliateSort) -> DisplayRow {
        DisplayRow(id: a.affiliate.id, ref: a.affiliate.code,
                   cells: [a.affiliate.code, a.affiliate.name, String(a.customers), Fmt.money(minor: a.earnings, s),
                           String(a.conversions), Sparkline.render(monthly.suffix(16).map(\.minor), width: 16),
                           a.affiliate.disabled ? "disabled" : "active"],
                   roles: [nil, nil, nil, .accent, nil, .chart, a.affiliate.disabled ? .error : .dim],
                   cursor: a.cursor(sort))
    }
}

enum CustomersScreen {
    static let columns = [
        Column("Customer", width: 12, flex: true, sort: CustomerSort.key.rawValue, priority: 9),
        Column("Affiliate", width: 10, sort: CustomerSort.affiliate.rawValue, priority: 8),
        Column("Status", width: 8, sort: CustomerSort.status.rawValue, priority: 9),
        Column("Conv.", width: 5, right: true, sort: CustomerSort.conversions.rawValue, priority: 6),
        Column("Commission", width: 11, right: true, sort: CustomerSort.commission.rawValue, priority: 7),
        Column("Cap", width: 10, priority: 4),
        Column("Last activity", width: 16, sort: CustomerSort.activity.rawValue, priority: 5),
    ]

    static func row(_ c: CustomerRow, _ s: ProgramSettings, now: Instant, sort: CustomerSort) -> DisplayRow {
        DisplayRow(id: c.id, ref: c.key,
                   cells: [c.key, c.affiliateCode, s.label(c.status), String(c.conversions), Fmt.money(c.commission, s),
                           capCell(c, s, now: now), c.lastActivityAt.shortDisplay],
                   roles: [nil, nil, Fmt.statusRole(c.status), nil, .accent, c.status == .capped ? .warning : .chart, .dim],
                   cursor: c.cursor(sort), status: c.status)
    }

    /// The tightest cap as a small bar, "█████░ 83%", or "—" without caps.
    static func capCell(_ c: CustomerRow, _ s: ProgramSettings, now: Instant) -> String {
        guard let t = s.caps.progress(c.capHistory, now: now).tightest else { return "—" }
        return ProgressBar.render(fraction: t.fraction, width: 5) + " " + "\(Int((t.fraction * 100).rounded(.down)))%"
    }
}

enum ConversionsScreen {
    static let columns = [
        Column("Date", width: 16, sort: ConversionSort.date.rawValue, priority: 8),
        Column("External id", width: 12, flex: true, sort: ConversionSort.externalID.rawValue, priority: 7),
        Column("Customer", width: 12, flex: true, priority: 6),
        Column("Affiliate", width: 10, sort: ConversionSort.affiliate.rawValue, priority: 7),
        Column("Amount", width: 10, right: true, sort: ConversionSort.amount.rawValue, priority: 8),
        Column("Commission", width: 10, right: true, sort: ConversionSort.commission.rawValue, priority: 9),
    ]

    static func row(_ v: ConversionRow, _ s: ProgramSettings, sort: ConversionSort) -> DisplayRow {
        DisplayRow(id: v.id, ref: v.customerKey ?? "",
                   cells: [v.at.shortDisplay, v.externalID + (v.manual ? " ✎" : ""), v.customerKey ?? "one-off", v.affiliateCode,
                           Fmt.money(v.amount, s), Fmt.money(v.commission, s)],
                   roles: [.dim, nil, v.customerKey == nil ? .dim : nil, nil, nil, .accent],
                   cursor: v.cursor(sort))
    }
}

enum CapsScreen {
    static func columns(_ s: ProgramSettings) -> [Column] {
        [
            Column("Customer", width: 14, flex: true, sort: CustomerSort.key.rawValue, priority: 9),
            Column("Affiliate", width: 10, sort: CustomerSort.affiliate.rawValue, priority: 8),
            Column("Status", width: 8, sort: CustomerSort.status.rawValue, priority: 7),
            Column(s.caps.count.map { "Count (\($0))" } ?? "Count", width: 14, sort: CustomerSort.conversions.rawValue, priority: 6),
            Column(s.caps.months.map { "Months (\($0))" } ?? "Months", width: 14, priority: 5),
            Column(s.caps.amount.map { "Amount (\(Fmt.money($0, s)))" } ?? "Amount", width: 18, sort: CustomerSort.commission.rawValue, priority: 6),
        ]
    }

    static func row(_ c: CustomerRow, _ s: ProgramSettings, now: Instant, sort: CustomerSort) -> DisplayRow {
        let p = s.caps.progress(c.capHistory, now: now)
        func bar(_ d: CapProgress.Dimension?, _ text: (CapProgress.Dimension) -> String) -> String {
            guard let d else { return "—" }
            return ProgressBar.render(fraction: d.fraction, width: 6) + " " + text(d)
        }
        return DisplayRow(id: c.id, ref: c.key,
                          cells: [c.key, c.affiliateCode, s.label(c.status),
                                  bar(p.count) { "\($0.used)/\($0.limit)" },
                                  bar(p.months) { "\(Int($0.fraction * 100))%" },
                                  bar(p.amount) { Fmt.money(minor: $0.used, s) }],
                          roles: [nil, nil, Fmt.statusRole(c.status), .chart, .chart, .chart],
                          cursor: c.cursor(sort), status: c.status)
    }
}

enum TriageScreen {
    static let columns = [
        // Newest first: the store reads the inbox in that one order, so no column sorts.
        Column("#", width: 7, right: true, priority: 6),
        Column("When", width: 16, priority: 5),
        Column("Type", width: 10, priority: 7),
        Column("Outcome", width: 8, priority: 3),
        Column("Reason", width: 20, priority: 9),
        Column("Identifier", width: 14, flex: true, priority: 8),
        Column("Detail", width: 20, flex: true, priority: 4),
    ]

    static func row(_ e: EventRow) -> DisplayRow {
        let ident = e.externalID ?? e.customerKey ?? e.clickRef ?? e.file.map { "\($0):\(e.line ?? 0)" } ?? "—"
        return DisplayRow(id: e.id, ref: String(e.id),
                          cells: [String(e.id), e.at?.shortDisplay ?? e.receivedAt.shortDisplay, e.type, e.outcome.rawValue,
                                  e.reasonCode ?? e.note ?? "", ident, e.detail ?? ""],
                          roles: [.dim, .dim, nil, e.outcome == .accepted ? .ok : .error, e.reason == nil ? .dim : .warning, nil, .dim],
                          cursor: e.cursor)
    }
}

enum AuditScreen {
    static let columns = [
        // Newest first, the one order the store reads the log in. "After" says what a change
        // did, so it outlasts "Before" on narrow screens.
        Column("When", width: 16, priority: 8),
        Column("Who", width: 10, priority: 6),
        Column("Action", width: 17, priority: 9),
        Column("Target", width: 14, flex: true, priority: 8),
        Column("Before", width: 12, flex: true, priority: 5),
        Column("After", width: 12, flex: true, priority: 7),
    ]

    static func row(_ a: AuditRow) -> DisplayRow {
        DisplayRow(id: a.id, ref: a.target ?? "",
                   cells: [a.at.shortDisplay, a.who, a.action, a.target ?? "", a.before ?? "—", (a.after ?? "—") + (a.detail.map { " (\($0))" } ?? "")],
                   roles: [.dim, nil, .accent, nil, .dim, nil], cursor: a.cursor)
    }
}
