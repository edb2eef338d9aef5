import AttributionCore
import AttributionStore
import TerminalText

/// One tab of the dashboard, whole: its columns and how each sorts, its default sort, its store
/// query, its typed rows and how they are drawn, what Enter opens and the keys it adds.
/// Adding a tab is one new file with a `Screen`, its case in `Tab`, and one line in
/// `Screens.admin` or `Screens.affiliate`.
protocol Screen: Sendable {
    /// Where it sits in `State.lists`.
    var tab: Tab { get }
    var title: String { get }
    /// A list of rows (false: a screen of its own, Settings).
    var isList: Bool { get }
    func columns(_ settings: ProgramSettings) -> [Column]
    /// The column index sorted by at first, and the direction.
    var defaultSort: (column: Int, descending: Bool) { get }
    /// The keys it adds to the keymap (the admin's actions on its rows).
    var bindings: [Binding] { get }
    /// Where its keys work: those of its bindings (the admin's actions on its rows), added to `.lists`.
    var scopes: [Scope] { get }
    /// Reads kept beside the list, asked for when the tab is shown and on every refresh, as the
    /// state asks for them (Triage's reasons with or without the resolved ones).
    func sideLoads(_ s: State) -> [Effect]
    /// Narrows the list query from the state (an affiliate's customers, a rejection reason).
    func narrow(_ q: inout ListQuery, _ s: State)
    /// Counts its list only up to this many rows (nil: exactly): a larger answer, `bound + 1`, is
    /// shown as "bound+" (a list whose size cannot be maintained, like Caps, at a million rows).
    var countsUpTo: Int? { get }
    /// Reads one page of typed rows from the store; the total when asked for (else nil).
    func load(_ q: ListQuery, _ page: PageRequest, _ ctx: LoadContext) throws -> (rows: [ListRow], total: Int?)
    /// How one of its rows is drawn, when the list is shown: its cells and their roles (a row of
    /// another screen draws blank).
    func draw(_ item: RowItem, _ ctx: DrawContext) -> DrawnRow
    /// What Enter on the selected row (nil on a screen without rows) does.
    func open(_ row: ListRow?, _ s: inout State) -> [Effect]
    /// What Esc does once no pane is open and the filter is empty.
    func back(_ s: inout State) -> [Effect]
    /// A line above the table (Triage's reason, the affiliate a customer list is limited to).
    func hasContextLine(_ s: State) -> Bool
    func drawContextLine(_ f: inout Frame, _ s: State, y: Int)
}

extension Screen {
    var isList: Bool { true }
    var countsUpTo: Int? { nil }
    var bindings: [Binding] { [] }
    var scopes: [Scope] {
        var out: [Scope] = []
        for b in bindings where !out.contains(b.scope) { out.append(b.scope) }
        return out
    }
    func sideLoads(_ s: State) -> [Effect] { [] }
    func narrow(_ q: inout ListQuery, _ s: State) {}
    func open(_ row: ListRow?, _ s: inout State) -> [Effect] { [] }
    func back(_ s: inout State) -> [Effect] { [] }
    func hasContextLine(_ s: State) -> Bool { false }
    func drawContextLine(_ f: inout Frame, _ s: State, y: Int) {}

    /// The sort of the column at `index`, nil when it does not sort.
    func sortKey(_ index: Int, _ settings: ProgramSettings) -> SortKey? {
        let cols = columns(settings)
        return cols.indices.contains(index) ? cols[index].sortKey : nil
    }
}

/// What a screen reads the store with: the store, who is looking, the time, whether to count.
struct LoadContext {
    var store: Store
    var viewer: Mode
    var now: Instant
    /// The whole list's count is wanted (not when a page is added at either end).
    var wantsTotal: Bool
    /// Set when the total answered is only a floor (`boundedTotal`); the driver reads it.
    let floor = TotalFloor()

    /// The total to answer: counted when wanted.
    func total(_ count: () throws -> Int) rethrows -> Int? { wantsTotal ? try count() : nil }

    /// The same, counted with bounded work: a floor is said so.
    func boundedTotal(_ count: () throws -> BoundedCount) rethrows -> Int? {
        guard wantsTotal else { return nil }
        let c = try count()
        floor.isFloor = !c.exact
        return c.count
    }

    /// The affiliate looking, for the affiliate view's screens.
    func affiliateID() throws -> Int64 {
        guard case .affiliate(let id, _, _) = viewer else { throw ScreenError("the affiliate view's screens are for an affiliate") }
        return id
    }
}

struct ScreenError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
    /// A list asked to sort by another list's key: a programming error, said, never guessed.
    static func sort(_ q: ListQuery) -> ScreenError { ScreenError("the \(q.tab) list cannot sort by \(q.sort.map { "\($0)" } ?? "nothing")") }
}

/// The screens of each mode, in tab order.
public enum Screens {
    static let admin: [any Screen] = [
        AffiliatesScreen(), CustomersScreen(), ConversionsScreen(), CapsScreen(), TriageScreen(), AuditScreen(), SettingsScreen(),
        CommissionsScreen(), PayoutsScreen(),
    ]
    /// The affiliate view: its own four screens, on tabs of their own; no admin screen is in
    /// it, so none can be reached, drawn or loaded.
    static let affiliate: [any Screen] = [MyCustomersScreen(), MyConversionsScreen(), EarningsScreen(), MyPayoutsScreen()]

    static func list(_ mode: Mode) -> [any Screen] {
        switch mode {
        case .admin: return admin
        case .affiliate: return affiliate
        }
    }

    /// The tabs a mode shows, in order.
    public static func tabs(_ mode: Mode) -> [Tab] { list(mode).map(\.tab) }

    /// The tab a mode opens on: its customers.
    static func opening(_ mode: Mode) -> Tab {
        switch mode {
        case .admin: return .customers
        case .affiliate: return .myCustomers
        }
    }

    /// The screen on a tab, if this mode has it.
    static func screen(_ tab: Tab, _ mode: Mode) -> (any Screen)? { list(mode).first { $0.tab == tab } }

    /// A row of a tab's list as its screen draws it, with the state's settings and time (blank
    /// on a tab this mode does not have).
    public static func drawn(_ row: ListRow, _ tab: Tab, _ s: State) -> DrawnRow {
        screen(tab, s.mode)?.draw(row.item, DrawContext(s)) ?? DrawnRow()
    }

    public static func columns(_ tab: Tab, _ s: State) -> [Column] {
        screen(tab, s.mode)?.columns(s.settings) ?? []
    }

    /// The store query for a tab's list in this state.
    public static func query(_ tab: Tab, _ s: State) -> ListQuery {
        let l = s.lists[tab] ?? ListState(sortColumn: 0, descending: false)
        let screen = screen(tab, s.mode)
        var q = ListQuery(tab: tab, sort: screen?.sortKey(l.sortColumn, s.settings), descending: l.descending, filter: l.filter,
                          settings: s.settings)
        screen?.narrow(&q, s)
        return q
    }
}

/// Whether a load's total is only a floor, set by the screen while it loads.
final class TotalFloor: @unchecked Sendable {
    var isFloor = false
}
