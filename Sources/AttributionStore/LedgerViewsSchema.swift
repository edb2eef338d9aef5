/// The ledger views' migration ("v14-ledger-views"), kept beside the ledger's store code;
/// `Schema.migrations` lists it. Never changed once released.
///
/// - `affiliate_ledger_month`: per affiliate, month (UTC, of `earned_at`), currency and bucket,
///   the number of entries and their amount. The bucket is the stored state of a commission
///   (`pending`, `approved`, `paid`, `voided`, `on_hold`), `review` for a pending one that waits
///   for an admin's approval after its hold (`needs_approval`), and `clawback` for every clawback
///   entry whatever its state. It is kept by triggers on `commission`, in the transaction that
///   writes the entry, whichever writer it is (the ingest, refunds and disputes, admin actions,
///   payout runs, the settling of due entries), so it can never drift from the ledger.
/// - `commission_affiliate_pending`: the stored pending entries of an affiliate by `approves_at`.
///   A pending entry past its date reads as approved (or on hold, `review`): the Earnings split
///   reads the few still inside their hold from this index (a bounded range: the last holding
///   period's) and moves the rest of the stored pending amount to approved.
///
/// Backfill: every entry already in the ledger, summed the same way. Sums never fail: the
/// backfill adds with `TOTAL` (stored back as an integer when exact) and the triggers' `+` turns
/// into a real number past Int64 rather than raising; readers clamp (`Store.clampedSum`).
enum LedgerViewsSchema {
    /// The bucket of a commission row (`NEW` or `OLD` in the triggers, the table in the backfill).
    static func bucket(_ r: String) -> String {
        "CASE WHEN \(r)kind = 'clawback' THEN 'clawback' WHEN \(r)state = 'pending' AND \(r)needs_approval THEN 'review' ELSE \(r)state END"
    }

    static func month(_ r: String) -> String { "COALESCE(strftime('%Y-%m', \(r)earned_at, 'unixepoch'), '?')" }

    static func add(_ r: String) -> String {
        """
        INSERT INTO affiliate_ledger_month (affiliate_id, month, currency, bucket, entries, amount_minor)
            VALUES (\(r)affiliate_id, \(month(r)), \(r)currency, \(bucket(r)), 1, \(r)amount_minor)
            ON CONFLICT (affiliate_id, month, currency, bucket) DO UPDATE SET entries = entries + 1,
              amount_minor = amount_minor + excluded.amount_minor;
        """
    }

    static func remove(_ r: String) -> String {
        """
        UPDATE affiliate_ledger_month SET entries = entries - 1, amount_minor = amount_minor - \(r)amount_minor
            WHERE affiliate_id = \(r)affiliate_id AND month = \(month(r)) AND currency = \(r)currency AND bucket = \(bucket(r));
        """
    }

    static let v14 = """
        CREATE TABLE affiliate_ledger_month (
          affiliate_id INTEGER NOT NULL REFERENCES affiliate(id),
          month TEXT NOT NULL,
          currency TEXT NOT NULL,
          bucket TEXT NOT NULL,
          entries INTEGER NOT NULL,
          amount_minor INTEGER NOT NULL,
          PRIMARY KEY (affiliate_id, month, currency, bucket)
        ) WITHOUT ROWID;
        CREATE INDEX commission_affiliate_pending ON commission(affiliate_id, approves_at) WHERE state = 'pending';
        INSERT INTO affiliate_ledger_month (affiliate_id, month, currency, bucket, entries, amount_minor)
          SELECT affiliate_id, \(month("")), currency, \(bucket("")), COUNT(*), TOTAL(amount_minor)
          FROM commission GROUP BY 1, 2, 3, 4;
        CREATE TRIGGER affiliate_ledger_month_insert AFTER INSERT ON commission BEGIN
          \(add("NEW."))
        END;
        CREATE TRIGGER affiliate_ledger_month_update
          AFTER UPDATE OF affiliate_id, kind, amount_minor, currency, state, needs_approval, earned_at ON commission
          WHEN OLD.affiliate_id IS NOT NEW.affiliate_id OR OLD.kind IS NOT NEW.kind OR OLD.amount_minor IS NOT NEW.amount_minor
            OR OLD.currency IS NOT NEW.currency OR OLD.state IS NOT NEW.state OR OLD.needs_approval IS NOT NEW.needs_approval
            OR OLD.earned_at IS NOT NEW.earned_at
        BEGIN
          \(remove("OLD."))
          \(add("NEW."))
        END;
        CREATE TRIGGER affiliate_ledger_month_delete AFTER DELETE ON commission BEGIN
          \(remove("OLD."))
        END;
        """
}
