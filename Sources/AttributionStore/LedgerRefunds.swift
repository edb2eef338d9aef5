import AttributionCore
import GRDB

/// Refunds and disputes of a credited sale, applied to its commission by the core's rules
/// (`Refunds.apply`, `Disputes.apply`): the entry's new state and amount, a clawback entry when
/// the commission was already in a payout, and the refund or dispute record that makes a retry
/// change nothing — all in the caller's transaction.
extension Store {
    struct Sale {
        var conversionID: Int64
        var amount: Money
        var original: Money
        var entry: LedgerEntry
        var history: RefundHistory
    }

    func loadSale(_ db: Database, externalID: String) throws -> Sale? {
        guard let v = try Row.fetchOne(db, sql: "SELECT id, amount_minor, currency FROM conversion WHERE external_id = ?", arguments: [externalID]),
              let r = try Row.fetchOne(db, sql: "SELECT \(Store.entryColumns), c.original_minor FROM commission c WHERE c.conversion_id = ? AND c.kind = 'commission'",
                                      arguments: [v["id"] as Int64])
        else { return nil }
        var history = RefundHistory()
        var inForce: Int64 = 0
        for h in try Row.fetchAll(db, sql: "SELECT refund_key, sale_minor, cumulative, lowered_minor, reversed_at FROM refund WHERE conversion_id = ?",
                                  arguments: [v["id"] as Int64]) {
            if h["cumulative"] as Bool {
                history.cumulative = max(history.cumulative, h["sale_minor"])
                inForce = max(inForce, (h["sale_minor"] as Int64) - (h["lowered_minor"] as Int64))
            } else if (h["reversed_at"] as Int64?) != nil {
                history.reversed.insert(h["refund_key"])
            } else {
                history.byID[h["refund_key"]] = h["sale_minor"]
            }
        }
        if inForce != history.cumulative { history.cumulativeInForce = inForce }
        let entry = Store.entry(r)
        return Sale(conversionID: v["id"], amount: Money(minor: v["amount_minor"], currency: Currency(validated: v["currency"])),
                    original: Money(minor: r["original_minor"], currency: entry.amount.currency), entry: entry, history: history)
    }

    /// A refund of the sale with this external id, at `at`.
    func applyRefund(_ db: Database, externalID: String, _ request: RefundRequest, at: Instant) throws -> Result<LedgerEffect, LedgerRefusal> {
        let now = clock.now()
        try settleSale(db, externalID: externalID, now: now)
        guard let sale = try loadSale(db, externalID: externalID) else { return .failure(LedgerReason.unknownSale.refusal(externalID)) }
        if case .reversed = request.amount { return try applyReversal(db, sale: sale, refundID: request.refundID, at: at) }
        let result = Refunds.apply(request, sale: sale.amount, original: sale.original, history: sale.history, entry: sale.entry, now: now)
        if case .success(let fx) = result { try write(fx, sale: sale, reason: .refunded, at: at, db) }
        return result
    }

    /// A dispute of the sale with this external id, at `at`.
    func applyDispute(_ db: Database, externalID: String, disputeID: String, _ status: DisputeStatus, at: Instant) throws -> Result<LedgerEffect, LedgerRefusal> {
        let now = clock.now()
        try settleSale(db, externalID: externalID, now: now)
        guard let sale = try loadSale(db, externalID: externalID) else { return .failure(LedgerReason.unknownSale.refusal(externalID)) }
        let recorded = try String.fetchOne(db, sql: "SELECT status FROM dispute WHERE conversion_id = ? AND dispute_id = ?",
                                           arguments: [sale.conversionID, disputeID]).flatMap(DisputeStatus.init(rawValue:))
        let result = Disputes.apply(status, disputeID: disputeID, recorded: recorded, sale: sale.amount, original: sale.original,
                                    history: sale.history, entry: sale.entry, now: now)
        if case .success(let fx) = result, fx.note != .disputeAlreadyRecorded {
            try write(fx, sale: sale, reason: .disputed, at: at, db)
            try db.execute(sql: """
                INSERT INTO dispute (conversion_id, dispute_id, status, at) VALUES (?,?,?,?)
                  ON CONFLICT (conversion_id, dispute_id) DO UPDATE SET status = excluded.status, at = excluded.at
                """, arguments: [sale.conversionID, disputeID, status.rawValue, at.seconds])
        }
        return result
    }

    private func write(_ fx: LedgerEffect, sale: Sale, reason: LedgerReason, at: Instant, _ db: Database) throws {
        if fx.entry != sale.entry { try saveEntry(db, fx.entry) }
        var clawbackID: Int64?
        if let claw = fx.clawback {
            try db.execute(sql: """
                INSERT INTO commission (kind, conversion_id, affiliate_id, amount_minor, original_minor, currency, state, approves_at, earned_at)
                VALUES ('clawback', ?, ?, ?, ?, ?, 'approved', ?, ?)
                """, arguments: [sale.conversionID, fx.entry.affiliateID, claw.minor, claw.minor, claw.currency.code, at.seconds, at.seconds])
            clawbackID = db.lastInsertedRowID
        }
        if let r = fx.record {
            // Where the commission stood, when this refund voided it: a reversal returns it there.
            let voidedNow = fx.entry.state == .voided && sale.entry.state != .voided
            try db.execute(sql: """
                INSERT INTO refund (conversion_id, refund_key, cumulative, sale_minor, currency, commission_minor, reason, at,
                                    clawback_id, state_before, reason_before, needs_approval_before)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                """, arguments: [sale.conversionID, r.key, r.cumulative, r.saleMinor, sale.amount.currency.code, fx.reduction,
                                 reason.rawValue, at.seconds, clawbackID, voidedNow ? sale.entry.state.rawValue : nil,
                                 voidedNow ? sale.entry.reason?.rawValue : nil, voidedNow && sale.entry.needsApproval])
        }
    }

    /// A refund entered by an admin (or a test): its own transaction, audited when it changed something.
    public func recordRefund(externalID: String, _ request: RefundRequest, at: Instant, who: String) throws -> Result<LedgerEffect, LedgerRefusal> {
        try write { db in
            let r = try self.applyRefund(db, externalID: externalID, request, at: at)
            if case .success(let fx) = r, fx.record != nil {
                try self.audit(db, who: who, action: "refund", target: externalID, before: nil,
                               after: "\(request.refundID): commission -\(Money(minor: fx.reduction, currency: fx.entry.amount.currency))"
                                   + (fx.clawback.map { " clawback \($0)" } ?? ""), detail: nil)
            }
            return r
        }
    }

    /// A dispute status entered by an admin (or a test): its own transaction, audited when it changed something.
    public func recordDispute(externalID: String, disputeID: String, _ status: DisputeStatus, at: Instant,
                              who: String) throws -> Result<LedgerEffect, LedgerRefusal> {
        try write { db in
            let r = try self.applyDispute(db, externalID: externalID, disputeID: disputeID, status, at: at)
            if case .success(let fx) = r, fx.note != .disputeAlreadyRecorded {
                try self.audit(db, who: who, action: "dispute.\(status.rawValue)", target: externalID, before: nil,
                               after: "\(disputeID): \(Store.describe(fx.entry))" + (fx.clawback.map { " clawback \($0)" } ?? ""), detail: nil)
            }
            return r
        }
    }
}
