import AttributionCore
import AttributionStore
import TerminalText

/// The affiliate view's My conversions: what this affiliate earned, each customer as "Customer #N".
struct MyConversionsScreen: Screen {
    let tab = Tab.myConversions
    let title = "My conversions"
    let defaultSort = (column: 0, descending: true)   // date

    func columns(_ settings: ProgramSettings) -> [Column] {
        [
            Column("Date", width: 16, sort: .conversions(.date), priority: 9),
            Column("Customer", width: 13, flex: true, priority: 8),
            Column("Amount", width: 12, right: true, sort: .conversions(.amount), priority: 7),
            Column("Commission", width: 12, right: true, sort: .conversions(.commission), priority: 9),
        ]
    }

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        guard case .conversions(let sort)? = q.sort else { throw ScreenError.sort(q) }
        let me = try ctx.affiliateID()
        let rows = try ctx.store.affiliateConversions(me, sort: sort, descending: q.descending, filter: q.filter, page: page)
            .map { ListRow(id: $0.id, item: .myConversion($0), cursor: $0.cursor(sort)) }
        return (rows, try ctx.total { try ctx.store.affiliateConversionCount(me, filter: q.filter) })
    }

    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .myConversion(let v) = item else { return DrawnRow() }
        return DrawnRow(cells: [ctx.zone.short(v.at), v.customerNumber.map { "Customer #\($0)" } ?? "one-off sale",
                                Fmt.money(v.amount, ctx.settings), Fmt.money(v.commission, ctx.settings)],
                        roles: [.dim, v.customerNumber == nil ? .dim : nil, nil, .accent])
    }

    /// A one-off sale has no customer to open.
    func open(_ row: ListRow?, _ s: inout State) -> [Effect] {
        guard case .myConversion(let v)? = row?.item, let n = v.customerNumber else { return [] }
        return [.loadMyCustomer(number: n)]
    }
}
