/// The Commissions tab's pending totals at any size ("v18-commission-pending-days"), kept beside
/// the ledger's store code; `Schema.migrations` lists it. Never changed once released.
///
/// - `commission_pending_day`: the stored `pending` entries per UTC day of their `approves_at`
///   (days since 1970, rounded down), `needs_approval` and currency: their number and amount.
///   Kept by triggers on `commission` in the transaction that writes the entry, whoever writes it
///   (the ingest, refunds, disputes, admin actions, payout runs, the settling of due entries): one
///   UPSERT when a pending entry is inserted, nothing for any other insert. The entries still
///   inside their hold at `now` are the days after today's (a few dozen rows: the holding period's)
///   plus the part of today's whose `approves_at` is still ahead (a range of
///   `commission_pending_hold`, one day's volume), so the totals never read the holding period's
///   entries one by one. Rows of past days stay (at zero once settled): one per day and currency.
///
/// Backfill: summed once from the stored pending entries (one pass over `commission_pending_hold`).
enum CommissionPendingDaySchema {
    static let secondsPerDay: Int64 = 86_400

    /// The UTC day (rounded down, also before 1970) of a time column or expression.
    static func day(_ at: String) -> String {
        "(CASE WHEN \(at) >= 0 THEN \(at) / 86400 ELSE -((-1 - \(at)) / 86400) - 1 END)"
    }

    /// The same day in Swift (rounded down), for the readers' ranges.
    static func day(of seconds: Int64) -> Int64 {
        seconds >= 0 ? seconds / secondsPerDay : -((-1 - seconds) / secondsPerDay) - 1
    }

    static func add(_ r: String) -> String {
        """
        INSERT INTO commission_pending_day (day, needs_approval, currency, entries, amount_minor)
            VALUES (\(day(r + "approves_at")), \(r)needs_approval, \(r)currency, 1, \(r)amount_minor)
            ON CONFLICT (day, needs_approval, currency) DO UPDATE SET entries = entries + 1,
              amount_minor = amount_minor + excluded.amount_minor;
        """
    }

    /// `when`: a further condition on the row (the update's old row counts only when it was pending).
    static func remove(_ r: String, when: String = "1") -> String {
        """
        UPDATE commission_pending_day SET entries = entries - 1, amount_minor = amount_minor - \(r)amount_minor
            WHERE day = \(day(r + "approves_at")) AND needs_approval = \(r)needs_approval AND currency = \(r)currency AND \(when);
        """
    }

    static let v18 = """
        CREATE TABLE commission_pending_day (
          day INTEGER NOT NULL,
          needs_approval INTEGER NOT NULL,
          currency TEXT NOT NULL,
          entries INTEGER NOT NULL,
          amount_minor INTEGER NOT NULL,
          PRIMARY KEY (day, needs_approval, currency)
        ) WITHOUT ROWID;
        INSERT INTO commission_pending_day (day, needs_approval, currency, entries, amount_minor)
          SELECT \(day("approves_at")), needs_approval, currency, COUNT(*), TOTAL(amount_minor)
          FROM commission INDEXED BY commission_pending_hold WHERE state = 'pending' GROUP BY 1, 2, 3;
        CREATE TRIGGER commission_pending_day_insert AFTER INSERT ON commission WHEN NEW.state = 'pending' BEGIN
          \(add("NEW."))
        END;
        CREATE TRIGGER commission_pending_day_update
          AFTER UPDATE OF state, approves_at, needs_approval, currency, amount_minor ON commission
          WHEN (OLD.state = 'pending' OR NEW.state = 'pending')
            AND (OLD.state IS NOT NEW.state OR OLD.approves_at IS NOT NEW.approves_at OR OLD.needs_approval IS NOT NEW.needs_approval
                 OR OLD.currency IS NOT NEW.currency OR OLD.amount_minor IS NOT NEW.amount_minor)
        BEGIN
          \(remove("OLD.", when: "OLD.state = 'pending'"))
          INSERT INTO commission_pending_day (day, needs_approval, currency, entries, amount_minor)
            SELECT \(day("NEW.approves_at")), NEW.needs_approval, NEW.currency, 1, NEW.amount_minor WHERE NEW.state = 'pending'
            ON CONFLICT (day, needs_approval, currency) DO UPDATE SET entries = entries + 1,
              amount_minor = amount_minor + excluded.amount_minor;
        END;
        CREATE TRIGGER commission_pending_day_delete AFTER DELETE ON commission WHEN OLD.state = 'pending' BEGIN
          \(remove("OLD."))
        END;
        """
}
