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

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [DisplayRow], total: Int?) {
        guard case .conversions(let sort)? = q.sort else { throw ScreenError.sort(q) }
        let cq = ConversionQuery(sort: sort, descending: q.descending, filter: q.filter)
        let rows = try ctx.store.conversions(cq, page: page).map { row($0, q.settings, sort: sort) }
        return (rows, try ctx.total { try ctx.store.conversionCount(cq) })
    }

    func row(_ v: ConversionRow, _ s: ProgramSettings, sort: ConversionSort) -> DisplayRow {
        DisplayRow(id: v.id, item: .conversion(v),
                   cells: [v.at.shortDisplay, v.externalID + (v.manual ? " ✎" : ""), v.customerKey ?? "one-off", v.affiliateCode,
                           Fmt.money(v.amount, s), Fmt.money(v.commission, s)],
                   roles: [.dim, nil, v.customerKey == nil ? .dim : nil, nil, nil, .accent],
                   cursor: v.cursor(sort))
    }

    /// A one-off sale has no customer to open.
    func open(_ row: DisplayRow?, _ s: inout State) -> [Effect] {
        guard case .conversion(let v)? = row?.item, let key = v.customerKey else { return [] }
        return [.loadCustomer(key: key)]
    }
}
