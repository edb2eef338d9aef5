import AttributionCore
import AttributionStore
import Feeds
import TerminalText

/// Runs the effects `update` asks for against the store and answers with messages. The only
/// part of the dashboard that touches the database. It never reads the dashboard's state: an
/// effect carries what it needs, and who is looking is fixed when the driver is made.
public final class Driver {
    public let store: Store
    public let who: String
    /// Who is looking: the affiliate view reads through its own screens and queries only.
    public let viewer: Mode
    let clock: any Clock
    /// Admin changes: run here (`run`), or off the UI loop by `Session`.
    public let writer: WriteRunner
    private var lastVersion: Int64?
    /// The database file was found deleted or replaced (said once).
    private var fileChangeSaid = false

    public init(store: Store, who: String, clock: any Clock, viewer: Mode = .admin) {
        self.store = store; self.who = who; self.clock = clock; self.viewer = viewer
        writer = WriteRunner(store: store, who: who, clock: clock)
        lastVersion = try? store.dataVersion()
    }

    public func run(_ effect: Effect) -> [Msg] {
        do {
            return try execute(effect)
        } catch {
            return [.failed("\(error)")]
        }
    }

    var isAdmin: Bool { viewer == .admin }

    /// Whether this viewer may have the effect run: the admin's reads and changes are refused to
    /// the affiliate view, and its own customer pane to the admin, whatever asks for them.
    public func allows(_ effect: Effect) -> Bool {
        switch effect {
        case .loadReasons, .loadLedgerTotals, .loadPayoutTotals, .loadPayoutLines, .loadPicker, .loadCustomer, .loadEvent, .prepareReplay, .prepareManual, .prepareBulkReplay, .perform, .preview, .loadAdapters: return isAdmin
        case .loadMyCustomer, .loadMyPayout: return !isAdmin
        case .load, .loadSettings, .checkForChanges, .quit: return true
        }
    }

    func execute(_ effect: Effect) throws -> [Msg] {
        guard allows(effect) else { return [] }
        switch effect {
        case .quit: return []
        case .checkForChanges: return try checkForChanges()
        case .loadSettings: return [.settingsLoaded(try store.settings())]
        case .loadAdapters: return [.adaptersLoaded(try store.adapterSettings())]
        case .loadReasons(let includeResolved):
            let counts = try store.rejectionCounts(includeResolved: includeResolved)
            let all = ReasonCount(reason: "", count: counts.reduce(0) { $0 + $1.count })
            return [.reasonsLoaded([all] + counts.map { ReasonCount(reason: $0.reason, count: $0.count) })]
        case .loadLedgerTotals: return [.ledgerTotalsLoaded(try store.commissionTotals())]
        case .loadPayoutTotals: return [.payoutTotalsLoaded(try store.payoutTotals())]
        case .loadPayoutLines(let id):
            guard let p = try store.payout(id: id) else { return [.failed("Payout #\(id) no longer exists.")] }
            return [.payoutLinesLoaded(p.payout, p.lines)]
        case .loadPicker:
            return [.pickerLoaded(try store.affiliates().map { PickerItem(code: $0.code, name: $0.name, disabled: $0.disabled) })]
        case .loadCustomer(let key): return [try customerDetail(key)]
        case .loadMyCustomer(let number): return [try myCustomerDetail(number)]
        case .loadMyPayout(let id): return [try myPayoutDetail(id)]
        case .loadEvent(let id): return [try eventDetail(id)]
        case .prepareReplay(let id): return [try replayPreview(id)]
        case .prepareBulkReplay(let ids, let reason): return [try bulkReplayDryRun(ids, reason: reason)]
        case .prepareManual(let id): return [.manualPrepared(try store.manualDraft(eventID: id, reparse: try reparser()))]
        case .perform(let action):
            // Sessions name the change from their settings; here from the stored ones.
            let summary = (try? store.settings()).map { action.summary($0) } ?? "the change"
            return [.writeFinished(writer.run(action, summary: summary))]
        case .load(let q, let mode, let page): return [try load(q, mode, page)]
        case .preview(let action): return try preview(action).map { [$0] } ?? []
        }
    }

    /// The admin's database deleted or replaced under it: said once, and writes refused.
    func checkForChanges() throws -> [Msg] {
        if isAdmin, !fileChangeSaid {
            do { try store.checkFileIdentity() } catch let e as DatabaseFileChanged {
                fileChangeSaid = true
                return [.fileChanged(Outcome(result: .fileChanged, text: e.notice, at: clock.now()))]
            }
        }
        let v = try store.dataVersion()
        defer { lastVersion = v }
        return v != lastVersion ? [.dataChanged] : []
    }

    /// Reads a stored payload again as its feed would, under today's stored settings (for
    /// today's decision and replays).
    func reparser() throws -> Reparser {
        try WriteRunner.reparser(store, try store.settings())
    }

    func customerDetail(_ key: String) throws -> Msg {
        guard let c = try store.customer(key: key) else { return .failed("Customer \(key) no longer exists.") }
        let convs = try store.conversions(ConversionQuery(descending: false, customerID: c.id), page: .first(1000))
        let events = try store.events(EventQuery(customerID: c.id), page: .first(500))
        var detail = CustomerDetail(customer: c, conversions: convs, events: events.reversed(),
                                    monthly: try store.monthlyRevenue(customerID: c.id),
                                    progress: try store.settings().caps.progress(c.capHistory, now: clock.now()))
        detail.ledger = try store.conversionLedgers(convs.map(\.id))
        return .detailLoaded(.customer(detail))
    }

    /// The affiliate view's customer, by its number for this affiliate.
    func myCustomerDetail(_ number: Int64) throws -> Msg {
        guard case .affiliate(let me, _, _) = viewer else { return .failed("Customer #\(number) is no longer yours.") }
        guard let c = try store.affiliateCustomer(me, number: number) else {
            return .failed("Customer #\(number) is no longer yours.")
        }
        let convs = try store.affiliateConversions(me, descending: false, customerNumber: number, page: .first(1000))
        return .detailLoaded(.mine(MyCustomerDetail(customer: c, conversions: convs,
                                                    progress: try store.settings().caps.progress(c.capHistory, now: clock.now()))))
    }

    /// The affiliate view's payout, only if it is this affiliate's.
    func myPayoutDetail(_ id: Int64) throws -> Msg {
        guard case .affiliate(let me, _, _) = viewer, let (p, lines) = try store.affiliatePayout(me, id: id) else {
            return .failed("Payout #\(id) is not one of yours.")
        }
        return .detailLoaded(.myPayout(MyPayoutDetail(payout: p, lines: lines)))
    }

    /// Explained as `affdesk triage` explains it: today's decision, the click, the customer.
    func eventDetail(_ id: Int64) throws -> Msg {
        guard let r = try store.triage(eventID: id, reparse: try reparser()), let t = r.events.first else {
            return .failed("Event \(id) no longer exists.")
        }
        var d = EventDetail(event: t.event, wouldNow: t.wouldNow)
        d.click = r.clicks.first
        d.customer = r.customers.first
        d.replayOf = t.replayOf
        d.resolution = t.resolution
        let sale = t.conversion ?? r.conversions.first { $0.externalID == t.event.externalID }
        d.ledger = sale.flatMap { r.ledger[$0.id] }
        return .detailLoaded(.event(d))
    }

    /// A bulk replay decided and rolled back: what it would do (TriageActions).
    func bulkReplayDryRun(_ ids: [Int64], reason: String?) throws -> Msg {
        let events = try reason.map { try store.replayCandidates(reason: $0) } ?? ids
        guard !events.isEmpty else { return .failed("Nothing to replay: no unresolved rejection is marked.") }
        return .bulkReplayPrepared(try store.replay(eventIDs: events, who: "dry run", reparse: try reparser(), dryRun: true))
    }

    func replayPreview(_ id: Int64) throws -> Msg {
        let reparse = try reparser()
        guard let r = try store.triage(eventID: id, reparse: reparse), var t = r.events.first else {
            return .failed("Event \(id) no longer exists.")
        }
        // A replay of a replay replays the original.
        if let o = t.replayOf, let orig = try store.triage(eventID: o, reparse: reparse)?.events.first { t = orig }
        let credited = try t.event.externalID.flatMap { try store.conversion(externalID: $0) }
        return .replayPrepared(ReplayPreview(event: t.event, wouldNow: t.wouldNow, affiliateCode: t.wouldNowAffiliate, credited: credited))
    }

    /// A page of a list, read and drawn by its screen (one of this viewer's screens only).
    func load(_ q: ListQuery, _ mode: LoadMode, _ page: PageRequest) throws -> Msg {
        guard let screen = Screens.screen(q.tab, viewer), screen.isList else {
            return .loaded(q.tab, mode, rows: [], total: 0, atEnd: true, ticket: q.ticket)
        }
        let wantsTotal: Bool
        switch mode { case .append, .prepend: wantsTotal = false; default: wantsTotal = true }
        let ctx = LoadContext(store: store, viewer: viewer, now: clock.now(), wantsTotal: wantsTotal)
        let (rows, total) = try screen.load(q, page, ctx)
        let atEnd: Bool
        switch mode {
        // A page before the window says nothing about its end (update keeps it).
        case .last, .prepend: atEnd = true
        default: atEnd = rows.count < page.limit
        }
        return .loaded(q.tab, mode, rows: rows, total: total ?? -1, atEnd: atEnd, ticket: q.ticket, totalIsFloor: ctx.floor.isFloor)
    }
}
