import AttributionCore
import AttributionStore
import TerminalText

/// The admin's Customers: every tracked customer (or one affiliate's); Enter opens the customer.
struct CustomersScreen: Screen {
    let tab = Tab.customers
    let title = "Customers"
    let defaultSort = (column: 6, descending: true)   // last activity
    let bindings = Keymap.customerActions

    func columns(_ settings: ProgramSettings) -> [Column] {
        [
            Column("Customer", width: 12, flex: true, sort: .customers(.key), priority: 9),
            Column("Affiliate", width: 10, sort: .customers(.affiliate), priority: 8),
            Column("Status", width: 8, sort: .customers(.status), priority: 9),
            Column("Conv.", width: 5, right: true, sort: .customers(.conversions), priority: 6),
            Column("Commission", width: 11, right: true, sort: .customers(.commission), priority: 7),
            Column("Cap", width: 10, priority: 4),
            Column("Last activity", width: 16, sort: .customers(.activity), priority: 5),
        ]
    }

    func narrow(_ q: inout ListQuery, _ s: State) { q.affiliateID = s.affiliateFilter?.id }

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        guard case .customers(let sort)? = q.sort else { throw ScreenError.sort(q) }
        let cq = CustomerQuery(sort: sort, descending: q.descending, filter: q.filter, affiliateID: q.affiliateID)
        let rows = try ctx.store.customers(cq, page: page).map { ListRow(id: $0.id, item: .customer($0), cursor: $0.cursor(sort)) }
        return (rows, try ctx.total { try ctx.store.customerCount(cq) })
    }

    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .customer(let c) = item else { return DrawnRow() }
        let s = ctx.settings
        return DrawnRow(cells: [c.key, c.affiliateCode, s.label(c.status), String(c.conversions), Fmt.money(c.commission, s),
                                Fmt.capCell(c.capHistory, s, now: ctx.now), ctx.zone.short(c.lastActivityAt)],
                        roles: [nil, nil, Fmt.statusRole(c.status), nil, .accent, c.status == .capped ? .warning : .chart, .dim])
    }

    func open(_ row: ListRow?, _ s: inout State) -> [Effect] {
        guard case .customer(let c)? = row?.item else { return [] }
        return [.loadCustomer(key: c.key)]
    }

    /// Esc: every customer again, after one affiliate's.
    func back(_ s: inout State) -> [Effect] {
        guard s.affiliateFilter != nil else { return [] }
        s.affiliateFilter = nil
        return [State.load(s, tab, .reset)]
    }

    func hasContextLine(_ s: State) -> Bool { s.affiliateFilter != nil }

    /// "Customers of zoe · Esc shows every customer".
    func drawContextLine(_ f: inout Frame, _ s: State, y: Int) {
        guard let scope = s.affiliateFilter else { return }
        var x = f.put(" Customers of ", x: 0, y: y, style: Style(.dim))
        x = f.put(scope.code, x: x, y: y, style: Style(.accent, bold: true))
        f.put("  · Esc shows every customer", x: x, y: y, style: Style(.dim))
    }
}
