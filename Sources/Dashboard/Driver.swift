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
    private var lastVersion: Int64?

    public init(store: Store, who: String, clock: any Clock) {
        self.store = store; self.who = who; self.clock = clock
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
            return [try perform(action)]
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
        let a = try store.adapterSettings()
        return { source, raw in
            Reparse.event(source: source, raw: raw, defaultCurrency: settings.currency, metadataKey: a.metadataKey, taxExcluded: a.taxExcluded)
        }
    }

    func perform(_ action: PendingAction) throws -> Msg {
        let d: Decision
        let done: String
        switch action {
        case .setStatus(let key, let to):
            d = try store.setStatus(customerKey: key, to: to, who: who)
            done = "\(key): status is now \(try store.settings().label(to))."
        case .reassign(let key, let code):
            d = try store.reassign(customerKey: key, toAffiliate: code, who: who)
            done = "\(key) now belongs to \(code); credited conversions stay with who earned them."
        case .addConversion(let key, let id, let amount, let at):
            d = try store.addManualConversion(externalID: id, amount: amount, customerKey: key, affiliateCode: nil, at: at, who: who)
            done = "Conversion \(id) added: \(amount), commission \(d.conversion?.commission.description ?? "—")."
        case .saveSettings(let new):
            try store.updateSettings(new, who: who)
            return .actionDone(message: "Settings saved and audited.", ok: true)
        case .replay(let id):
            return try replay(id)
        case .manualFromEvent(let draft, let code):
            d = try store.addManualConversion(draft, affiliateCode: code, who: who)
            let to = (d.conversion?.affiliateID).flatMap { try? store.affiliate(id: $0)?.code } ?? "—"
            done = "Conversion \(draft.externalID) added by hand from event #\(draft.eventID): \(d.conversion?.amount.description ?? "—"), "
                + "commission \(d.conversion?.commission.description ?? "—") to \(to)."
        }
        if d.isAccepted {
            let notes = d.notes.map { " Note: \($0.sentence)" }.joined()
            return .actionDone(message: done + notes, ok: true)
        }
        let r = d.reason!
        return .actionDone(message: "Refused: \(r.sentence) \(r.hint)", ok: false)
    }

    /// Replays an event; the message says what happened: accepted, already credited, or the core's refusal.
    func replay(_ id: Int64) throws -> Msg {
        let r = try store.replay(eventID: id, who: who, reparse: try reparser(try store.settings()))
        let d = r.decision
        let name = "event #\(r.original.id)"
        if r.alreadyReplayed {
            return .actionDone(message: "\(name) was already replayed with this outcome under today's settings: nothing changed.", ok: true)
        }
        let as_ = " as #\(r.replayEventID!)"
        if d.isAccepted {
            let paid = d.conversion.map { ", commission \($0.commission)\(r.affiliateCode.map { " to \($0)" } ?? "")" } ?? ""
            let notes = d.notes.map { " Note: \($0.sentence)" }.joined()
            return .actionDone(message: "Replayed \(name)\(as_): accepted\(d.detail.map { " (\($0))" } ?? "")\(paid).\(notes)", ok: true)
        }
        if d.reason == .duplicateExternalID, let x = r.original.externalID, let v = try store.conversion(externalID: x) {
            return .actionDone(message: "Replayed \(name)\(as_): already credited (\(v.externalID), commission \(v.commission) to "
                               + "\(v.affiliateCode)); nothing pays twice.", ok: true)
        }
        let reason = d.reason!
        return .actionDone(message: "Replayed \(name)\(as_): refused \(reason.rawValue): \(reason.sentence) \(reason.hint)", ok: false)
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

/// A running dashboard: the state, the driver, and the loop that feeds messages through
/// `update` and effects through the driver until nothing is left to do. The terminal front
/// end and the tests both drive it.
public final class Session {
    public private(set) var state: State
    public let driver: Driver

    public init(store: Store, mode: Mode = .admin, who: String, clock: any Clock, width: Int = 80, height: Int = 24) throws {
        driver = Driver(store: store, who: who, clock: clock)
        state = State(mode: mode, settings: try store.settings(), now: clock.now())
        state.width = width
        state.height = height
        run(State.start(state))
    }

    /// Handles one message and everything it leads to.
    public func send(_ msg: Msg) {
        run(update(&state, msg))
    }

    public func send(_ keys: Key...) { for k in keys { send(.key(k)) } }

    /// Types text as key presses.
    public func type(_ text: String) { for c in text { send(.key(.char(c))) } }

    public var frame: Frame { view(state) }

    private func run(_ effects: [Effect]) {
        var queue = effects
        while !queue.isEmpty {
            let e = queue.removeFirst()
            for m in driver.run(e, state) { queue += update(&state, m) }
        }
    }
}
