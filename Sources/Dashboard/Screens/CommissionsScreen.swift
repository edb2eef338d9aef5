import AttributionCore
import AttributionStore
import TerminalText

/// The admin's Commissions: the ledger's entries by state as they stand now (←/→ pick the state),
/// with every state's totals above the list; the filter matches an external id, customer key or
/// affiliate code by prefix. Space marks entries; A/H/U/X approve, hold, release or void the
/// marked ones or the selected one after a confirmation (CommissionActions). Enter opens the
/// entry's customer (its conversions, refunds and disputes are in its history).
struct CommissionsScreen: Screen {
    let tab = Tab.commissions
    let title = "Commissions"
    let defaultSort = (column: 0, descending: true)
    let bindings: [Binding] = [
        Binding(keys: [.right, .char("]")], label: "→", short: "state", help: "Next state (all, pending, approved, on hold, paid, voided, clawbacks)",
                command: .ledgerStateNext, scope: .commissions, inStatusBar: true),
        Binding(keys: [.left, .char("[")], label: "←", short: "state", help: "Previous state", command: .ledgerStatePrev, scope: .commissions,
                inStatusBar: false),
    ] + CommissionActions.bindings

    /// The states the selector steps through, in order.
    static let selections: [CommissionSelection] = [.all, .state(.pending), .state(.approved), .state(.onHold), .state(.paid),
                                                     .state(.voided), .clawbacks]

    static func name(_ s: CommissionSelection) -> String {
        switch s {
        case .all: return "all"
        case .clawbacks: return "clawbacks"
        case .state(.onHold): return "on hold"
        case .state(let st): return st.rawValue
        }
    }

    /// The state shown now.
    static func selection(_ s: State) -> CommissionSelection {
        selections.indices.contains(s.ledgerSelection) ? selections[s.ledgerSelection] : .all
    }

    /// The totals and the list read again.
    func sideLoads(_ s: State) -> [Effect] { [.loadLedgerTotals] }

    func columns(_ settings: ProgramSettings) -> [Column] {
        [
            Column("#", width: 7, right: true, sort: .commissions(.id), priority: 6),
            Column("Earned", width: 16, priority: 5),
            Column("Affiliate", width: 10, priority: 7),
            Column("Customer", width: 12, flex: true, priority: 4),
            Column("Amount", width: 13, right: true, sort: .commissions(.amount), priority: 9),
            Column("State", width: 9, priority: 8),
            Column("Reason", width: 12, flex: true, priority: 3),
            Column("Approves/payout", width: 15, priority: 2),
        ]
    }

    func narrow(_ q: inout ListQuery, _ s: State) { q.ledger = CommissionsScreen.selection(s) }

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        guard case .commissions(let sort)? = q.sort else { throw ScreenError.sort(q) }
        let cq = CommissionListQuery(selection: q.ledger ?? .all, sort: sort, descending: q.descending, filter: q.filter)
        let rows = try ctx.store.commissionPage(cq, page: page).map { ListRow(id: $0.id, item: .commission($0), cursor: $0.cursor(sort)) }
        return (rows, try ctx.total { try ctx.store.commissionCount(cq) })
    }

    static func amount(_ m: Money) -> String { Money.grouped(m.decimalString) + " " + m.currency.code }

    static func role(_ st: CommissionState) -> Role {
        switch st {
        case .pending: return .info
        case .approved: return .ok
        case .paid: return .accent
        case .voided: return .dim
        case .onHold: return .warning
        }
    }

    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .commission(let c) = item else { return DrawnRow() }
        let id = (ctx.commissionMarks.contains(c.id) ? "● " : "") + String(c.id)
        let next = c.payoutID.map { "payout #\($0)" } ?? (c.state == .pending ? ctx.zone.short(c.approvesAt) : "")
        let reason = (c.kind == .clawback ? "clawback " : "") + (c.reason?.rawValue ?? "")
        return DrawnRow(cells: [id, ctx.zone.short(c.earnedAt), c.affiliate, c.customerKey ?? "one-off", CommissionsScreen.amount(c.amount),
                                CommissionsScreen.name(.state(c.state)), reason, next],
                        roles: [.dim, .dim, nil, c.customerKey == nil ? .dim : nil, c.amount.minor < 0 ? .error : .accent,
                                CommissionsScreen.role(c.state), c.reason == nil ? .dim : .warning, .dim])
    }

    /// Enter: the entry's customer (its conversions, refunds and disputes); a one-off sale has none.
    func open(_ row: ListRow?, _ s: inout State) -> [Effect] {
        guard case .commission(let c)? = row?.item, let key = c.customerKey else { return [] }
        return [.loadCustomer(key: key)]
    }

    func hasContextLine(_ s: State) -> Bool { true }

    /// "◀ approved ▶ 2 marked  all 9 · pending 3 4.00 USD · approved 2 8.00 USD · …".
    func drawContextLine(_ f: inout Frame, _ s: State, y: Int) {
        let current = CommissionsScreen.selection(s)
        var x = f.put(" ◀ ", x: 0, y: y, style: Style(.key))
        x = f.put(CommissionsScreen.name(current), x: x, y: y, style: Style(.warning, bold: true))
        x = f.put(" ▶ ", x: x, y: y, style: Style(.key))
        if !s.commissionMarks.isEmpty { x = f.put("\(s.commissionMarks.count) marked ", x: x, y: y, style: Style(.accent, bold: true)) }
        guard let t = s.ledgerTotals else {
            f.put("totals loading…", x: x + 1, y: y, style: Style(.dim))
            return
        }
        for sel in CommissionsScreen.selections where x < f.width - 2 {
            let text = CommissionsScreen.totalText(sel, t)
            x = f.put(Width.truncate(text, to: max(0, f.width - x - 1)), x: x + 1, y: y,
                      style: Style(sel == current ? .accent : .dim, bold: sel == current))
            if x < f.width - 2 { x = f.put(" ·", x: x, y: y, style: Style(.dim)) }
        }
    }

    /// "approved 2 8.00 USD + 1.00 EUR" ("all 9" without amounts: every state's are beside it).
    static func totalText(_ sel: CommissionSelection, _ t: CommissionTotals) -> String {
        let n = t.count(sel)
        let amounts = sel == .all || n == 0 ? "" : " " + t.totals(sel).map { amount($0.amount) }.joined(separator: " + ")
        return "\(name(sel)) \(Money.grouped(String(n)))" + amounts
    }
}
