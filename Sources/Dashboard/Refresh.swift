/// What another process's write does to the shown list. Everything on screen is read again,
/// but a list with a load on its way (a page asked for at the window's edge, the end, a new sort)
/// keeps it: the list's reload waits for that answer. A reload asked at once would be the list's
/// newest load and drop the answer on its way, so under writes landing every tick (`affdesk
/// serve` at a steady rate) a page at the window's edge never arrived and Down stopped there.
enum Refresh {
    /// A load on its way longer than this no longer holds the refresh back.
    static let waitsAtMostMs: Int64 = 10_000

    static func dataChanged(_ s: inout State) -> [Effect] {
        guard s.onList, var l = s.lists[s.tab], l.loading, let since = l.loadingSince, s.uptimeMs - since < waitsAtMostMs else {
            return refreshAll(s)
        }
        l.refreshDue = true
        s.lists[s.tab] = l
        return refreshAll(s, reloadingList: false)
    }

    /// The reload a landed answer was holding back, if any (its list is not loading any more).
    static func due(_ s: inout State, _ tab: Tab) -> Effect? {
        guard var l = s.lists[tab], l.refreshDue, !l.loading else { return nil }
        l.refreshDue = false
        s.lists[tab] = l
        guard tab == s.tab, s.onList else { return nil }
        return State.load(s, tab, .reload(keep: l.selectedRow?.id))
    }
}
