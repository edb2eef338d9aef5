import AttributionCore
import AttributionStore
import TerminalText

/// The admin's Conversions: every credited conversion; Enter opens its customer.
struct ConversionsScreen: Screen {
    let tab = Tab.conversions
    let title = "Conversions"
    let defaultSort = (column: 0, descending: true)   // date

    func columns(_ settings: ProgramSettings) -> [Column] {
        [
            Column("Date", width: 16, sort: .conversions(.date), priority: 8),
            Column("External id", width: 12, flex: true, sort: .conversions(.externalID), priority: 7),
            Column("Customer", width: 12, flex: true, priority: 6),
            Column("Affiliate", width: 10, sort: .conversions(.affiliate), priority: 7),
            Column("Amount", width: 10, right: true, sort: .conversions(.amount), priority: 8),
            Column("Commission", width: 10, right: true, sort: .conversions(.commission), priority: 9),
        ]
    }

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        guard case .conversions(let sort)? = q.sort else { throw ScreenError.sort(q) }
        let cq = ConversionQuery(sort: sort, descending: q.descending, filter: q.filter)
        let rows = try ctx.store.conversions(cq, page: page).map { ListRow(id: $0.id, item: .conversion($0), cursor: $0.cursor(sort)) }
        return (rows, try ctx.total { try ctx.store.conversionCount(cq) })
    }

    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .conversion(let v) = item else { return DrawnRow() }
        return DrawnRow(cells: [ctx.zone.short(v.at), v.externalID + (v.manual ? " ✎" : ""), v.customerKey ?? "one-off", v.affiliateCode,
                                Fmt.money(v.amount, ctx.settings), Fmt.money(v.commission, ctx.settings)],
                        roles: [.dim, nil, v.customerKey == nil ? .dim : nil, nil, nil, .accent])
    }

    /// A one-off sale has no customer to open.
    func open(_ row: ListRow?, _ s: inout State) -> [Effect] {
        guard case .conversion(let v)? = row?.item, let key = v.customerKey else { return [] }
        return [.loadCustomer(key: key)]
    }
}
