import AttributionCore
import AttributionStore

/// Newest wins: every list load `update` asks for carries its list's next ticket, and an
/// answer whose ticket is not the newest of its list is dropped, so a slow answer to an older
/// filter, sort or page never overwrites a newer one, however the answers arrive.
enum LoadTickets {
    /// Whether two queries ask for the same rows in the same order (the settings a list is
    /// read under change what a row says, not which rows the list has).
    static func sameRows(_ a: ListQuery, _ b: ListQuery) -> Bool {
        a.tab == b.tab && a.sort == b.sort && a.descending == b.descending && a.filter == b.filter
            && a.affiliateID == b.affiliateID && a.reason == b.reason
    }

    /// Gives each list load its ticket, marks its list as loading since now, and notes the
    /// detail pane asked for.
    static func stamp(_ s: inout State, _ effects: [Effect]) -> [Effect] {
        effects.map { e in
            switch e {
            case .load(var q, var mode, var page):
                guard var l = s.lists[q.tab] else { return e }
                if case .reload = mode, rowsAreStale(s, q.tab) {
                    // The window was read under another query: its cursor means nothing to this one.
                    guard case .load(let rq, let rm, let rp) = State.load(s, q.tab, .reset) else { return e }
                    (q, mode, page) = (rq, rm, rp)
                }
                l.ticket += 1
                q.ticket = l.ticket
                l.loading = true
                if l.loadingSince == nil { l.loadingSince = s.uptimeMs }
                switch mode {
                case .reset, .reload, .last:
                    var asked = q
                    asked.ticket = 0
                    l.requestedQuery = asked
                    // A new window under today's query: a typed filter waiting for its pause is in it.
                    l.filterDue = nil
                case .append, .prepend: break
                }
                s.lists[q.tab] = l
                return .load(q, mode, page)
            case .loadCustomer(let key): s.detailWanted = .customer(key); s.detailClosed = false
            case .loadEvent(let id): s.detailWanted = .event(id); s.detailClosed = false
            case .loadMyCustomer(let n): s.detailWanted = .mine(n); s.detailClosed = false
            case .loadMyPayout(let id): s.detailWanted = .myPayout(id); s.detailClosed = false
            default: break
            }
            return e
        }
    }

    /// How an answer is applied: nil when it is not the newest of its list (dropped). Else
    /// the list stops loading, its rows are, once applied, those of the query asked for, and a
    /// reload keeps the row selected now (keys moved it while the answer was on its way).
    static func accept(_ s: inout State, _ tab: Tab, _ mode: LoadMode, ticket: Int) -> LoadMode? {
        guard var l = s.lists[tab] else { return nil }
        if ticket != 0 && ticket != l.ticket { return nil }
        l.loadingSince = nil
        switch mode {
        case .reset, .reload, .last: l.rowsQuery = l.requestedQuery
        case .append, .prepend: break
        }
        s.lists[tab] = l
        if case .reload(let keep) = mode, ticket != 0 { return .reload(keep: l.selectedRow?.id ?? keep) }
        return mode
    }

    /// The rows shown were read under another query than today's (a filter typed or a sort
    /// changed since): they are the previous rows, drawn as such until the new ones come.
    static func rowsAreStale(_ s: State, _ tab: Tab) -> Bool {
        guard let l = s.lists[tab], l.loaded, let read = l.rowsQuery else { return false }
        return !sameRows(read, Screens.query(tab, s))
    }
}
