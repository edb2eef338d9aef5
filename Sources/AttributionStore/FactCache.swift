import AttributionCore
import GRDB

/// The `Facts` the core asks for, answered inside one write (or read) transaction. What the
/// transaction learns or changes is kept here and is authoritative for it: a customer in
/// `customers` is the truth (its row is written with the pending rows), and a key known absent
/// stays absent until this transaction creates it. Anything not known is read from SQL, and
/// every SQL read goes through `fresh`, which writes the pending rows first: no query can see a
/// table without the rows this transaction already decided.
final class FactCache: Facts {
    typealias Failure = any Error

    let db: Database
    private let pending: PendingRows
    /// The affiliates this transaction asked about, read on first use by code or id: a program may
    /// have tens of thousands, and a group commit of a few events must not read them all
    /// (`AffiliateDirectory`).
    private let affiliates: AffiliateDirectory

    // A present key is known: `nil` inside means known absent.
    var recorded: [String: Bool] = [:]
    var clicks: [String: ClickFact?] = [:]
    var customerIDs: [String: Int64?] = [:]
    var customers: [Int64: CustomerState] = [:]
    var conversions: [String: Bool] = [:]
    /// The subscriptions read by `prefetchSubscriptions`, kept up to date by `conversionAdded` and
    /// dropped by `forgetSubscription`: their facts are answered without a query (and so without
    /// writing the pending rows first). A subscription not in here is read from SQL.
    private var subscriptions: [String: SubscriptionHistory] = [:]

    private var statements: [Query: RawStatement] = [:]

    /// The queries a fact may need, each prepared once per transaction.
    enum Query: CaseIterable {
        case dedupe, click, customerByKey, customerByID, conversionExists, conversion, subscription, subscriptionCount
        var sql: String {
            let customer = "SELECT \(CustomerState.columns.joined(separator: ", ")) FROM customer"
            switch self {
            case .dedupe: return "SELECT 1 FROM event WHERE dedupe = ?"
            case .click: return "SELECT affiliate_id, at FROM click WHERE click_id = ?"
            case .customerByKey: return customer + " WHERE key = ?"
            case .customerByID: return customer + " WHERE id = ?"
            case .conversionExists: return "SELECT 1 FROM conversion WHERE external_id = ?"
            case .conversion: return "SELECT customer_id, affiliate_id, subscription_id FROM conversion WHERE external_id = ?"
            case .subscription:
                return "SELECT customer_id, affiliate_id FROM conversion WHERE subscription_id = ? ORDER BY at DESC, id DESC LIMIT 1"
            case .subscriptionCount: return "SELECT COUNT(*) FROM conversion WHERE subscription_id = ? AND affiliate_id = ?"
            }
        }
    }

    init(_ db: Database, pending: PendingRows) throws {
        self.db = db
        self.pending = pending
        affiliates = AffiliateDirectory(db, pending: pending)
    }

    /// The prepared statement for `query`, bound to `values`, after the pending rows are written.
    /// The only way this cache reads SQL. The connection's cached statement: every read here
    /// steps it to its end or resets it before the next use (`one`, the prefetch's loops), so it
    /// is compiled once per connection rather than once per transaction (a group commit's
    /// transaction is a few events).
    func fresh(_ query: Query, _ values: RawValue...) throws -> RawStatement {
        try writePending()
        let s: RawStatement
        if let known = statements[query] { s = known } else { s = try RawStatement(cached: db, query.sql); statements[query] = s }
        return s.bind(all: values)
    }

    /// Writes the rows this transaction decided, before any query reads their tables.
    func writePending() throws {
        if !pending.isEmpty { try pending.flush(customers: &customers) }
    }

    /// A customer's new state: the truth for this transaction, written with the pending rows.
    func change(_ c: CustomerState) {
        customers[c.id] = c
        pending.customerChanged(c.id)
    }

    /// A query of its own (the batch prefetch), after the pending rows are written; the
    /// connection's cached statement (see `fresh(_:_:)`): the caller steps it to its end.
    func fresh(sql: String) throws -> RawStatement {
        try writePending()
        return try RawStatement(cached: db, sql)
    }

    /// Steps `s` once and reads the row with `read`; nil when there is none.
    private func one<T>(_ s: RawStatement, _ read: (RawStatement) -> T) throws -> T? {
        defer { s.done() }
        return try s.step() ? read(s) : nil
    }

    // MARK: Facts

    /// The exact spelling first, else the code that differs only in case.
    func affiliate(code: String) throws -> AffiliateFact? { try affiliates.byCode(code)?.fact }
    func affiliate(id: Int64) throws -> AffiliateFact? { try affiliates.byID(id)?.fact }

    /// An affiliate's last customer number, as stored (0 for an affiliate that is not there).
    func lastCustomerNumber(affiliateID: Int64) throws -> Int64 { try affiliates.byID(affiliateID)?.lastCustomerNumber ?? 0 }

    /// An affiliate's payout email, as stored (nil when none or empty).
    func affiliateEmail(id: Int64) throws -> String? { try affiliates.byID(id)?.email.flatMap { $0.isEmpty ? nil : $0 } }

    func click(id: String) throws -> ClickFact? {
        if let known = clicks[id] { return known }
        let fact = try one(fresh(.click, .text(id))) { ClickFact(clickID: id, affiliateID: $0.int(0), at: Instant(seconds: $0.int(1))) }
        clicks[id] = fact
        return fact
    }

    func customer(key: String) throws -> CustomerFact? {
        if let known = customerIDs[key] { return known.flatMap { customers[$0]?.fact } }
        guard let c = try load(fresh(.customerByKey, .text(key))) else { customerIDs[key] = .some(nil); return nil }
        return c.fact
    }

    func customer(id: Int64) throws -> CustomerState? {
        if let c = customers[id] { return c }
        return try load(fresh(.customerByID, .int(id)))
    }

    private func load(_ s: RawStatement) throws -> CustomerState? {
        guard let c = try one(s, CustomerState.init) else { return nil }
        customers[c.id] = c
        customerIDs[c.key] = c.id
        return c
    }

    func capHistory(customerID: Int64) throws -> CapHistory { try customer(id: customerID)?.history ?? .empty }

    func conversionExists(externalID: String) throws -> Bool {
        if let known = conversions[externalID] { return known }
        let found = try one(fresh(.conversionExists, .text(externalID))) { _ in true } ?? false
        conversions[externalID] = found
        return found
    }

    func clickExists(id: String) throws -> Bool { try click(id: id) != nil }

    func subscription(id: String) throws -> SubscriptionFact? {
        if let known = subscriptions[id] {
            guard let l = known.latest else { return nil }
            return SubscriptionFact(id: id, customer: try l.customerID.flatMap { try customer(id: $0)?.fact }, affiliateID: l.affiliateID)
        }
        guard let (customerID, affiliateID) = try one(fresh(.subscription, .text(id)), { ($0.optionalInt(0), $0.int(1)) }) else {
            return nil
        }
        return SubscriptionFact(id: id, customer: try customerID.flatMap { try customer(id: $0)?.fact }, affiliateID: affiliateID)
    }

    func conversion(externalID: String) throws -> ConversionFact? {
        guard let (customerID, affiliateID, subscriptionID) = try one(fresh(.conversion, .text(externalID)), {
            ($0.optionalInt(0), $0.int(1), $0.optionalText(2))
        }) else { return nil }
        return ConversionFact(externalID: externalID, customer: try customerID.flatMap { try customer(id: $0)?.fact },
                              affiliateID: affiliateID, subscriptionID: subscriptionID)
    }

    func creditedConversions(subscriptionID: String, affiliateID: Int64) throws -> Int {
        if let known = subscriptions[subscriptionID] { return known.credited[affiliateID] ?? 0 }
        return Int(try one(fresh(.subscriptionCount, .text(subscriptionID), .int(affiliateID))) { $0.int(0) } ?? 0)
    }

    /// Whether an event with this dedupe key is in the inbox.
    func isRecorded(_ dedupe: String) throws -> Bool {
        if let known = recorded[dedupe] { return known }
        let found = try one(fresh(.dedupe, .text(dedupe))) { _ in true } ?? false
        recorded[dedupe] = found
        return found
    }
}

/// What the subscription facts need of a subscription's stored conversions: the latest (by time,
/// then id: the `subscription` query's order) and how many each affiliate was credited.
struct SubscriptionHistory {
    struct Latest { var customerID: Int64?; var affiliateID: Int64; var at: Int64; var id: Int64 }
    var latest: Latest?
    var credited: [Int64: Int] = [:]

    mutating func add(_ c: Latest) {
        credited[c.affiliateID, default: 0] += 1
        if let l = latest, (l.at, l.id) > (c.at, c.id) { return }
        latest = c
    }
}

extension FactCache {
    /// Reads, in one query, the stored conversions of every subscription the batch's events name,
    /// so that deciding them asks no query (a query would first write the pending rows: once per
    /// subscription event in a group). Call before deciding; the transaction then keeps them up
    /// to date through `conversionAdded` and `forgetSubscription`.
    func prefetchSubscriptions(_ batch: [InboundEvent]) throws {
        var ids = Set<String>()
        for e in batch {
            guard case .event(let ev) = e.payload, let s = FactCache.subscriptionID(ev), subscriptions[s] == nil else { continue }
            ids.insert(s)
        }
        guard !ids.isEmpty else { return }
        var found: [String: SubscriptionHistory] = [:]
        for s in ids { found[s] = SubscriptionHistory() }
        let s = try fresh(sql: """
            SELECT c.subscription_id, c.customer_id, c.affiliate_id, c.at, c.id
            FROM json_each(?) j CROSS JOIN conversion c ON c.subscription_id = j.value
            """)
        s.bind(.text(FactCache.jsonArray(ids.sorted())))
        while try s.step() {
            found[s.text(0)]?.add(.init(customerID: s.optionalInt(1), affiliateID: s.int(2), at: s.int(3), id: s.int(4)))
        }
        s.done()
        subscriptions.merge(found) { old, _ in old }
    }

    /// A conversion this transaction credited: the history of its subscription, when known, follows.
    func conversionAdded(id: Int64, _ conv: NewConversion, customerID: Int64?) {
        guard let sid = conv.subscriptionID, subscriptions[sid] != nil else { return }
        subscriptions[sid]?.add(.init(customerID: customerID, affiliateID: conv.affiliateID, at: conv.at.seconds, id: id))
    }

    /// A subscription whose conversions changed otherwise (a parent conversion linked to it): read
    /// from SQL again.
    func forgetSubscription(_ id: String) { subscriptions[id] = nil }

    /// The subscription an event names, if any.
    static func subscriptionID(_ ev: Event) -> String? {
        switch ev {
        case .conversion(let c): return c.subscriptionID
        case .cancel(let c): return c.subscriptionID
        case .subscription(let s): return s.subscriptionID
        case .click, .track: return nil
        }
    }
}
