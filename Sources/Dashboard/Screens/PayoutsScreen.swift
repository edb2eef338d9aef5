import AttributionCore
import AttributionStore
import TerminalText

/// The admin's Payouts: the batches, newest first, with the totals per state above them; Enter
/// shows a batch's lines; N creates a run, E exports, P marks paid, X cancels (PayoutActions).
struct PayoutsScreen: Screen {
    let tab = Tab.payouts
    let title = "Payouts"
    let defaultSort = (column: 0, descending: true)
    let bindings: [Binding] = PayoutActions.bindings

    func sideLoads(_ s: State) -> [Effect] { [.loadPayoutTotals] }

    func columns(_ settings: ProgramSettings) -> [Column] {
        [
            // Newest first: the store reads the batches in that one order.
            Column("#", width: 5, right: true, priority: 6),
            Column("Affiliate", width: 10, priority: 8),
            Column("Email", width: 16, flex: true, priority: 4),
            Column("Amount", width: 13, right: true, priority: 9),
            Column("State", width: 8, priority: 7),
            Column("Lines", width: 5, right: true, priority: 3),
            Column("Created", width: 16, priority: 5),
            Column("Paid", width: 16, priority: 2),
            Column("Reference", width: 10, flex: true, priority: 1),
        ]
    }

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        let rows = try ctx.store.payoutPage(page).map { ListRow(id: $0.id, item: .payout($0), cursor: Cursor(int: $0.id, id: $0.id)) }
        return (rows, try ctx.total { try ctx.store.payoutCount() })
    }

    static func role(_ st: PayoutState) -> Role {
        switch st {
        case .open: return .warning
        case .paid: return .ok
        case .canceled: return .dim
        }
    }

    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .payout(let p) = item else { return DrawnRow() }
        return DrawnRow(cells: [String(p.id), p.affiliate, p.email ?? "no email", CommissionsScreen.amount(p.amount), p.state.rawValue,
                                String(p.commissions), ctx.zone.short(p.createdAt), p.paidAt.map(ctx.zone.short) ?? "", p.reference ?? ""],
                        roles: [.dim, nil, p.email == nil ? .error : .dim, .accent, PayoutsScreen.role(p.state), .dim, .dim, .dim, nil])
    }

    /// Enter: the batch's lines, in a dialog (not a place to come back from: Esc closes it).
    func open(_ row: ListRow?, _ s: inout State) -> [Effect] {
        guard let row else { return [] }
        if !s.trail.isEmpty { s.trail.removeLast() }
        return [.loadPayoutLines(id: row.id)]
    }

    func hasContextLine(_ s: State) -> Bool { true }

    /// "open 2 · 45.00 USD · paid 3 · 120.00 USD · canceled 1 · 5.00 USD".
    func drawContextLine(_ f: inout Frame, _ s: State, y: Int) {
        guard let t = s.payoutTotals else {
            f.put(" totals loading…", x: 0, y: y, style: Style(.dim))
            return
        }
        let text = PayoutState.allCases.map { "\($0.rawValue) \(PayoutActions.figure(t, $0))" }.joined(separator: " · ")
        f.put(Width.truncate(" " + text, to: f.width - 1), x: 0, y: y, style: Style(.accent))
    }
}
