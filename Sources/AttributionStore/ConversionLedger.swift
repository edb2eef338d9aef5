import AttributionCore
import GRDB

/// A conversion's place in the ledger, for the admin's customer detail and triage: its
/// commission as it stands now (state, reason, amount), the refunds and disputes recorded on
/// the sale, and the clawbacks they made. Never read by the affiliate view (the authorizer
/// refuses `refund`, `dispute` and `commission.reason` there).
public struct ConversionLedger: Hashable, Sendable {
    public var conversionID: Int64
    /// The commission entry as it stands now (a pending entry past its date reads as approved).
    public var state: CommissionState
    public var reason: LedgerReason?
    public var amount: Money
    /// The commission when credited (refunds are proportioned on it).
    public var original: Money
    public var payoutID: Int64?
    /// Oldest first.
    public var refunds: [LedgerRefund] = []
    public var disputes: [LedgerDispute] = []
    public var clawbacks: [LedgerClawback] = []

    /// Why it is voided, held or clawed back (the core's wording), nil when none of those.
    public var explanation: LedgerExplanation? {
        let clawReason = clawbacks.isEmpty ? nil : (refunds.last { $0.commission.minor > 0 }?.reason ?? .refunded)
        return LedgerExplanation.of(state: state, reason: reason, clawbackReason: clawReason)
    }
}

/// A refund recorded on a sale: by its own id, a cumulative total (`ch_…#amount`) or a lost
/// dispute (`dispute:ID`).
public struct LedgerRefund: Hashable, Sendable {
    public var key: String
    /// The sale's refunded amount it records (for a cumulative total: the total).
    public var sale: Money
    /// The commission it took back (from the entry, or as a clawback).
    public var commission: Money
    public var cumulative: Bool
    public var reason: LedgerReason?
    public var at: Instant
}

/// A dispute of a sale, at its latest status.
public struct LedgerDispute: Hashable, Sendable {
    public var id: String
    public var status: DisputeStatus
    public var at: Instant
}

/// A negative entry taking back what a refund or a lost dispute found already in a payout.
public struct LedgerClawback: Hashable, Sendable {
    public var id: Int64
    /// Negative.
    public var amount: Money
    public var state: CommissionState
    public var payoutID: Int64?
    public var at: Instant
}

extension Store {
    /// The ledger of these conversions, by conversion id (those never credited are absent).
    public func conversionLedgers(_ conversionIDs: [Int64]) throws -> [Int64: ConversionLedger] {
        let now = clock.now()
        return try read { db in try conversionLedgers(db, conversionIDs, now: now) }
    }

    func conversionLedgers(_ db: Database, _ conversionIDs: [Int64], now: Instant) throws -> [Int64: ConversionLedger] {
        var out: [Int64: ConversionLedger] = [:]
        var chunk = ArraySlice(conversionIDs)
        while !chunk.isEmpty {
            let ids = Array(chunk.prefix(500))
            chunk = chunk.dropFirst(500)
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let args = StatementArguments(ids)
            // By kind: each kind's index is partial (`commission_conversion`, `commission_clawbacks`).
            let entries = try ["commission", "clawback"].flatMap { kind in
                try Row.fetchAll(db, sql: """
                    SELECT \(Store.entryColumns), c.original_minor, c.conversion_id, c.earned_at FROM commission c
                    WHERE c.kind = '\(kind)' AND c.conversion_id IN (\(marks)) ORDER BY c.id
                    """, arguments: args)
            }
            for r in entries {
                let e = Store.entry(r).current(at: now)
                let cid: Int64 = r["conversion_id"]
                if e.kind == .clawback {
                    out[cid]?.clawbacks.append(LedgerClawback(id: e.id, amount: e.amount, state: e.state, payoutID: e.payoutID,
                                                              at: Instant(seconds: r["earned_at"])))
                } else {
                    out[cid] = ConversionLedger(conversionID: cid, state: e.state, reason: e.reason, amount: e.amount,
                                                original: Money(minor: r["original_minor"], currency: e.amount.currency), payoutID: e.payoutID)
                }
            }
            try refunds(db, marks, args, into: &out)
        }
        return out
    }

    private func refunds(_ db: Database, _ marks: String, _ args: StatementArguments, into out: inout [Int64: ConversionLedger]) throws {
        for r in try Row.fetchAll(db, sql: """
            SELECT conversion_id, refund_key, cumulative, sale_minor, currency, commission_minor, reason, at FROM refund
            WHERE conversion_id IN (\(marks)) ORDER BY at, id
            """, arguments: args) {
            let cur = Currency(validated: r["currency"])
            let cid: Int64 = r["conversion_id"]
            guard out[cid] != nil else { continue }
            out[cid]!.refunds.append(LedgerRefund(key: r["refund_key"], sale: Money(minor: r["sale_minor"], currency: cur),
                                                  commission: Money(minor: r["commission_minor"], currency: out[cid]!.amount.currency),
                                                  cumulative: r["cumulative"], reason: (r["reason"] as String?).flatMap(LedgerReason.init(rawValue:)),
                                                  at: Instant(seconds: r["at"])))
        }
        for r in try Row.fetchAll(db, sql: """
            SELECT conversion_id, dispute_id, status, at FROM dispute WHERE conversion_id IN (\(marks)) ORDER BY at, id
            """, arguments: args) {
            let cid: Int64 = r["conversion_id"]
            guard out[cid] != nil, let st = DisputeStatus(rawValue: r["status"]) else { continue }
            out[cid]!.disputes.append(LedgerDispute(id: r["dispute_id"], status: st, at: Instant(seconds: r["at"])))
        }
    }
}
