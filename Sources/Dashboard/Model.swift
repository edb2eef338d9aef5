import AttributionCore
import AttributionStore
import TerminalText

/// Who is looking: the program's admin, or one affiliate in the read-only view.
public enum Mode: Hashable, Sendable {
    case admin
    case affiliate(id: Int64, code: String, name: String)
}

/// Which screen, and where its list sits in State.lists: one case per screen of either mode,
/// so no value names two screens. Each mode shows its own screens' tabs (`Screens.tabs`).
public enum Tab: CaseIterable, Hashable, Sendable {
    /// The admin's screens, in tab order.
    case affiliates, customers, conversions, caps, triage, audit, settings, commissions, payouts
    /// The affiliate view's screens, in tab order.
    case myCustomers, myConversions, earnings, myPayouts

    /// The title of the screen on this tab.
    public var title: String { (Screens.admin + Screens.affiliate).first { $0.tab == self }?.title ?? "" }
}

/// An admin change waiting for its confirmation.
public enum PendingAction: Hashable, Sendable {
    case setStatus(customerKey: String, to: CustomerStatus)
    case reassign(customerKey: String, affiliateCode: String)
    case addConversion(customerKey: String, externalID: String, amount: Money, at: Instant?)
    case saveSettings(ProgramSettings)
    /// The payment adapters' settings (the Stripe metadata key, the tax rule).
    case saveAdapters(AdapterSettings)
    /// The Affiliates tab: a new affiliate (the code as the core read it), disabling or enabling one.
    case addAffiliate(code: String, name: String, email: String?, commission: Commission?)
    case setAffiliateDisabled(code: String, disabled: Bool)
    /// An existing affiliate's name, payout email or commission override.
    case updateAffiliate(code: String, change: AffiliateChange)
    /// Decide a stored event again under today's settings and apply it if accepted.
    case replay(eventID: Int64)
    /// Add a stored conversion event by hand, crediting `affiliateCode` (nil: whom the draft names).
    case manualFromEvent(ManualDraft, affiliateCode: String?)
    /// Replay these events in time order, in one transaction (Triage's marked rows or reason).
    case bulkReplay(eventIDs: [Int64])
    /// An admin's action on commission entries (the Commissions tab's marked or selected ones).
    case commissionAction(LedgerAction, ids: [Int64])
    /// The Payouts tab: a run through a date, an open payout marked paid or canceled, one written to a file.
    case createPayouts(through: Instant, minimum: Money?)
    case markPayoutPaid(id: Int64, reference: String?)
    case cancelPayout(id: Int64)
    case exportPayout(id: Int64, format: String, path: String)
}

/// A line for the message bar.
public struct Note: Hashable, Sendable {
    public var text: String
    public var isError: Bool
    /// Something is under way (a change waiting for the database): neither done nor failed.
    public var isPending = false
    public init(_ text: String, isError: Bool = false) { self.text = text; self.isError = isError }
}

/// The whole dashboard state. Only `update` changes it; `view` draws it.
public struct State: Hashable, Sendable {
    public var mode: Mode
    public var tab: Tab
    public var lists: [Tab: ListState]
    public var width = 80
    public var height = 24
    public var settings: ProgramSettings
    /// The payment adapters' settings, shown and edited on the Settings screen (admin).
    public var adapters = AdapterSettings()
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
    /// Triage: the rows marked for a bulk replay (Space), or the whole reason marked (`a`);
    /// and whether resolved rejections are shown (`r`). See TriageScreen / TriageActions.
    public var triageMarks = TriageMarks()
    public var showResolved = false
    /// Commissions: the state shown (an index in `CommissionsScreen.selections`), the ledger's
    /// totals per state, and the entries marked for an action (Space). See CommissionActions.
    public var ledgerSelection = 0
    public var ledgerTotals: CommissionTotals?
    public var commissionMarks: Set<Int64> = []
    /// Payouts: the batches' totals per state.
    public var payoutTotals: [PayoutState: [CommissionTotal]]?
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
    /// Where the admin came from, newest last: Esc (and q) go back along it (`Navigation`).
    public var trail: [Place] = []
    /// A row to select when its list is read (after a jump).
    public var selectWhenLoaded: RowWish?
    /// The `:` command line, while it is open.
    public var prompt: Prompt?
    /// The affiliates' codes, read when the command line opens (for Tab completion).
    public var affiliateCodes: [String] = []
    /// The time zone times are drawn in (the view's context; the clock stays UTC).
    public var zone = DisplayZone.utc
    /// The columns chosen away on each tab (the column chooser), for the session.
    public var hiddenColumns: [Tab: Set<Int>] = [:]
    /// The last text `y` copied, for the terminal to put on its clipboard.
    public var clipboard: Clipboard?
    /// The time of the last message: what cap progress on a list is drawn at.
    public var now: Instant
    /// The UI loop's own time in milliseconds (a `LoopClock`, set by the session with every
    /// message): what a typed filter waits on and how long a load has run.
    public var uptimeMs: Int64 = 0
    /// How long a typed filter waits for the next keystroke before it queries (0: at once).
    public var filterDelayMs = 0
    /// The detail pane asked for and not read yet: the pane shows "loading…" meanwhile, and
    /// an answer for any other pane (or after Esc) is dropped.
    public var detailWanted: DetailKey?
    /// The pane was closed (Esc, another tab): a late answer for it does not open it again.
    public var detailClosed = false

    public init(mode: Mode = .admin, settings: ProgramSettings, now: Instant) {
        self.mode = mode
        self.settings = settings
        self.now = now
        self.tab = Screens.opening(mode)
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
    /// The screen on a tab, if this mode has it.
    func screen(on tab: Tab) -> (any Screen)? { Screens.screen(tab, mode) }
    /// Whether some screen of this mode offers these keys (the admin actions are only on admin screens).
    func offers(_ scope: Scope) -> Bool { screens.contains { $0.scopes.contains(scope) } }
    /// The current tab shows a list (not a form such as Settings).
    var onList: Bool { screen?.isList ?? false }

    /// The tabs this mode shows.
    public var tabs: [Tab] { Screens.tabs(mode) }
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
    /// A page of a list, as typed rows (drawn by `view`). `ticket` is its query's: an answer
    /// to a load that a newer one of the same list superseded is dropped (0: not ticketed).
    /// `totalIsFloor`: the total is only "at least" (counted with bounded work, `BoundedCount`).
    case loaded(Tab, LoadMode, rows: [ListRow], total: Int, atEnd: Bool, ticket: Int = 0, totalIsFloor: Bool = false)
    case detailLoaded(Detail)
    case reasonsLoaded([ReasonCount])
    case settingsLoaded(ProgramSettings)
    case adaptersLoaded(AdapterSettings)
    case pickerLoaded([PickerItem])
    /// A change checked by the core on the stored facts, before its confirmation.
    case previewed(PendingAction, Decision)
    /// What became of an admin change (`Effect.perform`).
    case writeFinished(Outcome)
    /// A refresh found the database file deleted or replaced.
    case fileChanged(Outcome)
    /// Triage: what a replay would do, or the conversion an event would add by hand; each opens its confirmation.
    case replayPrepared(ReplayPreview)
    case manualPrepared(ManualDraft)
    /// Triage: a bulk replay's dry run, read before it is confirmed.
    case bulkReplayPrepared(BulkReplayResult)
    /// Commissions: the ledger's totals per state; what an action on entries would do.
    case ledgerTotalsLoaded(CommissionTotals)
    case commissionActionPrepared(CommissionPlan)
    /// Payouts: the totals per state; a batch's lines (Enter); what a run would make.
    case payoutTotalsLoaded([PayoutState: [CommissionTotal]])
    case payoutLinesLoaded(PayoutRow, [PayoutLineRow])
    case payoutRunPrepared(PendingAction, PayoutRunPreview, totals: [PayoutState: [CommissionTotal]])
    case dataChanged
    case failed(String)
    /// Time passed on the UI loop with no other message: a typed filter whose pause is over
    /// queries, and a long load shows that it is loading.
    case elapsed
    /// Draw times in this zone (the terminal's local one, or UTC with --utc).
    case zone(DisplayZone)
}

/// Work for the driver: reads and writes on the store. Their answers come back as messages.
public enum Effect: Hashable, Sendable {
    case load(ListQuery, LoadMode, PageRequest)
    case loadCustomer(key: String)
    case loadEvent(id: Int64)
    case loadMyCustomer(number: Int64)
    /// The affiliate view's payout and its lines (only the affiliate's own).
    case loadMyPayout(id: Int64)
    case loadReasons(includeResolved: Bool)
    /// The ledger's totals per state (the Commissions tab).
    case loadLedgerTotals
    /// The payouts' totals per state, and one payout's lines (the Payouts tab).
    case loadPayoutTotals
    case loadPayoutLines(id: Int64)
    case loadSettings
    /// The payment adapters' settings (admin only: the Settings screen).
    case loadAdapters
    case loadPicker
    case perform(PendingAction)
    /// Triage actions, read before they are confirmed.
    case prepareReplay(eventID: Int64)
    case prepareManual(eventID: Int64)
    /// A bulk replay's dry run: these events, or every unresolved one of a reason.
    case prepareBulkReplay(eventIDs: [Int64], reason: String?)
    case checkForChanges
    /// Asks the core what a change would decide, without applying it (`Msg.previewed`).
    case preview(PendingAction)
    case quit
}
