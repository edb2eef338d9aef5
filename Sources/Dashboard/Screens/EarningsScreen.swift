import AttributionCore
import AttributionStore
import TerminalText

/// The affiliate view's Earnings: its months, newest first, each with a bar scaled to the best.
struct EarningsScreen: Screen {
    /// The third tab of the affiliate view (the admin's Affiliates tab is not in its list).
    let tab = Tab.affiliates
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
    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [DisplayRow], total: Int?) {
        guard page.after == nil else { return ([], nil) }
        let rows = rows(try ctx.store.affiliateEarnings(try ctx.affiliateID()), q.settings)
        return (rows, rows.count)
    }

    func rows(_ months: [EarningsMonth], _ s: ProgramSettings) -> [DisplayRow] {
        let best = max(1, months.map(\.commission).max() ?? 1)
        return months.reversed().enumerated().map { i, m in
            DisplayRow(id: Int64(i), item: .earnings(m),
                       cells: [m.month, String(m.conversions), Fmt.money(minor: m.commission, s),
                               ProgressBar.render(value: m.commission, max: best, width: 20, empty: " ")],
                       roles: [nil, nil, .accent, .chart], cursor: Cursor(int: Int64(i), id: Int64(i)))
        }
    }
}
