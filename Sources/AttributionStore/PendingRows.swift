import AttributionCore
import GRDB

/// The rows a write transaction has decided but not yet written: they go out many per INSERT
/// (see `RowWriter`), and `flush` writes them all, in the order rows refer to each other.
/// `FactCache` flushes them before any query, so no read can see a table without them.
final class PendingRows {
    private let db: Database
    private lazy var clicks = RowWriter(db, "click", ["click_id", "affiliate_id", "at"], behind: behind)
    private lazy var newCustomers = RowWriter(db, "customer", CustomerState.columns, behind: behind)
    private lazy var conversions = RowWriter(db, "conversion", [
        "id", "external_id", "customer_id", "customer_number", "affiliate_id", "amount_minor", "currency",
        "commission_minor", "commission_currency", "at", "click_id", "manual", "subscription_id", "renewal_index"], behind: behind)
    private lazy var events = RowWriter(db, "event", [
        "id", "dedupe", "source", "type", "received_at", "at", "outcome", "reason", "note", "detail", "file", "line",
        "field", "raw", "click_ref", "customer_key", "external_id", "affiliate_id", "customer_id", "conversion_id", "kind"], behind: behind)
    /// Each reference with its event's times, as Triage sorts the matches (schema v25).
    private lazy var refs = RowWriter(db, "event_ref", ["ref", "event_id", "at", "received_at"], verb: "INSERT OR IGNORE", behind: behind)
    /// Each credited conversion's ledger entry (`LedgerRows`), written right after the conversions.
    private lazy var commissions = RowWriter(db, "commission", LedgerRows.columns, behind: behind)
    /// The raw payloads of events refused as invalid, for substring search (schema v7).
    private lazy var invalidTexts = RowWriter(db, "event_invalid_text", ["rowid", "raw"], behind: behind)
    private let aggregates: AggregateDeltas
    /// Customers created or changed: each is written once, as it stands (in the fact cache) at
    /// the flush, in id order.
    private var changedCustomers: Set<Int64> = []
    /// UPDATEs of a stored customer, by the set of columns they write (bits of `CustomerState.changeable`).
    private var updates: [Int: RawStatement] = [:]
    /// A bulk ingest's second thread, which writes full chunks of rows (`RowWriter`); nil: in place.
    private let behind: WriteBehind?

    /// `currency`: the program's, in which the aggregates count earnings.
    init(_ db: Database, currency: String, behind: WriteBehind? = nil) {
        self.db = db
        self.behind = behind
        aggregates = AggregateDeltas(db, currency: currency)
    }

    var isEmpty: Bool {
        changedCustomers.isEmpty && clicks.isEmpty && newCustomers.isEmpty && conversions.isEmpty && events.isEmpty && refs.isEmpty
            && commissions.isEmpty && invalidTexts.isEmpty && aggregates.isEmpty && !(behind?.inFlight ?? false)
    }

    /// Waits until the write-behind thread is done with the connection, before a read of a table
    /// the pending rows never write (the affiliates): no flush needed, only the connection.
    func drainWrites() throws { try behind?.drain() }

    func click(_ c: ClickFact) throws { try clicks.add(.text(c.clickID), .int(c.affiliateID), .int(c.at.seconds)) }

    /// A customer created or changed: its row is written as it stands at the next flush.
    func customerChanged(_ id: Int64) {
        changedCustomers.insert(id)
    }

    func conversion(id: Int64, _ conv: NewConversion, customerID: Int64?, number: Int64?) throws {
        try conversions.add(.int(id), .text(conv.externalID), .of(customerID), .of(number), .int(conv.affiliateID),
                            .int(conv.amount.minor), .text(conv.amount.currency.code), .int(conv.commission.minor),
                            .text(conv.commission.currency.code), .int(conv.at.seconds), .of(conv.clickID),
                            .of(conv.manual), .of(conv.subscriptionID), .of(conv.renewalIndex.map(Int64.init)))
        aggregates.conversion(affiliate: conv.affiliateID, at: conv.at, commission: conv.commission)
        if let n = number { aggregates.customerConversion(affiliate: conv.affiliateID, number: n, commission: conv.commission) }
    }

    /// A credited conversion's ledger entry, in `LedgerRows.columns` order.
    func commission(_ values: [RawValue]) throws { try commissions.add(all: values) }

    /// An inbox entry: the event as received, the kind of core event it was read as (none when it
    /// was not read as one), the decision, and the rows it created.
    func event(id: Int64, _ e: InboundEvent, event: Event?, decision d: Decision, field: String?, receivedAt: Int64,
               customerID: Int64?, conversionID: Int64?) throws {
        let ids = event?.identifiers
        try events.add(.int(id), .text(e.dedupeKey), .text(e.source), .text(e.type), .int(receivedAt), .of(event?.at.seconds),
                       .text(d.outcome.rawValue), .of(d.reason?.rawValue),
                       .of(d.notes.isEmpty ? nil : d.notes.map(\.rawValue).joined(separator: ",")), .of(d.detail),
                       .of(e.file), .of(e.line.map(Int64.init)), .of(field), .text(e.raw),
                       .of(ids?.clickID), .of(ids?.customerKey), .of(ids?.externalID), .of(d.affiliateID),
                       .of(customerID), .of(conversionID), .of(event?.kind.rawValue))
        for ref in Set(e.refs) { try refs.add(.text(ref), .int(id), .of(event?.at.seconds), .int(receivedAt)) }
        if d.outcome == .rejected && d.reason == .invalidEvent { try invalidTexts.add(.int(id), .text(e.raw)) }
        aggregates.event(outcome: d.outcome.rawValue, reason: d.reason?.rawValue)
    }

    /// Writes every pending row, in the order rows refer to each other; the changed customers as
    /// `customers` holds them (each then marked as stored).
    func flush(customers: inout [Int64: CustomerState]) throws {
        try behind?.drain()
        try clicks.flush()
        // In id order: a renewal touches customers spread over the whole table, and updating them
        // in id order walks its B-tree once instead of jumping page to page (new customers, whose
        // ids were handed out in this order, still go out in it).
        for id in changedCustomers.sorted() {
            guard let c = customers[id] else { continue }
            try write(c)
            customers[id]?.stored = c.changeableValues
        }
        changedCustomers.removeAll(keepingCapacity: true)
        try newCustomers.flush()
        try conversions.flush()
        try commissions.flush()
        try events.flush()
        try refs.flush()
        try invalidTexts.flush()
        try aggregates.flush()
    }

    /// A new customer joins the pending INSERT; a stored one is updated, writing only the columns
    /// that changed since its row was read or written (nothing when none did).
    private func write(_ c: CustomerState) throws {
        guard let was = c.stored else {
            aggregates.customer(c.affiliateID, 1)
            aggregates.customerNumber(c.affiliateID, c.number)
            return try newCustomers.add(all: c.values)
        }
        if case .int(let owner) = was[0], owner != c.affiliateID {
            aggregates.customer(owner, -1)
            aggregates.customer(c.affiliateID, 1)
            aggregates.customerNumber(c.affiliateID, c.number)
        }
        let now = c.changeableValues
        var changed = 0
        var values: [RawValue] = []
        for i in now.indices where now[i] != was[i] {
            changed |= 1 << i
            values.append(now[i])
        }
        guard changed != 0 else { return }
        if updates[changed] == nil {
            let set = CustomerState.changeable.indices.filter { changed & (1 << $0) != 0 }.map { "\(CustomerState.changeable[$0]) = ?" }
            updates[changed] = try RawStatement(cached: db, "\(RowWriter.update) customer SET \(set.joined(separator: ", ")) WHERE id = ?")
        }
        values.append(.int(c.id))
        try updates[changed]!.bind(all: values).run()
    }
}
