import AttributionCore
import AttributionStore
import TerminalText

// The lists: typed rows, columns and their sorts, the window of a list, its query.

/// A list row as the store read it, typed: what `update` acts on and `view` draws (through its
/// screen's `draw`, with the state's settings and time), never display text.
public enum RowItem: Hashable, Sendable {
    /// An affiliate, with its commission per month (oldest first) for the sparkline.
    case affiliate(AffiliateSummary, monthly: [MonthAmount])
    case customer(CustomerRow)
    case conversion(ConversionRow)
    case event(EventRow)
    case audit(AuditRow)
    /// The affiliate view's rows: a customer is only its number for this affiliate.
    case myCustomer(AffiliateCustomerRow)
    case myConversion(AffiliateConversionRow)
    /// A month of earnings in one currency split by state, with the best month's net its bar is scaled to.
    case earnings(LedgerMonth, best: Int64)
    /// One of the affiliate's own payouts.
    case myPayout(AffiliatePayoutRow)
    /// A commission entry of the ledger (or a clawback).
    case commission(CommissionRow)
    /// A payout batch.
    case payout(PayoutRow)
}

/// One row of a list: the typed row, its id, and where it sits for paging. `Msg.loaded`
/// carries these; what the row looks like is decided when it is drawn.
public struct ListRow: Hashable, Sendable {
    public var id: Int64
    public var item: RowItem
    public var cursor: Cursor

    public init(id: Int64, item: RowItem, cursor: Cursor) {
        self.id = id; self.item = item; self.cursor = cursor
    }

    /// The row's name: the customer key, the affiliate code, the event id, "#N" in the affiliate view.
    public var ref: String {
        switch item {
        case .affiliate(let a, _): return a.affiliate.code
        case .customer(let c): return c.key
        case .conversion(let v): return v.customerKey ?? ""
        case .event(let e): return String(e.id)
        case .audit(let a): return a.target ?? ""
        case .myCustomer(let c): return "#\(c.number)"
        case .myConversion(let v): return v.customerNumber.map { "#\($0)" } ?? ""
        case .earnings(let m, _): return m.month
        case .myPayout(let p): return "payout \(p.id)"
        case .commission(let c): return c.externalID
        case .payout(let p): return String(p.id)
        }
    }

    /// The customer's status, on rows that are customers.
    public var status: CustomerStatus? {
        switch item {
        case .customer(let c): return c.status
        case .myCustomer(let c): return c.status
        default: return nil
        }
    }
}

/// A row as its screen draws it: the text of each cell, and per cell a role overriding the
/// row's style (a status in colour, an error in red).
public struct DrawnRow: Hashable, Sendable {
    public var cells: [String]
    public var roles: [Role?]
    public init(cells: [String] = [], roles: [Role?] = []) { self.cells = cells; self.roles = roles }
}

/// What rows are drawn with: the program's settings (status names, currency, caps) and the time
/// (how far a cap is used), both from the state being drawn.
public struct DrawContext: Hashable, Sendable {
    public var settings: ProgramSettings
    public var now: Instant
    /// Triage: the rows marked for a bulk replay.
    public var marks = TriageMarks()
    /// Commissions: the entries marked for an action.
    public var commissionMarks: Set<Int64> = []
    /// The zone times are drawn in.
    public var zone: DisplayZone
    public init(settings: ProgramSettings, now: Instant, zone: DisplayZone = .utc) { self.settings = settings; self.now = now; self.zone = zone }
    public init(_ s: State) { self.init(settings: s.settings, now: s.now, zone: s.zone); marks = s.triageMarks; commissionMarks = s.commissionMarks }
}

/// How a column sorts: the store's own sort, typed per list.
public enum SortKey: Hashable, Sendable {
    case affiliates(AffiliateSort)
    case customers(CustomerSort)
    case conversions(ConversionSort)
    case commissions(CommissionSort)
}

/// A table column: a title, how wide, and whether and how it sorts.
public struct Column: Hashable, Sendable {
    public var title: String
    public var width: Int
    /// Extra room is shared among flexible columns.
    public var flex: Bool
    public var rightAligned: Bool
    /// How this column sorts, nil when it does not.
    public var sortKey: SortKey?
    /// Columns with the lowest priority are dropped first when the terminal is narrow.
    public var priority: Int
    /// The direction a first sort by this column takes: numbers and times largest and newest
    /// first, text A to Z.
    public var descendingFirst: Bool {
        if rightAligned { return true }
        switch sortKey {
        case .customers(.activity)?, .conversions(.date)?: return true
        default: return false
        }
    }
    /// The narrowest a flexible column shrinks to before columns are dropped (nil: its title, or 8).
    public var minWidth: Int?
    public init(_ title: String, width: Int, flex: Bool = false, right: Bool = false, sort: SortKey? = nil, priority: Int = 5,
                minWidth: Int? = nil) {
        self.title = title; self.width = width; self.flex = flex; self.rightAligned = right; self.sortKey = sort; self.priority = priority
        self.minWidth = minWidth
    }
}

/// A window of a list read in pages: the rows loaded, where they sit in the whole list, the
/// selection and scroll (absolute indexes), and the sort and filter.
public struct ListState: Hashable, Sendable {
    public var rows: [ListRow] = []
    /// Absolute index of rows[0].
    public var offset = 0
    public var total = 0
    /// `total` is only a floor: the list was counted up to `countBound` and holds more (shown
    /// "10,000+"), or its screen saw only that many (`BoundedCount`, "1,000+"). It becomes exact when the
    /// window reaches the end from the top.
    public var totalIsFloor = false
    /// The window's absolute indexes are known (false after a jump to the end of a list whose
    /// total is a floor, until the window reaches the top again).
    public var positionKnown = true
    /// How far a list whose size is not maintained is counted (`Screen.countsUpTo`).
    public static let countBound = 10_000
    /// How far a search (Triage's identifier filter) or the Caps list is counted: a few pages'
    /// reads whatever the program holds (counting to 10,000 took 100–900 ms at a million).
    public static let searchBound = 1_000
    /// Its screen's bound (`Screen.countsUpTo`): a floor past it is shown as "bound+".
    public var countedUpTo = ListState.countBound
    public var selected = 0
    public var top = 0
    public var sortColumn: Int
    public var descending: Bool
    public var filter = ""
    /// The window reaches the end of the list.
    public var atEnd = true
    public var loaded = false
    /// A load is in flight (no second one is asked for).
    public var loading = false
    /// The newest load asked for this list: answers to older ones are dropped.
    public var ticket = 0
    /// When (`State.uptimeMs`) the load in flight was asked for; nil when none is.
    public var loadingSince: Int64?
    /// Another process wrote while a load of this list was on its way: the list is read again
    /// when that answer lands (`Refresh`).
    public var refreshDue = false
    /// A typed filter waiting for a pause in typing: it queries at this `State.uptimeMs`.
    public var filterDue: Int64?
    /// The query (without its ticket) the rows were read with, and the one of the window
    /// being read: rows read under another query than today's are the previous ones.
    public var rowsQuery: ListQuery?
    public var requestedQuery: ListQuery?

    public init(sortColumn: Int, descending: Bool) { self.sortColumn = sortColumn; self.descending = descending }

    public var selectedRow: ListRow? {
        let i = selected - offset
        return rows.indices.contains(i) ? rows[i] : nil
    }
}

/// Whether a load replaces the window or extends it.
public enum LoadMode: Hashable, Sendable {
    /// A new window from the top (after a sort or filter change, or on first show).
    case reset
    /// The same window read again from its first row, keeping the selected row when it is
    /// still there (after a change by someone else, or an action).
    case reload(keep: Int64?)
    /// The window at the end of the list.
    case last
    /// The page after the window, or before it.
    case append
    case prepend

    var isReload: Bool { if case .reload = self { return true } else { return false } }
}

/// What a list query asks the store for, beyond the page.
public struct ListQuery: Hashable, Sendable {
    public var tab: Tab
    /// Nil on lists the store reads in one fixed order.
    public var sort: SortKey?
    public var descending: Bool
    public var filter: String
    /// Customers of one affiliate (from the Affiliates screen).
    public var affiliateID: Int64?
    /// Triage: only this reason.
    public var reason: String?
    /// Triage: resolved rejections too.
    public var includeResolved = false
    /// Commissions: the state shown.
    public var ledger: CommissionSelection?
    /// The settings the list is read under (the caps a near-cap list looks for); rows are drawn
    /// with the state's own when they are shown.
    public var settings: ProgramSettings
    /// Which load of its list this is (`ListState.ticket`); the answer carries it back.
    public var ticket = 0
}
