import AttributionCore
import AttributionStore
import TerminalText

/// The affiliate view's My customers: each customer only as "Customer #N" (its number for this
/// affiliate), from the store's affiliate queries, which carry no key, email or order id.
struct MyCustomersScreen: Screen {
    let tab = Tab.myCustomers
    let title = "My customers"
    let defaultSort = (column: 5, descending: true)   // last activity

    func columns(_ settings: ProgramSettings) -> [Column] {
        [
            Column("Customer", width: 13, flex: true, sort: .customers(.key), priority: 9),
            Column("Status", width: 8, sort: .customers(.status), priority: 9),
            Column("Conv.", width: 5, right: true, sort: .customers(.conversions), priority: 6),
            Column("Commission", width: 11, right: true, sort: .customers(.commission), priority: 8),
            Column("Cap", width: 10, priority: 5),
            Column("Last activity", width: 16, sort: .customers(.activity), priority: 7),
        ]
    }

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        guard case .customers(let sort)? = q.sort else { throw ScreenError.sort(q) }
        let me = try ctx.affiliateID()
        let rows = try ctx.store.affiliateCustomers(me, sort: sort, descending: q.descending, filter: q.filter, page: page)
            .map { ListRow(id: $0.number, item: .myCustomer($0), cursor: $0.cursor(sort)) }
        return (rows, try ctx.total { try ctx.store.affiliateCustomerCount(me, filter: q.filter) })
    }

    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .myCustomer(let c) = item else { return DrawnRow() }
        let s = ctx.settings
        return DrawnRow(cells: ["Customer #\(c.number)", s.label(c.status), String(c.conversions), Fmt.money(c.commission, s),
                                Fmt.capCell(c.capHistory, s, now: ctx.now), ctx.zone.short(c.lastActivityAt)],
                        roles: [nil, Fmt.statusRole(c.status), nil, .accent, .chart, .dim])
    }

    func open(_ row: ListRow?, _ s: inout State) -> [Effect] {
        guard case .myCustomer(let c)? = row?.item else { return [] }
        return [.loadMyCustomer(number: c.number)]
    }
}
