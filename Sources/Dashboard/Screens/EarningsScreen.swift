import AttributionCore
import AttributionStore
import TerminalText

/// The affiliate view's Earnings: its months, newest first, each with a bar scaled to the best.
struct EarningsScreen: Screen {
    let tab = Tab.earnings
    let title = "Earnings"
    /// The months, newest first: the one order (no column sorts).
    let defaultSort = (column: 0, descending: true)

    func columns(_ settings: ProgramSettings) -> [Column] {
        [
            Column("Month", width: 8, priority: 9),
            Column("Conv.", width: 6, right: true, priority: 7),
            Column("Earnings", width: 12, right: true, priority: 9),
            Column("", width: 20, flex: true, priority: 5),
        ]
    }

    /// A few dozen months at most: read whole, once per (re)load.
    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        guard page.after == nil else { return ([], nil) }
        let rows = rows(try ctx.store.affiliateEarnings(try ctx.affiliateID()))
        return (rows, rows.count)
    }

    /// Newest first, each with the best month its bar is scaled to.
    func rows(_ months: [EarningsMonth]) -> [ListRow] {
        let best = max(1, months.map(\.commission).max() ?? 1)
        return months.reversed().enumerated().map { i, m in
            ListRow(id: Int64(i), item: .earnings(m, best: best), cursor: Cursor(int: Int64(i), id: Int64(i)))
        }
    }

    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .earnings(let m, let best) = item else { return DrawnRow() }
        return DrawnRow(cells: [m.month, String(m.conversions), Fmt.money(minor: m.commission, ctx.settings),
                                ProgressBar.render(value: m.commission, max: best, width: 20, empty: " ")],
                        roles: [nil, nil, .accent, .chart])
    }
}
