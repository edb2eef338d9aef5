import AttributionCore

/// A typed filter queries once the typing pauses: each keystroke moves the list's due time
/// `State.filterDelayMs` ahead, and the query runs when the UI loop's time reaches it
/// (`Msg.elapsed`), or at once on Enter and Esc. Typing ten characters in a burst runs one
/// query, and its ticket supersedes any older one still running.
enum Debounce {
    /// The effects of a changed filter: the query now, or a due time.
    static func filterChanged(_ s: inout State, now immediate: Bool) -> [Effect] {
        if immediate || s.filterDelayMs <= 0 {
            s.list.filterDue = nil
            s.list.loading = true
            return [State.load(s, s.tab, .reset)]
        }
        // Loading: no page of the rows shown (read under the old filter) is asked for meanwhile.
        s.list.loading = true
        s.list.filterDue = s.uptimeMs + Int64(s.filterDelayMs)
        return []
    }

    /// Runs the current list's filter if it waits and the pause is over (or `force`).
    static func due(_ s: inout State, force: Bool = false) -> [Effect] {
        guard let due = s.lists[s.tab]?.filterDue, force || s.uptimeMs >= due else { return [] }
        s.list.filterDue = nil
        return [State.load(s, s.tab, .reset)]
    }

    /// When the UI loop should next wake for this state: a filter's due time, nil when nothing waits.
    static func nextWake(_ s: State) -> Int64? {
        s.lists.values.compactMap(\.filterDue).min()
    }
}

/// Which detail pane is asked for (`State.detailWanted`).
public enum DetailKey: Hashable, Sendable {
    case customer(String)
    case event(Int64)
    case mine(Int64)
    case myPayout(Int64)

    init(_ d: Detail) {
        switch d {
        case .customer(let c): self = .customer(c.customer.key)
        case .event(let e): self = .event(e.event.id)
        case .mine(let m): self = .mine(m.customer.number)
        case .myPayout(let p): self = .myPayout(p.payout.id)
        }
    }

    /// The pane's title while it loads.
    var title: String {
        switch self {
        case .customer(let key): return "Customer \(key)"
        case .event(let id): return "Event #\(id)"
        case .mine(let n): return "Customer #\(n)"
        case .myPayout(let id): return "Payout #\(id)"
        }
    }
}
