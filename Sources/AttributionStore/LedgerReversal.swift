import AttributionCore
import GRDB

/// A refund that failed or was canceled, reversed by the core's rule (`Refunds.reverse`) on what
/// the `refund` table recorded of it: the commission given back, or its clawback voided, the
/// refund marked reversed and the cumulative totals that counted it lowered — in the caller's
/// transaction. A retry changes nothing.
extension Store {
    func applyReversal(_ db: Database, sale: Sale, refundID: String, at: Instant) throws -> Result<LedgerEffect, LedgerRefusal> {
        let now = clock.now()
        let row = try Row.fetchOne(db, sql: """
            SELECT id, sale_minor, commission_minor, clawback_id, state_before, reason_before, needs_approval_before, reversed_at
            FROM refund WHERE conversion_id = ? AND refund_key = ? AND cumulative = 0
            """, arguments: [sale.conversionID, refundID])
        var recorded: RecordedRefund?
        var totalWithout = sale.history.total
        if let row {
            let saleMinor: Int64 = row["sale_minor"], rowID: Int64 = row["id"]
            recorded = RecordedRefund(saleMinor: saleMinor, commissionMinor: row["commission_minor"],
                                      clawback: try (row["clawback_id"] as Int64?).flatMap { try loadEntry(db, id: $0) },
                                      stateBefore: (row["state_before"] as String?).flatMap(CommissionState.init(rawValue:)),
                                      reasonBefore: (row["reason_before"] as String?).flatMap(LedgerReason.init(rawValue:)),
                                      needsApprovalBefore: row["needs_approval_before"], reversed: (row["reversed_at"] as Int64?) != nil)
            totalWithout = try self.totalWithout(db, sale: sale, refundRow: rowID, saleMinor: saleMinor, key: refundID)
            // Voided by another refund still in force (the rest of the sale): where that one found the commission.
            if recorded?.stateBefore == nil, let v = try Row.fetchOne(db, sql: """
                SELECT state_before, reason_before, needs_approval_before FROM refund
                WHERE conversion_id = ? AND state_before IS NOT NULL AND reversed_at IS NULL ORDER BY id DESC LIMIT 1
                """, arguments: [sale.conversionID]) {
                recorded?.stateBefore = (v[0] as String?).flatMap(CommissionState.init(rawValue:))
                recorded?.reasonBefore = (v[1] as String?).flatMap(LedgerReason.init(rawValue:))
                recorded?.needsApprovalBefore = v[2]
            }
        }
        let result = Refunds.reverse(recorded, sale: sale.amount, original: sale.original, history: sale.history,
                                     totalWithout: totalWithout, entry: sale.entry, now: now)
        let fx: ReversalEffect
        switch result {
        case .failure(let f): return .failure(f)
        case .success(let x): fx = x
        }
        if fx.entry != sale.entry { try saveEntry(db, fx.entry) }
        if let c = fx.clawback { try saveEntry(db, c) }
        if fx.record, let row {
            let rowID: Int64 = row["id"], saleMinor: Int64 = row["sale_minor"]
            try db.execute(sql: "UPDATE refund SET reversed_at = ?, restored_minor = ? WHERE id = ?", arguments: [at.seconds, fx.restored, rowID])
            try db.execute(sql: """
                UPDATE refund SET lowered_minor = min(sale_minor, lowered_minor + ?)
                WHERE conversion_id = ? AND cumulative = 1 AND id > ?
                """, arguments: [saleMinor, sale.conversionID, rowID])
        } else if fx.record {
            try db.execute(sql: """
                INSERT INTO refund (conversion_id, refund_key, cumulative, sale_minor, currency, commission_minor, reason, at, reversed_at)
                VALUES (?,?,0,0,?,0,?,?,?)
                """, arguments: [sale.conversionID, refundID, sale.amount.currency.code, LedgerReason.refundReversed.rawValue,
                                 at.seconds, at.seconds])
        }
        return .success(LedgerEffect(entry: fx.entry, clawback: nil, record: nil, reduction: -fx.restored, note: fx.note))
    }

    /// The sale's refunded total without this refund: the other refunds by id, and each cumulative
    /// total in force, lowered by this refund's amount when it was recorded after it (so counted it).
    private func totalWithout(_ db: Database, sale: Sale, refundRow: Int64, saleMinor: Int64, key: String) throws -> Int64 {
        var byID = sale.history.byID
        byID[key] = nil
        var cumulative: Int64 = 0
        for r in try Row.fetchAll(db, sql: "SELECT id, sale_minor, lowered_minor FROM refund WHERE conversion_id = ? AND cumulative = 1",
                                  arguments: [sale.conversionID]) {
            let counted: Int64 = (r["id"] as Int64) > refundRow ? saleMinor : 0
            cumulative = max(cumulative, max(0, (r["sale_minor"] as Int64) - (r["lowered_minor"] as Int64) - counted))
        }
        return max(byID.values.saturatingSum(), cumulative)
    }
}
