import AttributionCore
import AttributionStore
import TerminalText

/// The affiliate view's Earnings: per month and currency, newest first, what is still inside its
/// hold (pending), due (approved), waiting for the program (on hold), paid and clawed back, with
/// a bar of the month's net scaled to the best month. Read from the ledger's maintained sums
/// (`Store.affiliateLedgerMonths`): a page of rows whatever the affiliate's size.
struct EarningsScreen: Screen {
    let tab = Tab.earnings
    let title = "Earnings"
    /// The months, newest first: the one order (no column sorts).
    let defaultSort = (column: 0, descending: true)

    func columns(_ settings: ProgramSettings) -> [Column] {
        [
            Column("Month", width: 7, priority: 9),
            Column("Cur", width: 3, priority: 8),
            Column("Conv.", width: 5, right: true, priority: 4),
            Column("Pending", width: 10, right: true, priority: 8),
            Column("Approved", width: 10, right: true, priority: 8),
            Column("Paid", width: 10, right: true, priority: 8),
            Column("Clawed back", width: 11, right: true, priority: 7),
            Column("On hold", width: 10, right: true, priority: 5),
            Column("", width: 12, flex: true, priority: 2),
        ]
    }

    /// A few dozen months at most: read whole, once per (re)load.
    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        guard page.after == nil else { return ([], nil) }
        let rows = rows(try ctx.store.affiliateLedgerMonths(try ctx.affiliateID()))
        return (rows, rows.count)
    }

    /// Newest first, each with the best month its bar is scaled to.
    func rows(_ months: [LedgerMonth]) -> [ListRow] {
        let best = max(1, months.map(\.net).max() ?? 1)
        return months.reversed().enumerated().map { i, m in
            ListRow(id: Int64(i), item: .earnings(m, best: best), cursor: Cursor(int: Int64(i), id: Int64(i)))
        }
    }

    /// An amount in the row's currency without its code (the Cur column has it); "—" for none.
    static func amount(_ minor: Int64, _ cur: Currency) -> String {
        minor == 0 ? "—" : Money.grouped(Money(minor: minor, currency: cur).decimalString)
    }

    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .earnings(let m, let best) = item else { return DrawnRow() }
        let a = { (minor: Int64) in EarningsScreen.amount(minor, m.currency) }
        return DrawnRow(cells: [m.month, m.currency.code, String(m.conversions), a(m.pending), a(m.approved), a(m.paid),
                                a(m.clawedBack), a(m.onHold), ProgressBar.render(value: max(0, m.net), max: best, width: 12, empty: " ")],
                        roles: [nil, .dim, nil, .info, .accent, .ok, m.clawedBack < 0 ? .error : nil, m.onHold > 0 ? .warning : nil, .chart])
    }
}
