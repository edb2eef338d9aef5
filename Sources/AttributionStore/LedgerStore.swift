import AttributionCore
import GRDB

/// One ledger entry as the command line and the screens list it.
public struct CommissionRow: Hashable, Sendable {
    public var id: Int64
    public var kind: EntryKind
    public var externalID: String
    public var affiliate: String
    public var customerKey: String?
    /// Signed: a clawback is negative.
    public var amount: Money
    /// The commission when credited (a clawback: what it takes back).
    public var original: Money
    /// As it stands now (a pending entry past its date reads as approved).
    public var state: CommissionState
    public var reason: LedgerReason?
    public var payoutID: Int64?
    public var approvesAt: Instant
    public var earnedAt: Instant
}

public struct CommissionQuery: Hashable, Sendable {
    public var state: CommissionState?
    public var affiliateCode: String?
    public var limit: Int
    public init(state: CommissionState? = nil, affiliateCode: String? = nil, limit: Int = 100_000) {
        self.state = state; self.affiliateCode = affiliateCode; self.limit = limit
    }
}

/// The outcome of an admin's action on one commission.
public struct CommissionActionResult: Hashable, Sendable {
    public var id: Int64
    public var before: CommissionState?
    public var outcome: Result<CommissionState, LedgerRefusal>
}

extension Store {
    static let entryColumns = """
        c.id, c.kind, c.affiliate_id, c.amount_minor, c.currency, c.state, c.reason, c.approves_at, c.needs_approval, c.payout_id,
        c.before_dispute, c.reason_before_dispute
        """

    static func entry(_ r: Row) -> LedgerEntry {
        let cur = Currency(validated: r["currency"])
        return LedgerEntry(id: r["id"], kind: EntryKind(rawValue: r["kind"]) ?? .commission, affiliateID: r["affiliate_id"],
                           amount: Money(minor: r["amount_minor"], currency: cur), state: CommissionState(rawValue: r["state"]) ?? .onHold,
                           reason: (r["reason"] as String?).flatMap(LedgerReason.init(rawValue:)),
                           approvesAt: Instant(seconds: r["approves_at"]), needsApproval: r["needs_approval"], payoutID: r["payout_id"],
                           beforeDispute: (r["before_dispute"] as String?).flatMap(CommissionState.init(rawValue:)),
                           reasonBeforeDispute: (r["reason_before_dispute"] as String?).flatMap(LedgerReason.init(rawValue:)))
    }

    func loadEntry(_ db: Database, id: Int64) throws -> LedgerEntry? {
        try Row.fetchOne(db, sql: "SELECT \(Store.entryColumns) FROM commission c WHERE c.id = ?", arguments: [id]).map(Store.entry)
    }

    func saveEntry(_ db: Database, _ e: LedgerEntry) throws {
        let update = try db.cachedStatement(sql: """
            UPDATE commission SET amount_minor = ?, state = ?, reason = ?, needs_approval = ?, payout_id = ?, before_dispute = ?,
              reason_before_dispute = ? WHERE id = ?
            """)
        try update.execute(arguments: [e.amount.minor, e.state.rawValue, e.reason?.rawValue, e.needsApproval, e.payoutID,
                                       e.beforeDispute?.rawValue, e.reasonBeforeDispute?.rawValue, e.id])
    }

    /// Writes back what the clock has decided for every entry: each pending entry whose hold has
    /// passed becomes approved (or on hold `approval_required`), by the core's rule
    /// (`LedgerEntry.current`). Only a payout run needs it (it pays the approved entries); reads
    /// apply the same rule, and a write that changes an entry settles that entry alone
    /// (`settleSale`, `commissionAction`), so its work does not grow with the ledger's backlog (a
    /// bulk ingest leaves millions pending past their date). In slices of `settleSlice`: memory
    /// stays bounded whatever the backlog.
    func settleLedger(_ db: Database, now: Instant) throws {
        let due = try db.cachedStatement(sql: """
            SELECT \(Store.entryColumns) FROM commission c WHERE \(CommissionStanding.due("c.")) LIMIT \(Store.settleSlice)
            """)
        while true {
            let rows = try Row.fetchAll(due, arguments: [now.seconds])
            for r in rows { try saveEntry(db, Store.entry(r).current(at: now)) }
            if rows.count < Store.settleSlice { return }
        }
    }

    /// `e` as it stands at `now`, written back when that differs from what is stored.
    func settled(_ e: LedgerEntry, now: Instant, _ db: Database) throws -> LedgerEntry {
        let current = e.current(at: now)
        if current != e { try saveEntry(db, current) }
        return current
    }

    /// How many due entries `settleLedger` reads at a time.
    static let settleSlice = 4_096

    /// Settles the entries of the sale with this external id alone (a refund or a dispute changes
    /// no other): what it writes is one sale's, however many entries are due elsewhere.
    func settleSale(_ db: Database, externalID: String, now: Instant) throws {
        let due = try db.cachedStatement(sql: """
            SELECT \(Store.entryColumns) FROM conversion v CROSS JOIN commission c ON c.conversion_id = v.id
            WHERE v.external_id = ?1 AND \(CommissionStanding.due("c.", now: "?2", column: "+c.approves_at"))
            """)
        for r in try Row.fetchAll(due, arguments: [externalID, now.seconds]) { try saveEntry(db, Store.entry(r).current(at: now)) }
    }

    /// The ledger, oldest first, as it stands now; filtered by state (as it stands now) and affiliate.
    public func commissions(_ q: CommissionQuery) throws -> [CommissionRow] {
        let now = clock.now()
        return try read { db in
            var sql = """
                SELECT \(Store.entryColumns), c.original_minor, c.earned_at, v.external_id, a.code, k.key AS customer_key
                FROM commission c JOIN conversion v ON v.id = c.conversion_id JOIN affiliate a ON a.id = c.affiliate_id
                LEFT JOIN customer k ON k.id = v.customer_id WHERE 1
                """
            var args: StatementArguments = []
            if let code = q.affiliateCode { sql += " AND a.code = ?"; args += [code] }
            if let s = q.state {
                // Stored pending past its date reads as approved or on hold: select by the stored states it can come from.
                switch s {
                case .pending: sql += " AND \(CommissionStanding.inHold("c."))"; args += [now.seconds]
                case .approved, .onHold: sql += " AND (c.state = ? OR (\(CommissionStanding.due("c."))))"; args += [s.rawValue, now.seconds]
                default: sql += " AND c.state = ?"; args += [s.rawValue]
                }
            }
            sql += " ORDER BY c.id"
            var out: [CommissionRow] = []
            for r in try Row.fetchAll(db, sql: sql, arguments: args) {
                if out.count >= q.limit { break }
                let e = Store.entry(r).current(at: now)
                if let s = q.state, e.state != s { continue }
                out.append(CommissionRow(id: e.id, kind: e.kind, externalID: r["external_id"], affiliate: r["code"],
                                         customerKey: r["customer_key"], amount: e.amount,
                                         original: Money(minor: r["original_minor"], currency: e.amount.currency), state: e.state,
                                         reason: e.reason, payoutID: e.payoutID, approvesAt: e.approvesAt,
                                         earnedAt: Instant(seconds: r["earned_at"])))
            }
            return out
        }
    }

    /// An admin's action on commissions (one or a selection), in one transaction: each is decided
    /// by the core (`Ledger.apply`); the accepted ones are written and audited one by one, the
    /// refused ones change nothing and come back with their reason.
    public func commissionAction(_ action: LedgerAction, ids: [Int64], who: String) throws -> [CommissionActionResult] {
        let now = clock.now()
        return try write { db in
            var results: [CommissionActionResult] = []
            for id in ids {
                // Each entry acted on is settled first (alone: the others' backlog is not this action's work).
                guard let stored = try self.loadEntry(db, id: id).map({ try self.settled($0, now: now, db) }) else {
                    results.append(CommissionActionResult(id: id, before: nil, outcome: .failure(LedgerReason.unknownCommission.refusal("#\(id)"))))
                    continue
                }
                switch Ledger.apply(action, to: stored, now: now) {
                case .failure(let f):
                    results.append(CommissionActionResult(id: id, before: stored.state, outcome: .failure(f)))
                case .success(let next):
                    try self.saveEntry(db, next)
                    try self.audit(db, who: who, action: "commission.\(action.name)", target: "commission #\(id)",
                                   before: Store.describe(stored), after: Store.describe(next), detail: nil)
                    results.append(CommissionActionResult(id: id, before: stored.state, outcome: .success(next.state)))
                }
            }
            return results
        }
    }

    /// "on_hold admin_hold 5.80 USD"
    static func describe(_ e: LedgerEntry) -> String {
        "\(e.state.rawValue)\(e.reason.map { " \($0.rawValue)" } ?? "") \(e.amount)"
    }
}
