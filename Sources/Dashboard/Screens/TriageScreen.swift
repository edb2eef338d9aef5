import AttributionCore
import AttributionStore
import TerminalText

/// The admin's Triage: the refused events by reason (←/→), or every event mentioning the filter;
/// Enter explains one, p replays it, m adds its conversion by hand; Space marks rows and `a` the
/// whole reason for one bulk replay; `r` shows resolved rejections too (TriageActions).
struct TriageScreen: Screen {
    let tab = Tab.triage
    let title = "Triage"
    let defaultSort = (column: 0, descending: true)
    /// A short identifier prefix names most of the inbox: counted up to a bound.
    let countsUpTo: Int? = ListState.countBound
    /// ←/→ pick a reason; p and m act on the selected event (TriageActions).
    let bindings: [Binding] = [
        Binding(keys: [.char("l"), .right, .char("]")], label: "→", short: "reason", help: "Next rejection reason", command: .reasonNext, scope: .triage, inStatusBar: true),
        Binding(keys: [.char("h"), .left, .char("[")], label: "←", short: "reason", help: "Previous rejection reason", command: .reasonPrev, scope: .triage, inStatusBar: false),
    ] + TriageActions.bulkBindings + TriageActions.bindings
    /// The reason counts, with or without the resolved rejections.
    func sideLoads(_ s: State) -> [Effect] { [.loadReasons(includeResolved: s.showResolved)] }

    func columns(_ settings: ProgramSettings) -> [Column] {
        [
            // Newest first: the store reads the inbox in that one order, so no column sorts.
            Column("#", width: 7, right: true, priority: 6),
            Column("When", width: 16, priority: 5),
            Column("Type", width: 10, priority: 7),
            Column("Outcome", width: 8, priority: 3),
            Column("Reason", width: 20, priority: 9),
            Column("Identifier", width: 14, flex: true, priority: 8),
            Column("Detail", width: 20, flex: true, priority: 4),
        ]
    }

    func narrow(_ q: inout ListQuery, _ s: State) {
        if s.reasons.indices.contains(s.reasonIndex), s.reasonIndex > 0 { q.reason = s.reasons[s.reasonIndex].reason }
        q.includeResolved = s.showResolved
    }

    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?) {
        // Searching by an identifier shows its whole chain, accepted events too.
        let eq = EventQuery(rejectedOnly: q.filter.isEmpty, reason: q.reason, filter: q.filter, includeResolved: q.includeResolved,
                            order: .time)
        var events = try ctx.store.events(eq, page: page)
        // Resolved rejections are listed only with `r` on or in a chain: each is drawn as resolved.
        if q.includeResolved || !q.filter.isEmpty {
            let resolved = try ctx.store.resolutions(eventIDs: events.filter { $0.outcome == .rejected }.map(\.id))
            for i in events.indices { events[i].resolution = resolved[events[i].id] }
        }
        let rows = events.map { ListRow(id: $0.id, item: .event($0), cursor: $0.cursor(.time)) }
        // A reason's list is counted up to 10,000 through its index; an identifier search, whose
        // matches are read row by row, up to 1,000 ("1,000+").
        let bound = q.filter.isEmpty ? ListState.countBound : ListState.searchBound
        return (rows, try ctx.boundedTotal {
            let n = try ctx.store.eventCount(eq, upTo: bound)
            return BoundedCount(count: min(n, bound), exact: n <= bound)
        })
    }

    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow {
        guard case .event(let e) = item else { return DrawnRow() }
        let ident = e.externalID ?? e.customerKey ?? e.clickRef ?? e.file.map { "\($0):\(e.line ?? 0)" } ?? "—"
        // A row marked for a bulk replay: ● before its id; a resolved rejection: ✓, and dimmed.
        let id = (ctx.marks.contains(e) ? "● " : e.resolution != nil ? "✓ " : "") + String(e.id)
        let cells = [id, ctx.zone.short(e.at ?? e.receivedAt), e.type, e.outcome.rawValue, e.reasonCode ?? e.note ?? "", ident, e.detail ?? ""]
        if let r = e.resolution {
            var resolved = cells
            resolved[3] = "resolved"
            resolved[6] = "resolved " + (r.byEventID.map { "by #\($0)" } ?? "by hand (\(r.byExternalID ?? "conversion"))") + (e.detail.map { " · " + $0 } ?? "")
            return DrawnRow(cells: resolved, roles: Array(repeating: .dim, count: cells.count))
        }
        return DrawnRow(cells: cells,
                        roles: [.dim, .dim, nil, e.outcome == .accepted ? .ok : .error, e.reason == nil ? .dim : .warning, nil, .dim])
    }

    func open(_ row: ListRow?, _ s: inout State) -> [Effect] {
        guard let row else { return [] }
        return [.loadEvent(id: row.id)]
    }

    func hasContextLine(_ s: State) -> Bool { true }

    /// "◀ recurring_off (12) ▶ and the reason's sentence".
    func drawContextLine(_ f: inout Frame, _ s: State, y: Int) {
        guard s.reasons.indices.contains(s.reasonIndex) else {
            f.put(" No rejected events.", x: 0, y: y, style: Style(.dim))
            return
        }
        let r = s.reasons[s.reasonIndex]
        // Searching by an identifier (the filter) shows its whole chain, accepted events too.
        let chain = r.reason.isEmpty && !s.list.filter.isEmpty
        var x = f.put(" ◀ ", x: 0, y: y, style: Style(.key))
        let name = chain ? "every event" : r.reason.isEmpty ? "all rejected" : r.reason
        x = f.put(name, x: x, y: y, style: Style(.warning, bold: true))
        x = f.put(chain ? " " : " (\(r.count)) ", x: x, y: y, style: Style(.accent))
        x = f.put("▶ ", x: x, y: y, style: Style(.key))
        if let marks = TriageActions.marksLabel(s) { x = f.put(marks + " ", x: x, y: y, style: Style(.accent, bold: true)) }
        let sentence = chain ? "Every event mentioning the filter, accepted or rejected; Enter explains one."
            : Reason(rawValue: r.reason)?.sentence ?? "Every refused event, newest first. ←/→ picks a reason."
        f.put(Width.truncate(sentence, to: max(0, f.width - x - 2)), x: x + 1, y: y, style: Style(.dim))
    }
}
