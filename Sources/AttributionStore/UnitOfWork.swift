import AttributionCore
import GRDB

/// An audit entry a write adds with its effects, in the same transaction.
struct AuditEntry {
    var who: String, action: String, target: String?, before: String?, after: String?, detail: String?
}

/// One transaction's worth of decisions: the core decides against `facts`, and an applied
/// decision's rows join `pending`, with ids and customer numbers from the allocators. Every
/// writer (ingest, replay, the admin actions) goes through `decideAndApply`; readers (dry run,
/// triage's what-if) through `decide`. Callers that write end with `finish()`, which
/// `decideAndApply` does for the one-event writers.
final class UnitOfWork {
    let db: Database
    let store: Store
    let engine: Engine
    let facts: FactCache
    private let pending: PendingRows
    private let ids: IDAllocator
    private let numbers: CustomerNumbers
    private let receivedAt: Int64
    private let ledger: LedgerRows
    private let behind: WriteBehind?

    /// `behind`: a bulk ingest's second thread, which then writes the full chunks of rows while
    /// this one decides (`WriteBehind`); the caller ends with `finish()`, or `settle()` on error.
    init(_ db: Database, store: Store, settings: ProgramSettings? = nil, behind: WriteBehind? = nil) throws {
        self.db = db
        self.behind = behind
        self.store = store
        self.engine = Engine(settings: try settings ?? store.loadSettings(db))
        self.receivedAt = store.clock.now().seconds
        pending = PendingRows(db, currency: engine.settings.currency.code, behind: behind)
        facts = try FactCache(db, pending: pending)
        ids = try IDAllocator(db)
        numbers = CustomerNumbers(stored: { [facts] in try facts.lastCustomerNumber(affiliateID: $0) })
        ledger = try LedgerRows(db, store: store, affiliates: facts)
    }

    // MARK: Deciding

    /// What the core decides for an event against this transaction's facts, writing nothing. An
    /// identifier holding a NUL is refused before the core sees it.
    func decide(_ event: Event) throws -> (decision: Decision, field: String?) {
        if let f = event.nulField { return (.rejected(.invalidEvent, "\(f) contains a NUL character"), f) }
        return (try engine.decide(event, facts: facts), nil)
    }

    /// The unit of work of an inbound event: skipped when its dedupe key is in the inbox already,
    /// else decided, applied and recorded in the inbox (a refusal too), with `audit` (given the
    /// decision and the inbox id) when there is one. `describe` rewords what the inbox records.
    /// Returns nil when skipped.
    @discardableResult
    func decideAndApply(_ e: InboundEvent, describe: (Decision) -> Decision = { $0 },
                        audit: ((Decision, Int64) -> AuditEntry)? = nil) throws -> (decision: Decision, eventID: Int64)? {
        if try facts.isRecorded(e.dedupeKey) { return nil }
        var decision: Decision
        var event: Event?
        var field: String?
        switch e.payload {
        case .event(let ev):
            (decision, field) = try decide(ev)
            if field == nil { event = ev }
        case .invalid(let f, let message):
            field = f
            decision = .rejected(.invalidEvent, e.invalidMessage ?? message)
        case .ignored(let reason, let detail):
            decision = .rejected(reason, detail)
        case .ledger(let le):
            decision = try decideLedger(le)
        }
        let id = try record(e, event: event, decision: describe(decision), field: field)
        if let audit {
            try finish()
            try store.audit(db, audit(decision, id))
        }
        return (decision, id)
    }

    /// The unit of work of an admin's action: `decide` asks the core, and an accepted decision is
    /// applied and audited; a refusal writes nothing.
    func decideAndApply(_ decide: (Engine, FactCache) throws -> Decision, audit: (Decision) -> AuditEntry) throws -> Decision {
        let d = try decide(engine, facts)
        guard d.isAccepted else { return d }
        try apply(d)
        try finish()
        try store.audit(db, audit(d))
        return d
    }

    // MARK: Applying

    /// Applies a decision's effects and adds its inbox entry. Returns the inbox id.
    private func record(_ e: InboundEvent, event: Event?, decision d: Decision, field: String?) throws -> Int64 {
        let effects = try apply(d, at: event?.at)
        let id = ids.next(.event)
        try pending.event(id: id, e, event: event, decision: d, field: field, receivedAt: receivedAt,
                          customerID: effects.customerID, conversionID: effects.conversionID)
        facts.recorded[e.dedupeKey] = true
        return id
    }

    struct Applied { var customerID: Int64?; var conversionID: Int64? }

    /// Applies what a decision says to the facts; the rows go out with the pending writes. The
    /// decision was made inside this transaction, so the facts it relied on still hold. `at` is
    /// the event's time: a status change moves the customer's last activity to it (an admin's
    /// change passes nil and leaves it).
    @discardableResult
    private func apply(_ d: Decision, at: Instant? = nil) throws -> Applied {
        var out = Applied()
        if let c = d.newClick {
            try pending.click(c)
            facts.clicks[c.clickID] = c
        }
        var createdNumber: Int64?
        if let nc = d.newCustomer {
            let number = try numbers.next(for: nc.affiliateID)
            createdNumber = number
            let id = ids.next(.customer)
            facts.change(CustomerState(id: id, new: nc, number: number))
            facts.customerIDs[nc.key] = id
            out.customerID = id
        }
        func resolve(_ ref: CustomerRef) -> Int64? {
            switch ref { case .existing(let id): return id; case .created: return out.customerID }
        }
        if case .existing(let id)? = d.statusChange?.customer { out.customerID = id }
        if let conv = d.conversion {
            try applyConversion(conv, d, customerID: conv.customer.flatMap(resolve), createdNumber: createdNumber, &out)
        } else if let sc = d.statusChange, let cid = resolve(sc.customer), var c = try facts.customer(id: cid) {
            c.status = sc.to
            c.lastActivityAt = max(c.lastActivityAt, at?.seconds ?? d.newCustomer?.at.seconds ?? 0)
            facts.change(c)
        }
        if let l = d.subscriptionLink {
            try facts.writePending()
            try db.execute(sql: "UPDATE conversion SET subscription_id = ?, renewal_index = 0 WHERE external_id = ? AND subscription_id IS NULL",
                           arguments: [l.subscriptionID, l.externalID])
            facts.forgetSubscription(l.subscriptionID)
        }
        if let r = d.reassignment, var c = try facts.customer(id: r.customerID) {
            c.affiliateID = r.toAffiliateID
            c.number = try numbers.next(for: r.toAffiliateID)
            facts.change(c)
            out.customerID = r.customerID
        }
        return out
    }

    /// A credited conversion: its row, and its customer's counters and status.
    private func applyConversion(_ conv: NewConversion, _ d: Decision, customerID: Int64?, createdNumber: Int64?,
                                 _ out: inout Applied) throws {
        var number: Int64?
        if let cid = customerID {
            out.customerID = cid
            if case .created? = conv.customer { number = createdNumber } else if let c = try facts.customer(id: cid),
                c.affiliateID == conv.affiliateID { number = c.number }
        }
        let id = ids.next(.conversion)
        try pending.conversion(id: id, conv, customerID: customerID, number: number)
        facts.conversionAdded(id: id, conv, customerID: customerID)
        let customer = try customerID.flatMap { try facts.customer(id: $0) }
        try pending.commission(ledger.entry(conversionID: id, conv, customerEmail: customer?.email))
        facts.conversions[conv.externalID] = true
        out.conversionID = id
        if let cid = customerID, var c = customer {
            c.status = d.statusChange.map(\.to) ?? d.newCustomer?.status ?? c.status
            c.credit(conv)
            facts.change(c)
        }
    }

    /// Writes the pending rows and the per-affiliate customer-number counters.
    func finish() throws {
        try facts.writePending()
        try behind?.drain()
        try numbers.write(db)
    }

    /// Waits for the second thread's writes without throwing, so that nothing else uses the
    /// connection while the transaction is rolled back after an error (a no-op after `finish()`).
    func settle() { behind?.settle() }
}
