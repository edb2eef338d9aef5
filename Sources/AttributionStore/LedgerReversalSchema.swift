/// The migration "v17-ledger-gaps", kept beside the ledger's store code; `Schema.migrations`
/// lists it. Never changed once released.
///
/// A refund that fails or is canceled is reversed (`Refunds.reverse`), which needs to know what
/// each refund did. `refund` gains:
/// - `reversed_at`: when it was reversed (NULL: in force); `restored_minor`: the commission its
///   reversal gave back. A refund reversed before affdesk saw
///   it is a row with `sale_minor` 0 and `reversed_at` set, so its late `refund.created` is not applied.
/// - `lowered_minor`: on a cumulative total (`ch_...#amount`), the reversed refunds it counted
///   (recorded before it); the total in force is `sale_minor - lowered_minor`.
/// - `clawback_id`: the clawback the refund added, when the commission was already in a payout.
/// - `state_before`, `reason_before`, `needs_approval_before`: where the commission stood when
///   this refund voided it (NULL: it did not void it).
///
/// Backfill: each refund that took something back is linked to the clawback written with it (same
/// sale, amount and time), so a reversal voids that clawback. A commission voided by a refund
/// before this migration has no `state_before`: if that refund is reversed, the commission goes
/// on hold `admin_hold` for an admin to decide.
enum LedgerReversalSchema {
    static let v17 = """
        ALTER TABLE refund ADD COLUMN reversed_at INTEGER;
        ALTER TABLE refund ADD COLUMN restored_minor INTEGER NOT NULL DEFAULT 0 CHECK (restored_minor >= 0);
        ALTER TABLE refund ADD COLUMN lowered_minor INTEGER NOT NULL DEFAULT 0 CHECK (lowered_minor >= 0);
        ALTER TABLE refund ADD COLUMN clawback_id INTEGER REFERENCES commission(id);
        ALTER TABLE refund ADD COLUMN state_before TEXT;
        ALTER TABLE refund ADD COLUMN reason_before TEXT;
        ALTER TABLE refund ADD COLUMN needs_approval_before INTEGER NOT NULL DEFAULT 0;
        UPDATE refund SET clawback_id = (
            SELECT c.id FROM commission c
            WHERE c.kind = 'clawback' AND c.conversion_id = refund.conversion_id AND c.original_minor = -refund.commission_minor
              AND c.earned_at = refund.at
              AND NOT EXISTS (SELECT 1 FROM refund o WHERE o.clawback_id = c.id)
            ORDER BY c.id LIMIT 1)
          WHERE commission_minor > 0
            AND EXISTS (SELECT 1 FROM commission c WHERE c.kind = 'clawback' AND c.conversion_id = refund.conversion_id);
        """
}
