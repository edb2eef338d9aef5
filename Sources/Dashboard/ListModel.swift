import AttributionCore
import AttributionStore
import TerminalText

// The lists: typed rows, columns and their sorts, the window of a list, its query.

/// A list row as the store read it, typed: what `update` acts on (never the drawn text).
public enum RowItem: Hashable, Sendable {
    case affiliate(AffiliateSummary)
    case customer(CustomerRow)
    case conversion(ConversionRow)
    case event(EventRow)
    case audit(AuditRow)
    /// The affiliate view's rows: a customer is only its number for this affiliate.
    case myCustomer(AffiliateCustomerRow)
    case myConversion(AffiliateConversionRow)
    case earnings(EarningsMonth)
    /// A row given as text only (tests): acts by its id and this name.
    case plain(ref: String, status: CustomerStatus?)
}

/// One table row: the typed row, and its cells as its screen draws them.
public struct DisplayRow: Hashable, Sendable {
    public var id: Int64
    public var item: RowItem
    public var cells: [String]
    /// Per-cell role overriding the row's style (a status in colour, an error in red).
    public var roles: [Role?]
    public var cursor: Cursor

    public init(id: Int64, item: RowItem, cells: [String], roles: [Role?] = [], cursor: Cursor) {
        self.id = id; self.item = item; self.cells = cells; self.roles = roles; self.cursor = cursor
    }

    /// A row of text only.
    public init(id: Int64, ref: String, cells: [String], roles: [Role?] = [], cursor: Cursor, status: CustomerStatus? = nil) {
        self.init(id: id, item: .plain(ref: ref, status: status), cells: cells, roles: roles, cursor: cursor)
    }

    /// The row's name: the customer key, the affiliate code, the event id, "#N" in the affiliate view.
    public var ref: String {
        switch item {
        case .affiliate(let a): return a.affiliate.code
        case .customer(let c): return c.key
        case .conversion(let v): return v.customerKey ?? ""
        case .event(let e): return String(e.id)
        case .audit(let a): return a.target ?? ""
        case .myCustomer(let c): return "#\(c.number)"
        case .myConversion(let v): return v.customerNumber.map { "#\($0)" } ?? ""
        case .earnings(let m): return m.month
        case .plain(let ref, _): return ref
        }
    }

    /// The customer's status, on rows that are customers.
    public var status: CustomerStatus? {
        switch item {
        case .customer(let c): return c.status
        case .myCustomer(let c): return c.status
        case .plain(_, let status): return status
        default: return nil
        }
    }
}

/// How a column sorts: the store's own sort, typed per list.
public enum SortKey: Hashable, Sendable {
    case affiliates(AffiliateSort)
    case customers(CustomerSort)
    case conversions(ConversionSort)
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
    public init(_ title: String, width: Int, flex: Bool = false, right: Bool = false, sort: SortKey? = nil, priority: Int = 5) {
        self.title = title; self.width = width; self.flex = flex; self.rightAligned = right; self.sortKey = sort; self.priority = priority
    }
}

/// A window of a list read in pages: the rows loaded, where they sit in the whole list, the
/// selection and scroll (absolute indexes), and the sort and filter.
public struct ListState: Hashable, Sendable {
    public var rows: [DisplayRow] = []
    /// Absolute index of rows[0].
    public var offset = 0
    public var total = 0
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

    public init(sortColumn: Int, descending: Bool) { self.sortColumn = sortColumn; self.descending = descending }

    public var selectedRow: DisplayRow? {
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
    /// What the rows are drawn with: the currency, the status names, the caps.
    public var settings: ProgramSettings
}
