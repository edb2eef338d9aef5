import AttributionCore
import GRDB

/// What an ingest did, counted per outcome and reason.
public struct IngestSummary: Hashable, Sendable {
    public var received = 0
    public var accepted = 0
    public var rejected = 0
    /// Already in the inbox (same event received before): nothing changed.
    public var alreadyIngested = 0
    /// Per code: reasons for refusals, notes for accepted events.
    public var byReason: [String: Int] = [:]
    /// The first invalid lines, "file:line: field: message".
    public var invalid: [String] = []
    /// Inbox ids of the events recorded by this run, in order (first and last).
    public var firstEventID: Int64?
    public var lastEventID: Int64?

    public init() {}

    mutating func count(_ d: Decision, _ e: InboundEvent) {
        received += 1
        if d.isAccepted { accepted += 1 } else { rejected += 1 }
        if let r = d.reason { byReason[r.rawValue, default: 0] += 1 }
        for n in d.notes { byReason[n.rawValue, default: 0] += 1 }
        if let m = e.invalidMessage, invalid.count < 20 { invalid.append(m) }
    }
}

extension Store {
    /// Records and applies events. Each event is decided by the core and written with all of its
    /// effects; events are committed in batches of `batchSize` (one transaction each), so a crash
    /// leaves every event either fully applied or absent, and an event already in the inbox (same
    /// dedupe key) is skipped: ingesting the same input twice changes nothing the second time.
    public func ingest<S: Sequence>(_ events: S, batchSize: Int = 4096,
                                    progress: ((Int) -> Void)? = nil) throws -> IngestSummary where S.Element == InboundEvent {
        var summary = IngestSummary()
        var batch: [InboundEvent] = []
        batch.reserveCapacity(batchSize)
        var done = 0
        func flush() throws {
            guard !batch.isEmpty else { return }
            try bulkWrite { db in
                let session = try IngestSession(db, store: self)
                for e in batch { try session.process(e, into: &summary) }
                try session.finish()
            }
            done += batch.count
            batch.removeAll(keepingCapacity: true)
            progress?(done)
        }
        for e in events {
            batch.append(e)
            if batch.count >= batchSize { try flush() }
        }
        try flush()
        return summary
    }

    /// Decides one event against the stored facts WITHOUT writing: what the settings today would
    /// do if it came again. Used by triage.
    public func dryRun(_ event: Event, settings: ProgramSettings? = nil) throws -> Decision {
        try read { db in
            let session = try IngestSession(db, store: self, settings: settings)
            let d = Engine(settings: session.engine.settings).decide(event, facts: session)
            try session.check()
            return d
        }
    }
}

/// One write transaction's worth of ingest: prepared statements, the Facts the core asks for,
/// and the writer that applies a Decision.
final class IngestSession: Facts {
    let db: Database
    let store: Store
    let engine: Engine
    let receivedAt: Int64
    private var affiliatesByCode: [String: AffiliateFact] = [:]
    private var affiliatesByID: [Int64: AffiliateFact] = [:]
    private var lastNumber: [Int64: Int64] = [:]
    private var dirtyNumbers: Set<Int64> = []
    private var sqlError: Error?
    /// The last customer fetched, with its cap history and number.
    private var lastCustomer: (fact: CustomerFact, history: CapHistory, number: Int64)?

    private lazy var selDedupe = prepare("SELECT 1 FROM event WHERE dedupe = ?")
    private lazy var selClick = prepare("SELECT affiliate_id, at FROM click WHERE click_id = ?")
    private lazy var selCustomer = prepare("""
        SELECT id, affiliate_id, status, conversions, first_commission_at, commission_minor, commission_currency, number
        FROM customer WHERE key = ?
        """)
    private lazy var selCustomerByID = prepare("""
        SELECT key, affiliate_id, status, conversions, first_commission_at, commission_minor, commission_currency, number
        FROM customer WHERE id = ?
        """)
    private lazy var selConversion = prepare("SELECT 1 FROM conversion WHERE external_id = ?")
    private lazy var selConversionFact = prepare("SELECT customer_id, affiliate_id, subscription_id FROM conversion WHERE external_id = ?")
    private lazy var selSubscription = prepare("""
        SELECT customer_id, affiliate_id FROM conversion WHERE subscription_id = ? ORDER BY at DESC, id DESC LIMIT 1
        """)
    private lazy var selSubscriptionCount = prepare("SELECT COUNT(*) FROM conversion WHERE subscription_id = ? AND affiliate_id = ?")
    private lazy var updSubscriptionLink = prepare("""
        UPDATE conversion SET subscription_id = ?, renewal_index = 0 WHERE external_id = ? AND subscription_id IS NULL
        """)
    private lazy var insClick = prepare("INSERT INTO click (click_id, affiliate_id, at) VALUES (?,?,?)")
    private lazy var insCustomer = prepare("""
        INSERT INTO customer (key, email, affiliate_id, number, status, click_id, created_at, last_activity_at)
        VALUES (?,?,?,?,?,?,?,?)
        """)
    private lazy var updStatus = prepare("UPDATE customer SET status = ?, last_activity_at = MAX(last_activity_at, ?) WHERE id = ?")
    private lazy var updCredit = prepare("""
        UPDATE customer SET status = ?, conversions = conversions + 1, commission_minor = commission_minor + ?,
          commission_currency = COALESCE(commission_currency, ?), first_commission_at = COALESCE(first_commission_at, ?),
          last_activity_at = MAX(last_activity_at, ?) WHERE id = ?
        """)
    private lazy var updReassign = prepare("UPDATE customer SET affiliate_id = ?, number = ? WHERE id = ?")
    private lazy var insConversion = prepare("""
        INSERT INTO conversion (external_id, customer_id, customer_number, affiliate_id, amount_minor, currency,
          commission_minor, commission_currency, at, click_id, manual, subscription_id, renewal_index)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
        """)
    private lazy var insEvent = prepare("""
        INSERT INTO event (dedupe, source, type, received_at, at, outcome, reason, note, detail, file, line, field, raw,
          click_ref, customer_key, external_id, affiliate_id, customer_id, conversion_id)
        VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
        """)
    private lazy var insRef = prepare("INSERT OR IGNORE INTO event_ref (ref, event_id) VALUES (?,?)")

    init(_ db: Database, store: Store, settings: ProgramSettings? = nil) throws {
        self.db = db
        self.store = store
        self.engine = Engine(settings: try settings ?? store.loadSettings(db))
        self.receivedAt = store.clock.now().seconds
        let rows = try Row.fetchAll(db, sql: "SELECT id, code, disabled, commission, last_customer_number FROM affiliate")
        for r in rows {
            let a = AffiliateFact(id: r[0], code: r[1], disabled: r[2], commission: Commission(stored: r[3]))
            affiliatesByCode[a.code] = a
            affiliatesByID[a.id] = a
            lastNumber[a.id] = r[4]
        }
    }

    private func prepare(_ sql: String) -> RawStatement? {
        do { return try RawStatement(db, sql) } catch { sqlError = sqlError ?? error; return nil }
    }

    func check() throws { if let e = sqlError { throw e } }

    // MARK: Facts

    func affiliate(code: String) -> AffiliateFact? { affiliatesByCode[code] }
    func affiliate(id: Int64) -> AffiliateFact? { affiliatesByID[id] }

    func click(id: String) -> ClickFact? {
        guard let s = selClick else { return nil }
        s.bind(.text(id))
        defer { s.done() }
        guard (try? s.step()) == true else { return nil }
        return ClickFact(clickID: id, affiliateID: s.int(0), at: Instant(seconds: s.int(1)))
    }

    func customer(key: String) -> CustomerFact? {
        if let c = lastCustomer, c.fact.key == key { return c.fact }
        guard let s = selCustomer else { return nil }
        s.bind(.text(key))
        defer { s.done() }
        guard (try? s.step()) == true else { return nil }
        let fact = CustomerFact(id: s.int(0), key: key, affiliateID: s.int(1), status: CustomerStatus(rawValue: s.text(2)) ?? .initial)
        lastCustomer = (fact, history(s, 3), s.int(7))
        return fact
    }

    private func history(_ s: RawStatement, _ c: Int32) -> CapHistory {
        CapHistory(commissions: Int(s.int(c)), firstCommissionAt: s.optionalInt(c + 1).map(Instant.init(seconds:)),
                   commissionTotal: s.int(c + 2), currency: s.optionalText(c + 3).map(Currency.init(validated:)))
    }

    func customer(id: Int64) -> (fact: CustomerFact, history: CapHistory, number: Int64)? {
        if let c = lastCustomer, c.fact.id == id { return c }
        guard let s = selCustomerByID else { return nil }
        s.bind(.int(id))
        defer { s.done() }
        guard (try? s.step()) == true else { return nil }
        let fact = CustomerFact(id: id, key: s.text(0), affiliateID: s.int(1), status: CustomerStatus(rawValue: s.text(2)) ?? .initial)
        lastCustomer = (fact, history(s, 3), s.int(7))
        return lastCustomer
    }

    func capHistory(customerID: Int64) -> CapHistory { customer(id: customerID)?.history ?? .empty }

    func conversionExists(externalID: String) -> Bool {
        guard let s = selConversion else { return false }
        s.bind(.text(externalID))
        defer { s.done() }
        return (try? s.step()) == true
    }

    func clickExists(id: String) -> Bool { click(id: id) != nil }

    func subscription(id: String) -> SubscriptionFact? {
        guard let s = selSubscription else { return nil }
        s.bind(.text(id))
        guard (try? s.step()) == true else { s.done(); return nil }
        let customerID = s.optionalInt(0), affiliateID = s.int(1)
        s.done()
        return SubscriptionFact(id: id, customer: customerID.flatMap { customer(id: $0)?.fact }, affiliateID: affiliateID)
    }

    func conversion(externalID: String) -> ConversionFact? {
        guard let s = selConversionFact else { return nil }
        s.bind(.text(externalID))
        guard (try? s.step()) == true else { s.done(); return nil }
        let customerID = s.optionalInt(0), affiliateID = s.int(1), subscriptionID = s.optionalText(2)
        s.done()
        return ConversionFact(externalID: externalID, customer: customerID.flatMap { customer(id: $0)?.fact },
                              affiliateID: affiliateID, subscriptionID: subscriptionID)
    }

    func creditedConversions(subscriptionID: String, affiliateID: Int64) -> Int {
        guard let s = selSubscriptionCount else { return 0 }
        s.bind(.text(subscriptionID), .int(affiliateID))
        defer { s.done() }
        guard (try? s.step()) == true else { return 0 }
        return Int(s.int(0))
    }

    // MARK: Writing

    func isRecorded(_ dedupe: String) throws -> Bool {
        guard let s = selDedupe else { try check(); return false }
        s.bind(.text(dedupe))
        defer { s.done() }
        return try s.step()
    }

    func process(_ e: InboundEvent, into summary: inout IngestSummary) throws {
        if try isRecorded(e.dedupeKey) { summary.alreadyIngested += 1; return }
        lastCustomer = nil
        var decision: Decision
        var event: Event?
        var field: String?
        switch e.payload {
        case .event(let ev):
            if let f = IngestSession.nulField(ev) {
                field = f
                decision = .rejected(.invalidEvent, "\(f) contains a NUL character")
            } else {
                event = ev
                decision = engine.decide(ev, facts: self)
            }
        case .invalid(let f, let message):
            field = f
            decision = .rejected(.invalidEvent, e.invalidMessage ?? message)
        case .ignored(let reason, let detail):
            decision = .rejected(reason, detail)
        }
        try check()
        let id = try record(e, event: event, decision: decision, field: field)
        summary.count(decision, e)
        if summary.firstEventID == nil { summary.firstEventID = id }
        summary.lastEventID = id
    }

    /// SQLite's C API, as GRDB and RawStatement call it, ends text at a NUL: an identifier
    /// holding one would be stored cut short and collide with another ("bob\u{0}x" with "bob").
    /// Refused here, whatever the adapter.
    static func nulField(_ event: Event) -> String? {
        func bad(_ s: String?) -> Bool { s?.utf8.contains(0) ?? false }
        switch event {
        case .click(let c):
            if bad(c.clickID) { return "click_id" }
            if bad(c.affiliateCode) { return "affiliate" }
        case .track(let t):
            if bad(t.customerKey) { return "customer_key" }
            if bad(t.clickID) { return "click_id" }
            if bad(t.email) { return "email" }
        case .conversion(let c):
            if bad(c.externalID) { return "external_id" }
            if bad(c.customerKey) { return "customer_key" }
            if bad(c.clickID) { return "click_id" }
            if bad(c.subscriptionID) { return "subscription_id" }
            if bad(c.parentExternalID) { return "parent_id" }
        case .cancel(let c):
            if bad(c.customerKey) { return "customer_key" }
            if bad(c.subscriptionID) { return "subscription_id" }
        case .subscription(let c):
            if bad(c.subscriptionID) { return "subscription_id" }
            if bad(c.parentExternalID) { return "parent_id" }
            if bad(c.customerKey) { return "customer_key" }
        }
        return nil
    }

    /// Applies a decision's effects and writes its inbox entry. Returns the inbox id.
    @discardableResult
    func record(_ e: InboundEvent, event: Event?, decision d: Decision, field: String?) throws -> Int64 {
        let effects = try apply(d, at: event?.at)
        guard let s = insEvent else { try check(); return 0 }
        var clickRef: String?, customerKey: String?, externalID: String?
        switch event {
        case .click(let c)?: clickRef = c.clickID
        case .track(let t)?: clickRef = t.clickID; customerKey = t.customerKey
        case .conversion(let c)?: clickRef = c.clickID; customerKey = c.customerKey; externalID = c.externalID
        case .cancel(let c)?: customerKey = c.customerKey
        case .subscription(let c)?: customerKey = c.customerKey; externalID = c.parentExternalID
        case nil: break
        }
        s.bind(.text(e.dedupeKey), .text(e.source), .text(e.type), .int(receivedAt), .of(event?.at.seconds),
               .text(d.outcome.rawValue), .of(d.reason?.rawValue),
               .of(d.notes.isEmpty ? nil : d.notes.map(\.rawValue).joined(separator: ",")), .of(d.detail),
               .of(e.file), .of(e.line.map(Int64.init)), .of(field), .text(e.raw),
               .of(clickRef), .of(customerKey), .of(externalID), .of(d.affiliateID),
               .of(effects.customerID), .of(effects.conversionID))
        try s.run()
        let id = db.lastInsertedRowID
        if !e.refs.isEmpty, let r = insRef {
            for ref in Set(e.refs) { r.bind(.text(ref), .int(id)); try r.run() }
        }
        return id
    }

    struct Applied { var customerID: Int64?; var conversionID: Int64? }

    /// Writes what a decision says to write. The decision was made inside this transaction, so
    /// the facts it relied on still hold. `at` is the event's time: a status change moves the
    /// customer's last activity to it (an admin's change passes nil and leaves it).
    @discardableResult
    func apply(_ d: Decision, at: Instant? = nil) throws -> Applied {
        var out = Applied()
        if let c = d.newClick, let s = insClick {
            s.bind(.text(c.clickID), .int(c.affiliateID), .int(c.at.seconds))
            try s.run()
        }
        var createdNumber: Int64?
        if let nc = d.newCustomer, let s = insCustomer {
            let number = nextNumber(nc.affiliateID)
            createdNumber = number
            s.bind(.text(nc.key), .of(nc.email), .int(nc.affiliateID), .int(number), .text(nc.status.rawValue),
                   .of(nc.clickID), .int(nc.at.seconds), .int(nc.at.seconds))
            try s.run()
            out.customerID = db.lastInsertedRowID
        }
        func resolve(_ ref: CustomerRef) -> Int64? {
            switch ref { case .existing(let id): return id; case .created: return out.customerID }
        }
        if case .existing(let id)? = d.statusChange?.customer { out.customerID = id }
        if let conv = d.conversion {
            let customerID = conv.customer.flatMap(resolve)
            var number: Int64?
            if let cid = customerID {
                out.customerID = cid
                if case .created? = conv.customer { number = createdNumber } else if let c = customer(id: cid),
                    c.fact.affiliateID == conv.affiliateID { number = c.number }
            }
            guard let s = insConversion else { try check(); return out }
            s.bind(.text(conv.externalID), .of(customerID), .of(number), .int(conv.affiliateID), .int(conv.amount.minor),
                   .text(conv.amount.currency.code), .int(conv.commission.minor), .text(conv.commission.currency.code),
                   .int(conv.at.seconds), .of(conv.clickID), .of(conv.manual), .of(conv.subscriptionID),
                   .of(conv.renewalIndex.map(Int64.init)))
            try s.run()
            out.conversionID = db.lastInsertedRowID
            if let cid = customerID, let u = updCredit {
                let status = d.statusChange.map(\.to) ?? d.newCustomer?.status ?? customer(id: cid)?.fact.status ?? .active
                u.bind(.text(status.rawValue), .int(conv.commission.minor), .text(conv.commission.currency.code),
                       .int(conv.at.seconds), .int(conv.at.seconds), .int(cid))
                try u.run()
            }
        } else if let sc = d.statusChange, let cid = resolve(sc.customer), let u = updStatus {
            u.bind(.text(sc.to.rawValue), .int(at?.seconds ?? d.newCustomer?.at.seconds ?? 0), .int(cid))
            try u.run()
        }
        if let l = d.subscriptionLink, let u = updSubscriptionLink {
            u.bind(.text(l.subscriptionID), .text(l.externalID))
            try u.run()
        }
        if let r = d.reassignment, let u = updReassign {
            u.bind(.int(r.toAffiliateID), .int(nextNumber(r.toAffiliateID)), .int(r.customerID))
            try u.run()
            out.customerID = r.customerID
        }
        lastCustomer = nil
        try check()
        return out
    }

    private func nextNumber(_ affiliateID: Int64) -> Int64 {
        let n = (lastNumber[affiliateID] ?? 0) + 1
        lastNumber[affiliateID] = n
        dirtyNumbers.insert(affiliateID)
        return n
    }

    /// Writes back the per-affiliate customer-number counters.
    func finish() throws {
        for id in dirtyNumbers {
            try db.execute(sql: "UPDATE affiliate SET last_customer_number = ? WHERE id = ?", arguments: [lastNumber[id], id])
        }
        dirtyNumbers.removeAll()
        try check()
    }
}
