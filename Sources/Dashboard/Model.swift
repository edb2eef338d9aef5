import AttributionCore
import AttributionStore
import TerminalText

/// Who is looking: the program's admin, or one affiliate in the read-only view.
public enum Mode: Hashable, Sendable {
    case admin
    case affiliate(id: Int64, code: String, name: String)
}

/// Where a screen sits in State.lists. The admin's tabs in order; the affiliate view's
/// screens sit on three of them (see `Screens.affiliate`).
public enum Tab: Int, CaseIterable, Hashable, Sendable {
    case affiliates, customers, conversions, caps, triage, audit, settings

    /// The title of the admin screen on this tab.
    public var title: String { Screens.admin.first { $0.tab == self }?.title ?? "" }
}

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

/// The detail pane over a list.
public enum Detail: Hashable, Sendable {
    case customer(CustomerDetail)
    case event(EventDetail)
    /// The affiliate view's customer: "Customer #X", its caps and the conversions it earned.
    case mine(MyCustomerDetail)
}

public struct MyCustomerDetail: Hashable, Sendable {
    public var customer: AffiliateCustomerRow
    public var conversions: [AffiliateConversionRow]
    public var progress: CapProgress
    public var scroll = 0
}

public struct CustomerDetail: Hashable, Sendable {
    public var customer: CustomerRow
    public var conversions: [ConversionRow]
    public var events: [EventRow]
    public var monthly: [MonthAmount]
    public var progress: CapProgress
    public var scroll = 0
}

public struct EventDetail: Hashable, Sendable {
    public var event: EventRow
    /// What today's settings would decide if it came again (nil for invalid events).
    public var wouldNow: Decision?
    /// The click it names (or its customer's), with the click's age at the event against the
    /// window; the customer with its caps; the event it replayed. As `affdesk triage` shows them.
    public var click: TriageClick? = nil
    public var customer: TriageCustomer? = nil
    public var replayOf: Int64? = nil
    public init(event: EventRow, wouldNow: Decision?) { self.event = event; self.wouldNow = wouldNow }
    public var scroll = 0
}

/// An admin change waiting for its confirmation.
public enum PendingAction: Hashable, Sendable {
    case setStatus(customerKey: String, to: CustomerStatus)
    case reassign(customerKey: String, affiliateCode: String)
    case addConversion(customerKey: String, externalID: String, amount: Money, at: Instant?)
    case saveSettings(ProgramSettings)
    /// Decide a stored event again under today's settings and apply it if accepted.
    case replay(eventID: Int64)
    /// Add a stored conversion event by hand, crediting `affiliateCode` (nil: whom the draft names).
    case manualFromEvent(ManualDraft, affiliateCode: String?)
}

/// Modal layers, drawn over the screen; the top one gets the keys.
public enum Overlay: Hashable, Sendable {
    case help
    /// What became of the session's changes, newest first (`M`).
    case history
    case confirm(Confirm)
    case menu(Menu)
    case picker(Picker)
    case form(Form)
}

public struct Confirm: Hashable, Sendable {
    public var title: String
    public var lines: [String]
    public var action: PendingAction
    public init(title: String, lines: [String], action: PendingAction) { self.title = title; self.lines = lines; self.action = action }
}

public struct Menu: Hashable, Sendable {
    public var title: String
    public var items: [MenuItem]
    public var customerKey: String
    public var from: CustomerStatus
    public var selected = 0
}

public struct MenuItem: Hashable, Sendable {
    public var label: String
    public var status: CustomerStatus
}

/// A line for the message bar.
public struct Note: Hashable, Sendable {
    public var text: String
    public var isError: Bool
    /// Something is under way (a change waiting for the database): neither done nor failed.
    public var isPending = false
    public init(_ text: String, isError: Bool = false) { self.text = text; self.isError = isError }
}

public struct AffiliateScope: Hashable, Sendable {
    public var id: Int64
    public var code: String
}

public struct PickerItem: Hashable, Sendable {
    public var code: String
    public var name: String
    public var disabled: Bool
    public init(code: String, name: String, disabled: Bool) { self.code = code; self.name = name; self.disabled = disabled }
}

public struct Picker: Hashable, Sendable {
    public var title: String
    public var customerKey: String
    public var currentCode: String
    public var filter = ""
    public var items: [PickerItem] = []
    public var selected = 0
    /// Choosing the affiliate a stored conversion event is credited to by hand (not a reassignment).
    public var manual: ManualDraft? = nil
    public var visible: [PickerItem] {
        guard !filter.isEmpty else { return items }
        let f = filter.lowercased()
        return items.filter { $0.code.lowercased().contains(f) || $0.name.lowercased().contains(f) }
    }
}

/// A small form of text fields.
public struct Form: Hashable, Sendable {
    public enum Purpose: Hashable, Sendable {
        case addConversion(customerKey: String)
        case editSetting(SettingField)
    }
    public var title: String
    public var purpose: Purpose
    public var labels: [String]
    public var values: [String]
    public var focus = 0
    public var error: String?
}

/// The fields of the Settings screen.
public enum SettingField: Int, CaseIterable, Hashable, Sendable {
    case name, model, recurring, commission, capCount, capMonths, capAmount, window, currency

    public var label: String {
        switch self {
        case .name: return "Program name"
        case .model: return "Business model"
        case .recurring: return "Recurring / Lifetime commissions"
        case .commission: return "Commission"
        case .capCount: return "Cap: number of commissions"
        case .capMonths: return "Cap: months from first commission"
        case .capAmount: return "Cap: total commission per customer"
        case .window: return "Attribution window (days)"
        case .currency: return "Currency"
        }
    }
}

/// The whole dashboard state. Only `update` changes it; `view` draws it.
public struct State: Hashable, Sendable {
    public var mode: Mode
    public var tab: Tab
    public var lists: [Tab: ListState]
    public var width = 80
    public var height = 24
    public var settings: ProgramSettings
    public var detail: Detail?
    public var overlays: [Overlay] = []
    /// The result of the last action, or an error; shown on the message line.
    public var message: Note?
    /// Editing the filter of the current list.
    public var filtering = false
    /// The Customers list is limited to one affiliate (from the Affiliates screen).
    public var affiliateFilter: AffiliateScope?
    /// Triage: rejected events grouped by reason, and which group is shown.
    public var reasons: [ReasonCount] = []
    public var reasonIndex = 0
    /// Settings screen: the field under the cursor.
    public var settingsField = 0
    /// How far the help overlay is scrolled.
    public var helpScroll = 0
    /// The admin change sent to the database and not answered yet (one at a time).
    public var pendingWrite: PendingWrite?
    /// What became of changes, oldest first, the last `Outcome.historyLimit`: the message line
    /// is cleared by the next key, the history is not.
    public var history: [Outcome] = []
    public var historyScroll = 0
    /// The database file was deleted or replaced under the dashboard: every change is refused.
    public var fileChanged: Outcome?
    public var quit = false
    public var now: Instant

    public init(mode: Mode = .admin, settings: ProgramSettings, now: Instant) {
        self.mode = mode
        self.settings = settings
        self.now = now
        // Both modes open on their customers.
        self.tab = .customers
        var lists: [Tab: ListState] = [:]
        for screen in Screens.list(mode) where screen.isList {
            lists[screen.tab] = ListState(sortColumn: screen.defaultSort.column, descending: screen.defaultSort.descending)
        }
        self.lists = lists
    }

    /// The current tab's list (an empty one on a tab without a list).
    public var list: ListState {
        get { lists[tab] ?? ListState(sortColumn: 0, descending: false) }
        set { lists[tab] = newValue }
    }

    /// This mode's screens, in tab order: the affiliate view's list has no admin screen.
    var screens: [any Screen] { Screens.list(mode) }
    /// The screen on the current tab (none on a tab this mode does not have).
    var screen: (any Screen)? { Screens.screen(tab, mode) }
    /// Whether some screen of this mode offers these keys (the admin actions are only on admin screens).
    func offers(_ scope: Scope) -> Bool { screens.contains { $0.scopes.contains(scope) } }
    /// The current tab shows a list (not a form such as Settings).
    var onList: Bool { screen?.isList ?? false }

    /// The tabs this mode shows.
    public var tabs: [Tab] { screens.map(\.tab) }
    public var isAdmin: Bool { mode == .admin }
}

public struct ReasonCount: Hashable, Sendable {
    public var reason: String
    public var count: Int
    public init(reason: String, count: Int) { self.reason = reason; self.count = count }
}

/// Inputs to `update`: what the user did, and what the store answered.
public enum Msg: Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
    /// About once a second: time to look for changes made by others.
    case tick
    case loaded(Tab, LoadMode, rows: [DisplayRow], total: Int, atEnd: Bool)
    case detailLoaded(Detail)
    case reasonsLoaded([ReasonCount])
    case settingsLoaded(ProgramSettings)
    case pickerLoaded([PickerItem])
    /// What became of an admin change (`Effect.perform`).
    case writeFinished(Outcome)
    /// A refresh found the database file deleted or replaced.
    case fileChanged(Outcome)
    /// Triage: what a replay would do, or the conversion an event would add by hand; each opens its confirmation.
    case replayPrepared(ReplayPreview)
    case manualPrepared(ManualDraft)
    case dataChanged
    case failed(String)
}

/// Work for the driver: reads and writes on the store. Their answers come back as messages.
public enum Effect: Hashable, Sendable {
    case load(ListQuery, LoadMode, PageRequest)
    case loadCustomer(key: String)
    case loadEvent(id: Int64)
    case loadMyCustomer(number: Int64)
    case loadReasons
    case loadSettings
    case loadPicker
    case perform(PendingAction)
    /// Triage actions, read before they are confirmed.
    case prepareReplay(eventID: Int64)
    case prepareManual(eventID: Int64)
    case checkForChanges
    case quit
}
