import AttributionCore
import GRDB

/// What a payout run would make now, without making it: the payouts and the balances carried.
public struct PayoutRunPreview: Hashable, Sendable {
    public struct Planned: Hashable, Sendable {
        public var affiliate: String
        public var email: String?
        public var amount: Money
        public var lines: Int
    }
    public var payouts: [Planned]
    public var carried: [CarryOver]
}

/// The Payouts tab's reads: keyset pages of the batches (newest first), their totals per state,
/// and what a run would make before it is confirmed.
extension Store {
    func payoutKeyset(descending: Bool = true) -> Keyset {
        Keyset(select: Store.payoutSQL, sortExpr: "p.id", idExpr: "p.id", descending: descending)
    }

    /// One page of the payouts, newest first.
    public func payoutPage(_ page: PageRequest = .first()) throws -> [PayoutRow] {
        try read { db in
            let q = try payoutKeyset().sql(db, page)
            let rows = try Row.fetchAll(db, sql: q.sql, arguments: StatementArguments(q.arguments)).map(Store.payoutRow)
            return page.direction == .forward ? rows : rows.reversed()
        }
    }

    public func payoutCount() throws -> Int { try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM payout") ?? 0 } }

    /// Per payout state, the amount and count per currency.
    public func payoutTotals() throws -> [PayoutState: [CommissionTotal]] {
        try read { db in
            var out: [PayoutState: [CommissionTotal]] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT state, currency, TOTAL(amount_minor), COUNT(*) FROM payout GROUP BY 1, 2 ORDER BY 1, 2") {
                guard let st = PayoutState(rawValue: r[0]) else { continue }
                out[st, default: []].append(CommissionTotal(amount: Money(minor: Store.clampedSum(r[2]), currency: Currency(validated: r[1])), count: r[3]))
            }
            return out
        }
    }

    /// What `createPayouts` would make now (the core's `Payouts.plan` on the entries approved now
    /// and in no payout), writing nothing.
    public func previewPayouts(through: Instant, minimum: Money?) throws -> PayoutRunPreview {
        let now = clock.now()
        return try read { db in
            // Approved now: stored approved, or pending past its date without an approval to wait for.
            let payable = try Row.fetchAll(db, sql: """
                SELECT \(Store.entryColumns), c.earned_at FROM commission c
                WHERE c.payout_id IS NULL AND (c.state = 'approved' OR (c.state = 'pending' AND c.approves_at <= ?))
                """, arguments: [now.seconds]).compactMap { r -> PayableEntry? in
                let e = Store.entry(r).current(at: now)
                guard e.state == .approved else { return nil }
                return PayableEntry(id: e.id, kind: e.kind, affiliateID: e.affiliateID, amount: e.amount, earnedAt: Instant(seconds: r["earned_at"]))
            }
            let plan = Payouts.plan(payable.sorted { $0.id < $1.id }, through: through, minimum: minimum)
            var who: [Int64: (String, String?)] = [:]
            for r in try Row.fetchAll(db, sql: "SELECT id, code, email FROM affiliate") { who[r[0]] = (r[1], r[2]) }
            return PayoutRunPreview(payouts: plan.payouts.map {
                PayoutRunPreview.Planned(affiliate: who[$0.affiliateID]?.0 ?? "#\($0.affiliateID)", email: who[$0.affiliateID]?.1,
                                         amount: $0.amount, lines: $0.entryIDs.count)
            }, carried: plan.carried)
        }
    }
}
