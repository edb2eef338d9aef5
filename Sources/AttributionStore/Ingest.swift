import AttributionCore
import Foundation
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
                try session.prefetch(batch)
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

/// One write transaction's worth of ingest: the Facts the core asks for, and the writer that
/// applies a Decision.
///
/// Built for throughput, since every event touches a dozen B-trees:
/// - `prefetch` reads what a batch will ask about (inbox keys, clicks, customers, external ids)
///   with one query per table instead of one per event;
/// - what the session learns or changes is kept in caches that are authoritative for the
///   transaction: a customer in `customers` is the truth (its row is written at `finish`), and a
///   key known absent stays absent until this session creates it;
/// - new rows wait in `RowWriter`s and go out many per INSERT, with ids assigned here (this
///   session holds the write lock, so `MAX(id) + 1` is what SQLite would have chosen).
/// Anything not in the caches is read from SQL, after pending rows are written where the query
/// could see them. Callers that write must call `finish()` before the transaction commits.
final class IngestSession: Facts {
    let db: Database
    let store: Store
    let engine: Engine
    let receivedAt: Int64
    private var affiliatesByCode: [String: AffiliateFact] = [:]
    private var affiliatesByID: [Int64: AffiliateFact] = [:]
    /// By `AffiliateCode.key`, the lowest id first: codes differing only in case are one code.
    private var affiliatesByKey: [String: AffiliateFact] = [:]
    private var lastNumber: [Int64: Int64] = [:]
    private var dirtyNumbers: Set<Int64> = []
    private var sqlError: Error?

    // Caches. A present key is known: `nil` inside means known absent.
    private var recorded: [String: Bool] = [:]
    private var clicks: [String: ClickFact?] = [:]
    private var customerIDs: [String: Int64?] = [:]
    private var customers: [Int64: CustomerState] = [:]
    private var conversions: [String: Bool] = [:]
    private var dirtyCustomers: [Int64] = []
    private var nextIDs: [String: Int64] = [:]

    /// A customer's row as this transaction sees it.
    struct CustomerState {
        var id: Int64, key: String, email: String?, affiliateID: Int64, number: Int64
        var status: CustomerStatus, clickID: String?, createdAt: Int64, lastActivityAt: Int64
        var conversions: Int64, commissionMinor: Int64, commissionCurrency: String?, firstCommissionAt: Int64?
        var dirty = false
        /// The status and owner of its row in the database; nil until the row is written. An
        /// UPDATE that leaves them out when unchanged skips their CHECK and index work.
        var stored: (status: CustomerStatus, owner: Int64)?

        var fact: CustomerFact { CustomerFact(id: id, key: key, affiliateID: affiliateID, status: status) }
        var history: CapHistory {
            CapHistory(commissions: Int(conversions), firstCommissionAt: firstCommissionAt.map(Instant.init(seconds:)),
                       commissionTotal: commissionMinor, currency: commissionCurrency.map(Currency.init(validated:)))
        }
    }

    /// A customer's columns in the order `customerState` reads them and `writePending` writes them.
    static let customerColumns = ["id", "key", "email", "affiliate_id", "number", "status", "click_id", "created_at",
                                  "last_activity_at", "conversions", "commission_minor", "commission_currency",
                                  "first_commission_at"]

    private lazy var selDedupe = prepare("SELECT 1 FROM event WHERE dedupe = ?")
    private lazy var selClick = prepare("SELECT affiliate_id, at FROM click WHERE click_id = ?")
    private lazy var selCustomer = prepare("SELECT \(IngestSession.customerColumns.joined(separator: ", ")) FROM customer WHERE key = ?")
    private lazy var selCustomerByID = prepare("SELECT \(IngestSession.customerColumns.joined(separator: ", ")) FROM customer WHERE id = ?")
    private lazy var selConversion = prepare("SELECT 1 FROM conversion WHERE external_id = ?")
    private lazy var selConversionFact = prepare("SELECT customer_id, affiliate_id, subscription_id FROM conversion WHERE external_id = ?")
    private lazy var selSubscription = prepare("""
        SELECT customer_id, affiliate_id FROM conversion WHERE subscription_id = ? ORDER BY at DESC, id DESC LIMIT 1
        """)
    private lazy var selSubscriptionCount = prepare("SELECT COUNT(*) FROM conversion WHERE subscription_id = ? AND affiliate_id = ?")
    private lazy var updSubscriptionLink = prepare("""
        UPDATE conversion SET subscription_id = ?, renewal_index = 0 WHERE external_id = ? AND subscription_id IS NULL
        """)

    // Pending rows, in the order they are written (what a row refers to is written before it).
    private lazy var clickRows = RowWriter(db, "click", ["click_id", "affiliate_id", "at"])
    private lazy var customerRows = RowWriter(db, "customer", IngestSession.customerColumns)
    /// UPDATEs of a stored customer, by whether its status and its owner changed.
    private var updCustomer: [Int: RawStatement] = [:]
    private lazy var conversionRows = RowWriter(db, "conversion", [
        "id", "external_id", "customer_id", "customer_number", "affiliate_id", "amount_minor", "currency",
        "commission_minor", "commission_currency", "at", "click_id", "manual", "subscription_id", "renewal_index"])
    private lazy var eventRows = RowWriter(db, "event", [
        "id", "dedupe", "source", "type", "received_at", "at", "outcome", "reason", "note", "detail", "file", "line",
        "field", "raw", "click_ref", "customer_key", "external_id", "affiliate_id", "customer_id", "conversion_id"])
    private lazy var refRows = RowWriter(db, "event_ref", ["ref", "event_id"], verb: "INSERT OR IGNORE")

    init(_ db: Database, store: Store, settings: ProgramSettings? = nil) throws {
        self.db = db
        self.store = store
        self.engine = Engine(settings: try settings ?? store.loadSettings(db))
        self.receivedAt = store.clock.now().seconds
        let rows = try Row.fetchAll(db, sql: "SELECT id, code, disabled, commission, last_customer_number FROM affiliate ORDER BY id")
        for r in rows {
            let a = AffiliateFact(id: r[0], code: r[1], disabled: r[2], commission: Commission(stored: r[3]))
            affiliatesByCode[a.code] = a
            let key = AffiliateCode.key(a.code)
            if affiliatesByKey[key] == nil { affiliatesByKey[key] = a }
            affiliatesByID[a.id] = a
            lastNumber[a.id] = r[4]
        }
    }

    private func prepare(_ sql: String) -> RawStatement? {
        do { return try RawStatement(db, sql) } catch { sqlError = sqlError ?? error; return nil }
    }

    func check() throws { if let e = sqlError { throw e } }

    private func note(_ error: Error) { sqlError = sqlError ?? error }

    // MARK: Prefetch

    /// Reads, one query per table, everything the batch's events will ask about, so deciding
    /// them costs no query per event. Keys found nowhere are remembered as absent.
    func prefetch(_ batch: [InboundEvent]) throws {
        var dedupe: [String] = [], clickIDs: [String] = [], keys: [String] = [], externalIDs: [String] = []
        dedupe.reserveCapacity(batch.count)
        for e in batch {
            dedupe.append(e.dedupeKey)
            guard case .event(let ev) = e.payload else { continue }
            let ids = ev.identifiers
            if let c = ids.clickID { clickIDs.append(c) }
            if let k = ids.customerKey { keys.append(k) }
            if let x = ids.externalID { externalIDs.append(x) }
        }
        for k in dedupe where recorded[k] == nil { recorded[k] = false }
        try each("SELECT e.dedupe FROM json_each(?) j JOIN event e ON e.dedupe = j.value", dedupe) { s in
            recorded[s.text(0)] = true
        }
        for k in clickIDs where clicks[k] == nil { clicks[k] = .some(nil) }
        try each("SELECT c.click_id, c.affiliate_id, c.at FROM json_each(?) j JOIN click c ON c.click_id = j.value", clickIDs) { s in
            let id = s.text(0)
            clicks[id] = ClickFact(clickID: id, affiliateID: s.int(1), at: Instant(seconds: s.int(2)))
        }
        for k in keys where customerIDs[k] == nil { customerIDs[k] = .some(nil) }
        let columns = IngestSession.customerColumns.map { "c." + $0 }
        try each("SELECT \(columns.joined(separator: ", ")) FROM json_each(?) j JOIN customer c ON c.key = j.value", keys) { s in
            let c = IngestSession.customerState(s)
            if customers[c.id] == nil { customers[c.id] = c; customerIDs[c.key] = c.id }
        }
        for k in externalIDs where conversions[k] == nil { conversions[k] = false }
        try each("SELECT c.external_id FROM json_each(?) j JOIN conversion c ON c.external_id = j.value", externalIDs) { s in
            conversions[s.text(0)] = true
        }
    }

    /// Runs `sql` with the keys bound as one JSON array, calling `row` for each result.
    /// The keys are sorted first, so the index is walked in order; a key listed twice is
    /// reported twice, which the callers do not mind.
    private func each(_ sql: String, _ keys: [String], _ row: (RawStatement) -> Void) throws {
        guard !keys.isEmpty else { return }
        let s = try RawStatement(db, sql)
        s.bind(.text(IngestSession.jsonArray(keys.sorted())))
        while try s.step() { row(s) }
        s.done()
    }

    /// The keys as a JSON array of strings, for `json_each`.
    static func jsonArray(_ keys: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(keys.count * 24)
        let hex = Array("0123456789abcdef".utf8)
        for (i, k) in keys.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            for b in k.utf8 {
                switch b {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
                case 0..<0x20: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
                default: out.append(b)
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    private static func customerState(_ s: RawStatement) -> CustomerState {
        var c = CustomerState(id: s.int(0), key: s.text(1), email: s.optionalText(2), affiliateID: s.int(3), number: s.int(4),
                      status: CustomerStatus(rawValue: s.text(5)) ?? .initial, clickID: s.optionalText(6),
                      createdAt: s.int(7), lastActivityAt: s.int(8), conversions: s.int(9), commissionMinor: s.int(10),
                      commissionCurrency: s.optionalText(11), firstCommissionAt: s.optionalInt(12))
        c.stored = (c.status, c.affiliateID)
        return c
    }

    // MARK: Facts

    /// The exact spelling first, else the code that differs only in case.
    func affiliate(code: String) -> AffiliateFact? { affiliatesByCode[code] ?? affiliatesByKey[AffiliateCode.key(code)] }
    func affiliate(id: Int64) -> AffiliateFact? { affiliatesByID[id] }

    func click(id: String) -> ClickFact? {
        if let known = clicks[id] { return known }
        guard let s = selClick else { return nil }
        s.bind(.text(id))
        defer { s.done() }
        var fact: ClickFact?
        do {
            if try s.step() { fact = ClickFact(clickID: id, affiliateID: s.int(0), at: Instant(seconds: s.int(1))) }
        } catch { note(error); return nil }
        clicks[id] = fact
        return fact
    }

    func customer(key: String) -> CustomerFact? {
        if let known = customerIDs[key] { return known.flatMap { customers[$0]?.fact } }
        guard let s = selCustomer else { return nil }
        s.bind(.text(key))
        return load(s, key: key)?.fact
    }

    func customer(id: Int64) -> CustomerState? {
        if let c = customers[id] { return c }
        guard let s = selCustomerByID else { return nil }
        s.bind(.int(id))
        return load(s, key: nil)
    }

    private func load(_ s: RawStatement, key: String?) -> CustomerState? {
        defer { s.done() }
        do {
            guard try s.step() else { if let k = key { customerIDs[k] = .some(nil) }; return nil }
        } catch { note(error); return nil }
        let c = IngestSession.customerState(s)
        customers[c.id] = c
        customerIDs[c.key] = c.id
        return c
    }

    func capHistory(customerID: Int64) -> CapHistory { customer(id: customerID)?.history ?? .empty }

    func conversionExists(externalID: String) -> Bool {
        if let known = conversions[externalID] { return known }
        guard let s = selConversion else { return false }
        s.bind(.text(externalID))
        defer { s.done() }
        do {
            let found = try s.step()
            conversions[externalID] = found
            return found
        } catch { note(error); return false }
    }

    func clickExists(id: String) -> Bool { click(id: id) != nil }

    func subscription(id: String) -> SubscriptionFact? {
        guard written(), let s = selSubscription else { return nil }
        s.bind(.text(id))
        guard (try? s.step()) == true else { s.done(); return nil }
        let customerID = s.optionalInt(0), affiliateID = s.int(1)
        s.done()
        return SubscriptionFact(id: id, customer: customerID.flatMap { customer(id: $0)?.fact }, affiliateID: affiliateID)
    }

    func conversion(externalID: String) -> ConversionFact? {
        guard written(), let s = selConversionFact else { return nil }
        s.bind(.text(externalID))
        guard (try? s.step()) == true else { s.done(); return nil }
        let customerID = s.optionalInt(0), affiliateID = s.int(1), subscriptionID = s.optionalText(2)
        s.done()
        return ConversionFact(externalID: externalID, customer: customerID.flatMap { customer(id: $0)?.fact },
                              affiliateID: affiliateID, subscriptionID: subscriptionID)
    }

    func creditedConversions(subscriptionID: String, affiliateID: Int64) -> Int {
        guard written(), let s = selSubscriptionCount else { return 0 }
        s.bind(.text(subscriptionID), .int(affiliateID))
        defer { s.done() }
        guard (try? s.step()) == true else { return 0 }
        return Int(s.int(0))
    }

    /// Writes the pending rows so a query on the conversion table sees them; false on failure
    /// (the error is kept for `check`).
    private func written() -> Bool {
        do { try writePending(); return true } catch { note(error); return false }
    }

    // MARK: Writing

    func isRecorded(_ dedupe: String) throws -> Bool {
        if let known = recorded[dedupe] { return known }
        guard let s = selDedupe else { try check(); return false }
        s.bind(.text(dedupe))
        defer { s.done() }
        let found = try s.step()
        recorded[dedupe] = found
        return found
    }

    func process(_ e: InboundEvent, into summary: inout IngestSummary) throws {
        if try isRecorded(e.dedupeKey) { summary.alreadyIngested += 1; return }
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
        let ids = event?.identifiers
        let id = try nextID("event")
        try eventRows.add(.int(id), .text(e.dedupeKey), .text(e.source), .text(e.type), .int(receivedAt), .of(event?.at.seconds),
                          .text(d.outcome.rawValue), .of(d.reason?.rawValue),
                          .of(d.notes.isEmpty ? nil : d.notes.map(\.rawValue).joined(separator: ",")), .of(d.detail),
                          .of(e.file), .of(e.line.map(Int64.init)), .of(field), .text(e.raw),
                          .of(ids?.clickID), .of(ids?.customerKey), .of(ids?.externalID), .of(d.affiliateID),
                          .of(effects.customerID), .of(effects.conversionID))
        recorded[e.dedupeKey] = true
        for ref in Set(e.refs) { try refRows.add(.text(ref), .int(id)) }
        return id
    }

    struct Applied { var customerID: Int64?; var conversionID: Int64? }

    /// Applies what a decision says to the session's state; the rows go out with the pending
    /// writes. The decision was made inside this transaction, so the facts it relied on still
    /// hold. `at` is the event's time: a status change moves the customer's last activity to it
    /// (an admin's change passes nil and leaves it).
    @discardableResult
    func apply(_ d: Decision, at: Instant? = nil) throws -> Applied {
        var out = Applied()
        if let c = d.newClick {
            try clickRows.add(.text(c.clickID), .int(c.affiliateID), .int(c.at.seconds))
            clicks[c.clickID] = c
        }
        var createdNumber: Int64?
        if let nc = d.newCustomer {
            let number = nextNumber(nc.affiliateID)
            createdNumber = number
            let id = try nextID("customer")
            customers[id] = CustomerState(id: id, key: nc.key, email: nc.email, affiliateID: nc.affiliateID, number: number,
                                          status: nc.status, clickID: nc.clickID, createdAt: nc.at.seconds,
                                          lastActivityAt: nc.at.seconds, conversions: 0, commissionMinor: 0,
                                          commissionCurrency: nil, firstCommissionAt: nil)
            customerIDs[nc.key] = id
            touch(id)
            out.customerID = id
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
                    c.affiliateID == conv.affiliateID { number = c.number }
            }
            let id = try nextID("conversion")
            try conversionRows.add(.int(id), .text(conv.externalID), .of(customerID), .of(number), .int(conv.affiliateID),
                                   .int(conv.amount.minor), .text(conv.amount.currency.code), .int(conv.commission.minor),
                                   .text(conv.commission.currency.code), .int(conv.at.seconds), .of(conv.clickID),
                                   .of(conv.manual), .of(conv.subscriptionID), .of(conv.renewalIndex.map(Int64.init)))
            conversions[conv.externalID] = true
            out.conversionID = id
            if let cid = customerID, var c = customer(id: cid) {
                c.status = d.statusChange.map(\.to) ?? d.newCustomer?.status ?? c.status
                c.conversions += 1
                c.commissionMinor += conv.commission.minor
                c.commissionCurrency = c.commissionCurrency ?? conv.commission.currency.code
                c.firstCommissionAt = c.firstCommissionAt ?? conv.at.seconds
                c.lastActivityAt = max(c.lastActivityAt, conv.at.seconds)
                customers[cid] = c
                touch(cid)
            }
        } else if let sc = d.statusChange, let cid = resolve(sc.customer), var c = customer(id: cid) {
            c.status = sc.to
            c.lastActivityAt = max(c.lastActivityAt, at?.seconds ?? d.newCustomer?.at.seconds ?? 0)
            customers[cid] = c
            touch(cid)
        }
        if let l = d.subscriptionLink, let u = updSubscriptionLink {
            try writePending()
            u.bind(.text(l.subscriptionID), .text(l.externalID))
            try u.run()
        }
        if let r = d.reassignment, var c = customer(id: r.customerID) {
            c.affiliateID = r.toAffiliateID
            c.number = nextNumber(r.toAffiliateID)
            customers[r.customerID] = c
            touch(r.customerID)
            out.customerID = r.customerID
        }
        try check()
        return out
    }

    private func touch(_ customerID: Int64) {
        guard customers[customerID]?.dirty == false else { return }
        customers[customerID]?.dirty = true
        dirtyCustomers.append(customerID)
    }

    private func nextNumber(_ affiliateID: Int64) -> Int64 {
        let n = (lastNumber[affiliateID] ?? 0) + 1
        lastNumber[affiliateID] = n
        dirtyNumbers.insert(affiliateID)
        return n
    }

    /// The next row id of `table`: one past the largest, as SQLite itself would choose.
    private func nextID(_ table: String) throws -> Int64 {
        if let n = nextIDs[table] { nextIDs[table] = n + 1; return n }
        let n = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) + 1 FROM \(table)") ?? 1
        nextIDs[table] = n + 1
        return n
    }

    /// A new customer joins the pending INSERT; a stored one is updated, leaving out its status
    /// and owner when they did not change.
    private func write(_ c: CustomerState) throws {
        if let was = c.stored {
            let status = c.status != was.status, owner = c.affiliateID != was.owner
            let variant = (status ? 1 : 0) + (owner ? 2 : 0)
            if updCustomer[variant] == nil {
                updCustomer[variant] = try RawStatement(db, """
                    UPDATE customer SET \(owner ? "affiliate_id = ?, number = ?, " : "")\(status ? "status = ?, " : "")
                      last_activity_at = ?, conversions = ?, commission_minor = ?, commission_currency = ?,
                      first_commission_at = ? WHERE id = ?
                    """)
            }
            var values: [RawValue] = owner ? [.int(c.affiliateID), .int(c.number)] : []
            if status { values.append(.text(c.status.rawValue)) }
            values += [.int(c.lastActivityAt), .int(c.conversions), .int(c.commissionMinor), .of(c.commissionCurrency),
                       .of(c.firstCommissionAt), .int(c.id)]
            try updCustomer[variant]!.bind(all: values).run()
        } else {
            try customerRows.add(.int(c.id), .text(c.key), .of(c.email), .int(c.affiliateID), .int(c.number),
                                 .text(c.status.rawValue), .of(c.clickID), .int(c.createdAt), .int(c.lastActivityAt),
                                 .int(c.conversions), .int(c.commissionMinor), .of(c.commissionCurrency),
                                 .of(c.firstCommissionAt))
        }
    }

    /// Writes every pending row, in the order rows refer to each other.
    private func writePending() throws {
        try clickRows.flush()
        for id in dirtyCustomers {
            guard let c = customers[id] else { continue }
            try write(c)
            customers[id]?.dirty = false
            customers[id]?.stored = (c.status, c.affiliateID)
        }
        dirtyCustomers.removeAll(keepingCapacity: true)
        try customerRows.flush()
        try conversionRows.flush()
        try eventRows.flush()
        try refRows.flush()
    }

    /// Writes the pending rows and the per-affiliate customer-number counters.
    func finish() throws {
        try writePending()
        for id in dirtyNumbers {
            try db.execute(sql: "UPDATE affiliate SET last_customer_number = ? WHERE id = ?", arguments: [lastNumber[id], id])
        }
        dirtyNumbers.removeAll()
        try check()
    }
}

/// Rows for one table, written `chunk` at a time by one multi-row INSERT: a statement opens a
/// cursor on the table and each of its indexes, and that cost is paid once per chunk.
final class RowWriter {
    private let db: Database
    private let head: String
    private let width: Int
    private let chunk: Int
    private var full: RawStatement?
    private var values: [RawValue] = []

    init(_ db: Database, _ table: String, _ columns: [String], verb: String = "INSERT", chunk: Int = 64) {
        self.db = db
        self.head = "\(verb) INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        self.width = columns.count
        self.chunk = chunk
        values.reserveCapacity(width * chunk)
    }

    func add(_ row: RawValue...) throws {
        precondition(row.count == width, "a row of \(row.count) values for \(width) columns")
        values.append(contentsOf: row)
        if values.count == width * chunk {
            if full == nil { full = try statement(rows: chunk) }
            try full!.bind(all: values).run()
            values.removeAll(keepingCapacity: true)
        }
    }

    func flush() throws {
        guard !values.isEmpty else { return }
        try statement(rows: values.count / width).bind(all: values).run()
        values.removeAll(keepingCapacity: true)
    }

    private func statement(rows: Int) throws -> RawStatement {
        let one = "(" + Array(repeating: "?", count: width).joined(separator: ",") + ")"
        return try RawStatement(db, head + Array(repeating: one, count: rows).joined(separator: ","))
    }
}

