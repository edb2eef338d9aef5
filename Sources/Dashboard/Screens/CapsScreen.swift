import AttributionCore
import AttributionStore
import TerminalText

/// The admin's Caps: the customers near a cap, each cap as a bar; Enter opens the customer.
struct CapsScreen: Screen {
    let tab = Tab.caps
    let title = "Caps"
    let defaultSort = (column: 1, descending: false)   // by affiliate
    let bindings = Keymap.customerActions
    /// Near-cap customers move with the time, so no total is maintained: counted up to a bound
    /// ("1,000+"), reading a bounded number of candidates (`Store.capsCount`).
    let countsUpTo: Int? = ListState.searchBound

    func columns(_ s: ProgramSettings) -> [Column] {
        [
            Column("Customer", width: 14, flex: true, sort: .customers(.key), priority: 9),
            Column("Affiliate", width: 10, sort: .customers(.affiliate), priority: 8),
            Column("Status", width: 8, sort: .customers(.status), priority: 7),
            Column(s.caps.count.map { "Count (\($0))" } ?? "Count", width: 14, sort: .customers(.conversions), priority: 6),
            // No months cap: the column only says so ("—"), so it stays narrow and the key keeps its room.
            Column(s.caps.months.map { "Months (\($0))" } ?? "Months", width: s.caps.months == nil ? 8 : 14, priority: 5),
            Column(s.caps.amount.map { "Amount (\(Fmt.money($0, s)))" } ?? "Amount", width: 18, sort: .customers(.commission), priority: 6),
        ]
    }

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        guard case .customers(let sort)? = q.sort else { throw ScreenError.sort(q) }
        var cq = CustomerQuery(sort: sort, descending: q.descending, filter: q.filter, affiliateID: q.affiliateID)
        let t = q.settings.caps.nearThresholds(now: ctx.now)
        cq.nearCaps = NearCaps(commissions: t.commissions, commissionMinor: t.commissionMinor, firstCommissionBefore: t.firstCommissionBefore)
        let rows = try ctx.store.customers(cq, page: page).map { ListRow(id: $0.id, item: .customer($0), cursor: $0.cursor(sort)) }
        return (rows, try ctx.boundedTotal { try ctx.store.capsCount(cq, upTo: ListState.searchBound) })
    }

    /// Each cap as a bar and how much of it is used, at the state's time.
    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .customer(let c) = item else { return DrawnRow() }
        let s = ctx.settings
        let p = s.caps.progress(c.capHistory, now: ctx.now)
        func bar(_ d: CapProgress.Dimension?, _ text: (CapProgress.Dimension) -> String) -> String {
            guard let d else { return "—" }
            return ProgressBar.render(fraction: d.fraction, width: 6) + " " + text(d)
        }
        return DrawnRow(cells: [c.key, c.affiliateCode, s.label(c.status),
                                bar(p.count) { "\($0.used)/\($0.limit)" },
                                bar(p.months) { "\(Int($0.fraction * 100))%" },
                                bar(p.amount) { Fmt.money(minor: $0.used, s) }],
                        roles: [nil, nil, Fmt.statusRole(c.status), .chart, .chart, .chart])
    }

    func open(_ row: ListRow?, _ s: inout State) -> [Effect] {
        guard case .customer(let c)? = row?.item else { return [] }
        return [.loadCustomer(key: c.key)]
    }
}
