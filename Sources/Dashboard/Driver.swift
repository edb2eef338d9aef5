import AttributionCore
import AttributionStore
import Feeds
import TerminalText

/// Runs the effects `update` asks for against the store and answers with messages. The only
/// part of the dashboard that touches the database.
public final class Driver {
    public let store: Store
    public let who: String
    let clock: any Clock
    /// Admin changes: run here (`run`), or off the UI loop by `Session`.
    public let writer: WriteRunner
    private var lastVersion: Int64?

    public init(store: Store, who: String, clock: any Clock) {
        self.store = store; self.who = who; self.clock = clock
        writer = WriteRunner(store: store, who: who, clock: clock)
        lastVersion = try? store.dataVersion()
    }

    public func run(_ effect: Effect, _ s: State) -> [Msg] {
        do {
            return try execute(effect, s)
        } catch {
            return [.failed("\(error)")]
        }
    }

    func execute(_ effect: Effect, _ s: State) throws -> [Msg] {
        switch effect {
        case .quit: return []
        case .checkForChanges:
            // The admin's database deleted or replaced under it: said once, and writes refused.
            if s.isAdmin, s.fileChanged == nil {
                do { try store.checkFileIdentity() } catch let e as DatabaseFileChanged {
                    return [.fileChanged(Outcome(result: .fileChanged, text: e.notice, at: clock.now()))]
                }
            }
            let v = try store.dataVersion()
            defer { lastVersion = v }
            return v != lastVersion ? [.dataChanged] : []
        case .loadSettings: return [.settingsLoaded(try store.settings())]
        case .loadReasons:
            guard s.isAdmin else { return [] }
            let counts = try store.rejectionCounts()
            let all = ReasonCount(reason: "", count: counts.reduce(0) { $0 + $1.count })
            return [.reasonsLoaded([all] + counts.map { ReasonCount(reason: $0.reason, count: $0.count) })]
        case .loadPicker:
            guard s.isAdmin else { return [] }
            return [.pickerLoaded(try store.affiliates().map { PickerItem(code: $0.code, name: $0.name, disabled: $0.disabled) })]
        case .loadCustomer(let key):
            guard let c = try store.customer(key: key) else { return [.failed("Customer \(key) no longer exists.")] }
            let convs = try store.conversions(ConversionQuery(descending: false, customerID: c.id), page: .first(1000))
            let events = try store.events(EventQuery(customerID: c.id), page: .first(500))
            let detail = CustomerDetail(customer: c, conversions: convs, events: events.reversed(),
                                        monthly: try store.monthlyRevenue(customerID: c.id),
                                        progress: s.settings.caps.progress(c.capHistory, now: clock.now()))
            return [.detailLoaded(.customer(detail))]
        case .loadMyCustomer(let number):
            guard case .affiliate(let me, _, _) = s.mode else { return [] }
            guard let c = try store.affiliateCustomer(me, number: number) else {
                return [.failed("Customer #\(number) is no longer yours.")]
            }
            let convs = try store.affiliateConversions(me, descending: false, customerNumber: number, page: .first(1000))
            return [.detailLoaded(.mine(MyCustomerDetail(customer: c, conversions: convs,
                                                         progress: s.settings.caps.progress(c.capHistory, now: clock.now()))))]
        case .loadEvent(let id):
            // Explained as `affdesk triage` explains it: today's decision, the click, the customer.
            guard let r = try store.triage(eventID: id, reparse: try reparser(s.settings)), let t = r.events.first else {
                return [.failed("Event \(id) no longer exists.")]
            }
            var d = EventDetail(event: t.event, wouldNow: t.wouldNow)
            d.click = r.clicks.first
            d.customer = r.customers.first
            d.replayOf = t.replayOf
            return [.detailLoaded(.event(d))]
        case .prepareReplay(let id):
            guard let r = try store.triage(eventID: id, reparse: try reparser(s.settings)), var t = r.events.first else {
                return [.failed("Event \(id) no longer exists.")]
            }
            // A replay of a replay replays the original.
            if let o = t.replayOf, let orig = try store.triage(eventID: o, reparse: try reparser(s.settings))?.events.first { t = orig }
            let credited = try t.event.externalID.flatMap { try store.conversion(externalID: $0) }
            return [.replayPrepared(ReplayPreview(event: t.event, wouldNow: t.wouldNow, affiliateCode: t.wouldNowAffiliate,
                                                  credited: credited))]
        case .prepareManual(let id):
            return [.manualPrepared(try store.manualDraft(eventID: id, reparse: try reparser(s.settings)))]
        case .perform(let action):
            return [.writeFinished(writer.run(action, summary: action.summary(s.settings)))]
        case .load(let q, let mode, let page):
            let (rows, total) = try load(q, mode, page, s)
            let atEnd: Bool
            switch mode {
            case .last: atEnd = true
            case .prepend: atEnd = s.lists[q.tab]!.atEnd
            default: atEnd = rows.count < page.limit
            }
            return [.loaded(q.tab, mode, rows: rows, total: total, atEnd: atEnd)]
        }
    }

    /// Reads a stored payload again as its feed would (for today's decision and replays).
    func reparser(_ settings: ProgramSettings) throws -> Reparser {
        try WriteRunner.reparser(store, settings)
    }

    func load(_ q: ListQuery, _ mode: LoadMode, _ page: PageRequest, _ s: State) throws -> ([DisplayRow], Int) {
        let wantsTotal: Bool
        switch mode { case .append, .prepend: wantsTotal = false; default: wantsTotal = true }
        let now = clock.now()
        if case .affiliate(let me, _, _) = s.mode { return try loadMine(me, q, page, s, wantsTotal: wantsTotal, now: now) }
        switch q.tab {
        case .affiliates:
            let sort = AffiliateSort(rawValue: q.sortKey) ?? .code
            let aq = AffiliateQuery(sort: sort, descending: q.descending, filter: q.filter)
            let rows = try store.affiliateSummaries(aq, page: page).map {
                AffiliatesScreen.row($0, monthly: try store.monthlyCommission(affiliateID: $0.affiliate.id), s.settings, sort: sort)
            }
            return (rows, wantsTotal ? try store.affiliateCount(aq) : -1)
        case .customers, .caps:
            let sort = CustomerSort(rawValue: q.sortKey) ?? .activity
            var cq = CustomerQuery(sort: sort, descending: q.descending, filter: q.filter, affiliateID: q.affiliateID)
            if q.tab == .caps {
                let t = s.settings.caps.nearThresholds(now: now)
                cq.nearCaps = NearCaps(commissions: t.commissions, commissionMinor: t.commissionMinor, firstCommissionBefore: t.firstCommissionBefore)
            }
            let rows = try store.customers(cq, page: page).map {
                q.tab == .caps ? CapsScreen.row($0, s.settings, now: now, sort: sort) : CustomersScreen.row($0, s.settings, now: now, sort: sort)
            }
            return (rows, wantsTotal ? try store.customerCount(cq) : -1)
        case .conversions:
            let sort = ConversionSort(rawValue: q.sortKey) ?? .date
            let cq = ConversionQuery(sort: sort, descending: q.descending, filter: q.filter)
            let rows = try store.conversions(cq, page: page).map { ConversionsScreen.row($0, s.settings, sort: sort) }
            return (rows, wantsTotal ? try store.conversionCount(cq) : -1)
        case .triage:
            // Searching by an identifier shows its whole chain, accepted events too.
            let eq = EventQuery(rejectedOnly: q.filter.isEmpty, reason: q.reason, filter: q.filter)
            let rows = try store.events(eq, page: page).map(TriageScreen.row)
            return (rows, wantsTotal ? try store.eventCount(eq) : -1)
        case .audit:
            let rows = try store.audit(filter: q.filter, page: page).map(AuditScreen.row)
            return (rows, wantsTotal ? try store.auditCount(filter: q.filter) : -1)
        case .settings:
            return ([], 0)
        }
    }
}

extension Driver {
    /// The affiliate view's lists, through the store's affiliate queries only.
    func loadMine(_ me: Int64, _ q: ListQuery, _ page: PageRequest, _ s: State, wantsTotal: Bool,
                  now: Instant) throws -> ([DisplayRow], Int) {
        switch q.tab {
        case .customers:
            let sort = CustomerSort(rawValue: q.sortKey) ?? .activity
            let rows = try store.affiliateCustomers(me, sort: sort, descending: q.descending, filter: q.filter, page: page)
                .map { AffiliateScreens.customerRow($0, s.settings, now: now, sort: sort) }
            return (rows, wantsTotal ? try store.affiliateCustomerCount(me, filter: q.filter) : -1)
        case .conversions:
            let sort = ConversionSort(rawValue: q.sortKey) ?? .date
            let rows = try store.affiliateConversions(me, sort: sort, descending: q.descending, filter: q.filter, page: page)
                .map { AffiliateScreens.conversionRow($0, s.settings, sort: sort) }
            return (rows, wantsTotal ? try store.affiliateConversionCount(me, filter: q.filter) : -1)
        case .affiliates:
            // A few dozen months at most: read whole, once per (re)load.
            guard page.after == nil else { return ([], -1) }
            let rows = AffiliateScreens.earningsRows(try store.affiliateEarnings(me), s.settings)
            return (rows, rows.count)
        default:
            return ([], 0)
        }
    }
}
