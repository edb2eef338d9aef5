import AttributionCore
import GRDB

/// The affiliate view's ledger: Earnings split by state and the affiliate's own payouts, read
/// under `AffiliatePrivacy` like every affiliate-view query (no refund, dispute, order or
/// customer identifier is readable: the authorizer refuses those tables and columns).
extension Store {
    /// The ledger's affiliate-view queries, by name (`affiliateViewSQL` has them too). `?1` is
    /// the affiliate; `?2` the time now (pending) or the payout (its lines).
    static let affiliateLedgerSQL: [String: String] = [
        // The maintained sums per month, currency and bucket (v14): a page of rows at any size.
        "ledger_months": """
            SELECT month, currency, bucket, amount_minor FROM affiliate_ledger_month WHERE affiliate_id = ?1
            """,
        // The stored pending entries still inside their hold (the rest read as approved, or on
        // hold when they wait for an admin): the last holding period's, from a partial index.
        "ledger_pending": """
            SELECT strftime('%Y-%m', earned_at, 'unixepoch') AS month, currency, needs_approval, TOTAL(amount_minor) AS amount_minor
            FROM commission WHERE affiliate_id = ?1 AND \(CommissionStanding.inHold(now: "?2")) GROUP BY 1, 2, 3
            """,
        "ledger_conversions": "SELECT month, currency, conversions FROM affiliate_month WHERE affiliate_id = ?1",
        "payouts": """
            SELECT * FROM (SELECT p.id, p.created_at, p.amount_minor, p.currency, p.state, p.paid_at, p.reference,
              (SELECT COUNT(*) FROM payout_line l WHERE l.payout_id = p.id) AS lines
            FROM payout p WHERE p.affiliate_id = ?1) p
            """,
        // In the payout's own order (its primary key), so that a huge payout's first lines cost a page.
        "payout_lines": """
            SELECT v.customer_number, strftime('%Y-%m', c.earned_at, 'unixepoch') AS month, l.amount_minor, c.currency, c.kind
            FROM payout p JOIN payout_line l ON l.payout_id = p.id JOIN commission c ON c.id = l.commission_id
            JOIN conversion v ON v.id = c.conversion_id
            WHERE p.id = ?2 AND p.affiliate_id = ?1 ORDER BY l.commission_id
            """,
    ]

    /// Earnings per month and currency split by state as it stands now, oldest first: months
    /// with no conversion and no entry are left out.
    public func affiliateLedgerMonths(_ affiliateID: Int64) throws -> [LedgerMonth] {
        let now = clock.now()
        return try read { db in
            var months: [String: LedgerMonth] = [:]
            func at(_ month: String, _ cur: String) -> String {
                let key = month + " " + cur
                if months[key] == nil { months[key] = LedgerMonth(month: month, currency: Currency(validated: cur)) }
                return key
            }
            let sql = Store.affiliateLedgerSQL
            for r in try Row.fetchAll(db, sql: sql["ledger_conversions"]!, arguments: [affiliateID]) {
                months[at(r[0], r[1])]!.conversions = r[2]
            }
            for r in try Row.fetchAll(db, sql: sql["ledger_months"]!, arguments: [affiliateID]) {
                let k = at(r[0], r[1]), amount = Store.clampedSum(r[3])
                switch r[2] as String {
                // Stored pending: as it stands past its date, until the still-pending part is taken back below.
                case "pending": months[k]!.add(CommissionStanding.standing(needsApproval: false), amount)
                case "review": months[k]!.add(CommissionStanding.standing(needsApproval: true), amount)
                case "clawback": months[k]!.clawedBack &+= amount
                case let state: months[k]!.add(CommissionState(rawValue: state), amount)   // voided: not shown
                }
            }
            for r in try Row.fetchAll(db, sql: sql["ledger_pending"]!, arguments: [affiliateID, now.seconds]) {
                let k = at(r[0], r[1]), amount = Store.clampedSum(r[3])
                months[k]!.pending &+= amount
                months[k]!.add(CommissionStanding.standing(needsApproval: r[2]), 0 &- amount)
            }
            return months.values.filter { $0.conversions > 0 || $0.net != 0 || $0.pending != 0 }
                .sorted { ($0.month, $0.currency.code) < ($1.month, $1.currency.code) }
        }
    }

    /// A stored sum as Int64: one past Int64 (a real number in SQLite) is clamped, never a trap.
    static func clampedSum(_ v: DatabaseValue) -> Int64 {
        switch v.storage {
        case .int64(let i): return i
        case .double(let d): return d >= 9.2e18 ? .max : d <= -9.2e18 ? .min : Int64(d)
        default: return 0
        }
    }

    func affiliatePayoutKeyset(_ affiliateID: Int64, descending: Bool) -> Keyset {
        var k = Keyset(select: Store.affiliateLedgerSQL["payouts"]!, sortExpr: "p.id", idExpr: "p.id", descending: descending)
        k.arguments = [affiliateID]
        return k
    }

    /// The affiliate's own payouts, newest first by default, a page at a time.
    public func affiliatePayouts(_ affiliateID: Int64, descending: Bool = true, page: PageRequest = .first()) throws -> [AffiliatePayoutRow] {
        try read { db in try affiliatePayoutKeyset(affiliateID, descending: descending).fetch(db, page) }
    }

    public func affiliatePayoutCount(_ affiliateID: Int64) throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM payout WHERE affiliate_id = ?", arguments: [affiliateID]) ?? 0 }
    }

    /// One of the affiliate's payouts and its first `limit` lines (nil when it is not theirs).
    public func affiliatePayout(_ affiliateID: Int64, id: Int64, limit: Int = 1000)
        throws -> (payout: AffiliatePayoutRow, lines: [AffiliatePayoutLine])? {
        try read { db in
            let one = Store.affiliateLedgerSQL["payouts"]!.replacingOccurrences(of: "WHERE p.affiliate_id = ?1)",
                                                                              with: "WHERE p.affiliate_id = ?1 AND p.id = ?2)")
            guard let p = try AffiliatePayoutRow.fetchOne(db, sql: one, arguments: [affiliateID, id]) else { return nil }
            let lines = try Row.fetchAll(db, sql: Store.affiliateLedgerSQL["payout_lines"]! + " LIMIT ?3",
                                         arguments: [affiliateID, id, max(1, limit)]).map { r in
                AffiliatePayoutLine(customerNumber: r[0], month: r[1] ?? "?",
                                    amount: Money(minor: r[2], currency: Currency(validated: r[3])), isClawback: (r[4] as String) == "clawback")
            }
            return (p, lines)
        }
    }
}

extension LedgerMonth {
    /// Adds `amount` to a state's figure (voided and unknown states are not shown).
    mutating func add(_ state: CommissionState?, _ amount: Int64) {
        switch state {
        case .pending?: pending &+= amount
        case .approved?: approved &+= amount
        case .onHold?: onHold &+= amount
        case .paid?: paid &+= amount
        case .voided?, nil: break
        }
    }
}
