import AttributionCore
import AttributionStore
import TerminalText

/// The affiliate view's Payouts: the affiliate's own payouts only, newest first; Enter shows its
/// lines as "Customer #X", month and amount (`MyPayoutPane`).
struct MyPayoutsScreen: Screen {
    let tab = Tab.myPayouts
    let title = "Payouts"
    let defaultSort = (column: 0, descending: true)   // newest first

    func columns(_ settings: ProgramSettings) -> [Column] {
        [
            Column("Payout", width: 7, right: true, priority: 9),
            Column("Created", width: 10, priority: 7),
            Column("Amount", width: 14, right: true, priority: 9),
            Column("State", width: 8, priority: 8),
            Column("Lines", width: 6, right: true, priority: 5),
            Column("Paid at", width: 10, priority: 6),
            Column("Reference", width: 12, flex: true, priority: 4),
        ]
    }

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        let me = try ctx.affiliateID()
        let rows = try ctx.store.affiliatePayouts(me, descending: q.descending, page: page)
            .map { ListRow(id: $0.id, item: .myPayout($0), cursor: $0.cursor) }
        return (rows, try ctx.total { try ctx.store.affiliatePayoutCount(me) })
    }

    static func role(_ state: PayoutState) -> Role {
        switch state {
        case .open: return .info
        case .paid: return .ok
        case .canceled: return .dim
        }
    }

    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .myPayout(let p) = item else { return DrawnRow() }
        return DrawnRow(cells: ["#\(p.id)", ctx.zone.date(p.createdAt), p.amount.description, p.state.rawValue, String(p.lines),
                                p.paidAt.map { ctx.zone.date($0) } ?? "—", p.reference ?? ""],
                        roles: [nil, .dim, .accent, MyPayoutsScreen.role(p.state), nil, .dim, .dim])
    }

    func open(_ row: ListRow?, _ s: inout State) -> [Effect] {
        guard case .myPayout(let p)? = row?.item else { return [] }
        return [.loadMyPayout(id: p.id)]
    }
}
