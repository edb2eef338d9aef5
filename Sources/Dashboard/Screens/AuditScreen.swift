import AttributionCore
import AttributionStore
import TerminalText

/// The admin's Audit: every change, who made it and what it did, newest first.
struct AuditScreen: Screen {
    let tab = Tab.audit
    let title = "Audit"
    let defaultSort = (column: 0, descending: true)

    func columns(_ settings: ProgramSettings) -> [Column] {
        [
            // Newest first, the one order the store reads the log in. "After" says what a change
            // did, so it outlasts "Before" on narrow screens.
            Column("When", width: 16, priority: 8),
            Column("Who", width: 10, priority: 6),
            Column("Action", width: 17, priority: 9),
            Column("Target", width: 14, flex: true, priority: 8),
            Column("Before", width: 12, flex: true, priority: 5),
            Column("After", width: 12, flex: true, priority: 7),
        ]
    }

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        let rows = try ctx.store.audit(filter: q.filter, page: page).map { ListRow(id: $0.id, item: .audit($0), cursor: $0.cursor) }
        return (rows, try ctx.total { try ctx.store.auditCount(filter: q.filter) })
    }

    /// Enter: the entry, with only the fields it changed (AuditEntry).
    func open(_ row: ListRow?, _ s: inout State) -> [Effect] {
        guard case .audit(let a)? = row?.item else { return [] }
        return AuditEntry.open(a, &s)
    }

    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .audit(let a) = item else { return DrawnRow() }
        return DrawnRow(cells: [ctx.zone.short(a.at), a.who, a.action, a.target ?? "", a.before ?? "—",
                                (a.after ?? "—") + (a.detail.map { " (\($0))" } ?? "")],
                        roles: [.dim, nil, .accent, nil, .dim, nil])
    }
}
