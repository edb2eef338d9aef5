/// The admin's ledger screens' migration ("v13-ledger-admin"), kept beside the ledger's store
/// code; `Schema.migrations` lists it. Never changed once released.
///
/// - `commission_total`: the ledger's maintained totals per kind, stored state, `needs_approval`
///   and currency (amount and count), kept by triggers on `commission` in the same transaction
///   as every write of it, whoever writes (the ingest, refunds, disputes, admin actions, payout
///   runs, the settling of due entries). The Commissions tab's totals read these rows plus the
///   entries still inside their hold (a range of `commission_state`), never the whole table.
/// - Indexes for the Commissions list's keyset pages: per stored state in id order and by
///   amount, the whole ledger by amount, the clawbacks (partial), every entry of a conversion
///   (the filter's matches, clawbacks included), and the stored pending entries (partial) per
///   `needs_approval` in id and amount order (those past their date are read as approved or on
///   hold) and by `approves_at` covering what the totals of the entries inside their hold read.
///
/// Backfill: the totals are summed once from the entries already there.
enum LedgerAdminSchema {
    static let v13 = """
        CREATE TABLE commission_total (
          kind TEXT NOT NULL,
          state TEXT NOT NULL,
          needs_approval INTEGER NOT NULL,
          currency TEXT NOT NULL,
          amount_minor INTEGER NOT NULL DEFAULT 0,
          entries INTEGER NOT NULL DEFAULT 0,
          PRIMARY KEY (kind, state, needs_approval, currency)
        ) WITHOUT ROWID;
        INSERT INTO commission_total (kind, state, needs_approval, currency, amount_minor, entries)
          SELECT kind, state, needs_approval, currency, TOTAL(amount_minor), COUNT(*) FROM commission GROUP BY 1, 2, 3, 4;
        CREATE TRIGGER commission_total_insert AFTER INSERT ON commission BEGIN
          INSERT INTO commission_total (kind, state, needs_approval, currency, amount_minor, entries)
            VALUES (NEW.kind, NEW.state, NEW.needs_approval, NEW.currency, NEW.amount_minor, 1)
            ON CONFLICT (kind, state, needs_approval, currency)
            DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor, entries = entries + 1;
        END;
        CREATE TRIGGER commission_total_delete AFTER DELETE ON commission BEGIN
          UPDATE commission_total SET amount_minor = amount_minor - OLD.amount_minor, entries = entries - 1
            WHERE kind = OLD.kind AND state = OLD.state AND needs_approval = OLD.needs_approval AND currency = OLD.currency;
        END;
        CREATE TRIGGER commission_total_update AFTER UPDATE OF kind, state, needs_approval, currency, amount_minor ON commission
        WHEN OLD.kind IS NOT NEW.kind OR OLD.state IS NOT NEW.state OR OLD.needs_approval IS NOT NEW.needs_approval
             OR OLD.currency IS NOT NEW.currency OR OLD.amount_minor IS NOT NEW.amount_minor
        BEGIN
          UPDATE commission_total SET amount_minor = amount_minor - OLD.amount_minor, entries = entries - 1
            WHERE kind = OLD.kind AND state = OLD.state AND needs_approval = OLD.needs_approval AND currency = OLD.currency;
          INSERT INTO commission_total (kind, state, needs_approval, currency, amount_minor, entries)
            VALUES (NEW.kind, NEW.state, NEW.needs_approval, NEW.currency, NEW.amount_minor, 1)
            ON CONFLICT (kind, state, needs_approval, currency)
            DO UPDATE SET amount_minor = amount_minor + excluded.amount_minor, entries = entries + 1;
        END;
        CREATE INDEX commission_state_order ON commission(state);
        CREATE INDEX commission_state_amount ON commission(state, amount_minor);
        CREATE INDEX commission_amount ON commission(amount_minor);
        CREATE INDEX commission_clawback_order ON commission(kind) WHERE kind = 'clawback';
        CREATE INDEX commission_clawback_amount ON commission(kind, amount_minor) WHERE kind = 'clawback';
        CREATE INDEX commission_conversion_entries ON commission(conversion_id);
        CREATE INDEX commission_pending_order ON commission(needs_approval) WHERE state = 'pending';
        CREATE INDEX commission_pending_amount ON commission(needs_approval, amount_minor) WHERE state = 'pending';
        CREATE INDEX commission_pending_hold ON commission(approves_at, needs_approval, currency, amount_minor, state) WHERE state = 'pending';
        """
}
