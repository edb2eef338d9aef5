import AttributionCore
import AttributionStore
import TerminalText

/// The admin's Affiliates: each affiliate's customers, earnings and months; Enter lists its customers.
struct AffiliatesScreen: Screen {
    let tab = Tab.affiliates
    let title = "Affiliates"
    let defaultSort = (column: 3, descending: true)   // earnings
    /// n adds an affiliate, d disables or enables the selected one, E edits it (AffiliateAdmin).
    let bindings = AffiliateAdmin.bindings

    func columns(_ settings: ProgramSettings) -> [Column] {
        [
            Column("Code", width: 12, sort: .affiliates(.code), priority: 9),
            // Names are what people read: the sparkline goes before a name is cut.
            Column("Name", width: 18, flex: true, sort: .affiliates(.name), priority: 8, minWidth: 18),
            Column("Customers", width: 9, right: true, sort: .affiliates(.customers), priority: 7),
            Column("Earnings", width: 12, right: true, sort: .affiliates(.earnings), priority: 8),
            Column("Conv.", width: 6, right: true, sort: .affiliates(.conversions), priority: 4),
            // The affiliate's own commission (E changes it); "—": the program's.
            Column("Commission", width: 10, right: true, priority: 1),
            // A disabled affiliate must not look like the others: State outlasts the sparkline.
            Column("Earnings / month", width: 16, priority: 2),
            Column("State", width: 8, priority: 3),
        ]
    }

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        guard case .affiliates(let sort)? = q.sort else { throw ScreenError.sort(q) }
        let aq = AffiliateQuery(sort: sort, descending: q.descending, filter: q.filter)
        let rows = try ctx.store.affiliateSummaries(aq, page: page).map {
            ListRow(id: $0.affiliate.id, item: .affiliate($0, monthly: $0.monthly),
                    cursor: $0.cursor(sort))
        }
        return (rows, try ctx.total { try ctx.store.affiliateCount(aq) })
    }

    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .affiliate(let a, let monthly) = item else { return DrawnRow() }
        return DrawnRow(cells: [a.affiliate.code, a.affiliate.name, String(a.customers), Fmt.money(minor: a.earnings, ctx.settings),
                                String(a.conversions), a.affiliate.commission.map(AffiliateAdmin.typed) ?? "—",
                                Sparkline.render(monthly.suffix(16).map(\.minor), width: 16), a.affiliate.disabled ? "disabled" : "active"],
                        roles: [nil, nil, nil, .accent, nil, a.affiliate.commission == nil ? .dim : nil, .chart,
                                a.affiliate.disabled ? .error : .dim])
    }

    /// Enter: the Customers list, limited to this affiliate.
    func open(_ row: ListRow?, _ s: inout State) -> [Effect] {
        guard case .affiliate(let a, _)? = row?.item else { return [] }
        s.affiliateFilter = AffiliateScope(id: a.affiliate.id, code: a.affiliate.code)
        s.tab = .customers
        s.lists[.customers]?.filter = ""
        return [State.load(s, .customers, .reset)]
    }
}
