import AttributionCore
import AttributionStore
import TerminalText

// Moving between records: jumps from a pane or a row to the related record, and the trail of
// places Esc (and q) go back along.

/// Where the admin was: the tab, its list's filter and selection, the pane over it, the
/// affiliate a customer list was limited to and Triage's reason.
public struct Place: Hashable, Sendable {
    public var tab: Tab
    public var filter: String
    public var selectedID: Int64?
    public var detail: Detail?
    public var affiliateFilter: AffiliateScope?
    public var reasonIndex: Int
    /// The filter a jump put on another tab's list replaced this one (put back by Esc).
    public var replacedFilter: ReplacedFilter?

    init(_ s: State) {
        tab = s.tab; filter = s.list.filter; selectedID = s.list.selectedRow?.id
        detail = s.detail; affiliateFilter = s.affiliateFilter; reasonIndex = s.reasonIndex
    }
}

/// A record a jump or a `:` command goes to.
public enum Destination: Hashable, Sendable {
    case customer(key: String)
    case event(id: Int64)
    /// The Affiliates list, filtered to the code, with that affiliate selected.
    case affiliate(code: String)
    /// The Conversions list filtered by an external id or a customer key.
    case conversions(filter: String)
    /// Triage searching an identifier (a click id, a customer key, an external id): its whole chain.
    case triage(identifier: String)
}

/// What a jump key leads to.
public enum JumpKind: String, CaseIterable, Hashable, Sendable {
    case customer, affiliate, click, conversion, event
}

public enum Navigation {
    /// The longest trail kept: the oldest places are forgotten past it.
    public static let trailLimit = 64

    /// The records the current pane or selected row leads to (the admin's only: the affiliate
    /// view has no jumps).
    public static func targets(_ s: State) -> [JumpKind: Destination] {
        guard s.isAdmin else { return [:] }
        switch s.detail {
        case .customer(let d)?: return customerTargets(d.customer)
        case .event(let d)?:
            var out = eventTargets(d.event)
            if let c = d.customer?.row { out[.customer] = .customer(key: c.key); out[.affiliate] = .affiliate(code: c.affiliateCode) }
            if let code = d.click?.affiliateCode, out[.affiliate] == nil { out[.affiliate] = .affiliate(code: code) }
            if let o = d.replayOf { out[.event] = .event(id: o) }
            return out
        case .mine?, .myPayout?: return [:]
        case nil: break
        }
        guard s.onList, let row = s.list.selectedRow else { return [:] }
        switch row.item {
        case .customer(let c): return customerTargets(c)
        case .event(let e): return eventTargets(e)
        case .conversion(let v):
            var out: [JumpKind: Destination] = [.affiliate: .affiliate(code: v.affiliateCode)]
            // A conversion added by hand has no inbound event of its own.
            if !v.manual { out[.event] = .triage(identifier: v.externalID) }
            if let k = v.customerKey { out[.customer] = .customer(key: k) }
            if let c = v.clickID { out[.click] = .triage(identifier: c) }
            return out
        case .audit(let a): return auditTargets(a)
        case .commission(let c):
            // An entry: its sale (every conversion and event naming it), its affiliate, its customer.
            var out: [JumpKind: Destination] = [.affiliate: .affiliate(code: c.affiliate), .conversion: .conversions(filter: c.externalID),
                                                .event: .triage(identifier: c.externalID)]
            if let k = c.customerKey { out[.customer] = .customer(key: k) }
            return out
        case .payout(let p): return [.affiliate: .affiliate(code: p.affiliate)]
        case .affiliate, .myCustomer, .myConversion, .earnings, .myPayout: return [:]
        }
    }

    static func customerTargets(_ c: CustomerRow) -> [JumpKind: Destination] {
        [.affiliate: .affiliate(code: c.affiliateCode), .conversion: .conversions(filter: c.key), .event: .triage(identifier: c.key)]
    }

    static func eventTargets(_ e: EventRow) -> [JumpKind: Destination] {
        var out: [JumpKind: Destination] = [:]
        if let k = e.customerKey { out[.customer] = .customer(key: k) }
        if let c = e.clickRef { out[.click] = .triage(identifier: c) }
        if let x = e.externalID, e.outcome == .accepted { out[.conversion] = .conversions(filter: x) }
        return out
    }

    /// An audit entry leads to what it changed.
    static func auditTargets(_ a: AuditRow) -> [JumpKind: Destination] {
        guard let t = a.target, !t.isEmpty else { return [:] }
        if a.action.hasPrefix("customer.") { return [.customer: .customer(key: t)] }
        if a.action.hasPrefix("conversion.") { return [.conversion: .conversions(filter: t)] }
        if a.action.hasPrefix("affiliate.") || a.action.hasPrefix("ssh.") { return [.affiliate: .affiliate(code: t)] }
        if a.action.hasPrefix("event."), let id = Int64(t) { return [.event: .event(id: id)] }
        return [:]
    }

    /// A jump key: goes to the related record, or says there is none.
    static func jump(_ s: inout State, _ kind: JumpKind) -> [Effect] {
        guard let d = targets(s)[kind] else {
            s.message = Note("No \(kind.rawValue) to go to from here.", isError: true)
            return []
        }
        return go(&s, to: d)
    }

    /// Leaves the current place for a destination; Esc comes back.
    static func go(_ s: inout State, to d: Destination) -> [Effect] {
        push(&s)
        switch d {
        case .customer(let key):
            return show(&s, .customers, filter: nil) + [.loadCustomer(key: key)]
        case .event(let id):
            return show(&s, .triage, filter: nil) + [.loadEvent(id: id)]
        case .affiliate(let code):
            s.selectWhenLoaded = RowWish(tab: .affiliates, ref: code)
            return show(&s, .affiliates, filter: code)
        case .conversions(let filter):
            return show(&s, .conversions, filter: filter)
        case .triage(let ident):
            s.reasonIndex = 0
            return show(&s, .triage, filter: ident)
        }
    }

    /// Shows a tab (its list read again; with `filter`, filtered by it) without a pane.
    static func show(_ s: inout State, _ tab: Tab, filter: String?) -> [Effect] {
        guard let screen = s.screen(on: tab) else { return [] }
        s.tab = tab
        s.detail = nil
        s.filtering = false
        if tab == .customers { s.affiliateFilter = nil }
        guard screen.isList else { return [.loadSettings] }
        if let filter, let old = s.lists[tab]?.filter {
            // Esc puts the tab's own filter back.
            if tab != s.trail.last?.tab, !s.trail.isEmpty { s.trail[s.trail.count - 1].replacedFilter = ReplacedFilter(tab: tab, filter: old) }
            s.lists[tab]?.filter = filter
        }
        let mode: LoadMode = filter != nil || !s.list.loaded || tab == .customers ? .reset : .reload(keep: s.list.selectedRow?.id)
        return screen.sideLoads(s) + [State.load(s, tab, mode)]
    }

    /// Remembers where the admin is, before leaving it.
    static func push(_ s: inout State) {
        s.trail.append(Place(s))
        if s.trail.count > trailLimit { s.trail.removeFirst(s.trail.count - trailLimit) }
    }

    /// Esc along the trail: back to the last place, read again (false when the trail is empty).
    static func pop(_ s: inout State) -> [Effect]? {
        guard let p = s.trail.popLast() else { return nil }
        if let r = p.replacedFilter, r.tab != p.tab, s.lists[r.tab]?.filter != r.filter {
            s.lists[r.tab]?.filter = r.filter
            s.lists[r.tab]?.loaded = false   // read again when shown
        }
        s.tab = p.tab
        s.affiliateFilter = p.affiliateFilter
        s.reasonIndex = p.reasonIndex
        s.detail = p.detail
        // A pane still being read is no longer wanted; the place's own pane is read again below.
        s.detailWanted = nil
        s.detailClosed = p.detail == nil
        s.filtering = false
        var out: [Effect] = []
        if let screen = s.screen, screen.isList {
            let changed = s.list.filter != p.filter
            s.list.filter = p.filter
            out += screen.sideLoads(s) + [State.load(s, p.tab, changed ? .reset : .reload(keep: p.selectedID))]
            if changed, let id = p.selectedID { s.selectWhenLoaded = RowWish(tab: p.tab, id: id) }
        } else {
            out.append(.loadSettings)
        }
        return out + reloadDetail(p.detail)
    }

    /// Where `q` quits: no pane, no dialog and nothing to go back to.
    static func atTopLevel(_ s: State) -> Bool {
        s.detail == nil && s.overlays.isEmpty && s.trail.isEmpty && s.affiliateFilter == nil
    }
}

/// A tab's filter as it was before a jump replaced it.
public struct ReplacedFilter: Hashable, Sendable {
    public var tab: Tab
    public var filter: String
}

/// A row to select once its list is read (after a jump): by its name or its id.
public struct RowWish: Hashable, Sendable {
    public var tab: Tab
    public var ref: String? = nil
    public var id: Int64? = nil
}

/// Selects the wished-for row if the page just read has it (the wish is then forgotten).
func grantWish(_ s: inout State, _ tab: Tab) {
    guard let w = s.selectWhenLoaded, w.tab == tab, var l = s.lists[tab] else { return }
    s.selectWhenLoaded = nil
    let key = w.ref.map(AffiliateCode.key)
    guard let i = l.rows.firstIndex(where: { r in
        if let id = w.id { return r.id == id }
        return AffiliateCode.key(r.ref) == key
    }) else { return }
    l.selected = l.offset + i
    s.lists[tab] = l
}
