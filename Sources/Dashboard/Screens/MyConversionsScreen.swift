import AttributionCore
import AttributionStore
import TerminalText

/// The affiliate view's My conversions: what this affiliate earned, each customer as "Customer #N".
struct MyConversionsScreen: Screen {
    let tab = Tab.conversions
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

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [DisplayRow], total: Int?) {
        guard case .conversions(let sort)? = q.sort else { throw ScreenError.sort(q) }
        let me = try ctx.affiliateID()
        let rows = try ctx.store.affiliateConversions(me, sort: sort, descending: q.descending, filter: q.filter, page: page)
            .map { row($0, q.settings, sort: sort) }
        return (rows, try ctx.total { try ctx.store.affiliateConversionCount(me, filter: q.filter) })
    }

    func row(_ v: AffiliateConversionRow, _ s: ProgramSettings, sort: ConversionSort) -> DisplayRow {
        DisplayRow(id: v.id, item: .myConversion(v),
                   cells: [v.at.shortDisplay, v.customerNumber.map { "Customer #\($0)" } ?? "one-off sale",
                           Fmt.money(v.amount, s), Fmt.money(v.commission, s)],
                   roles: [.dim, v.customerNumber == nil ? .dim : nil, nil, .accent], cursor: v.cursor(sort))
    }

    /// A one-off sale has no customer to open.
    func open(_ row: DisplayRow?, _ s: inout State) -> [Effect] {
        guard case .myConversion(let v)? = row?.item, let n = v.customerNumber else { return [] }
        return [.loadMyCustomer(number: n)]
    }
}
