/// The ledger's migration ("v8-ledger"), kept beside the ledger's store code; `Schema.migrations`
/// lists it. Never changed once released.
///
/// - `commission`: one entry per credited conversion (`kind` commission), plus negative entries
///   (`kind` clawback) taking back what a refund or a lost dispute found already in a payout.
///   `state` is the stored state; a `pending` entry whose `approves_at` has passed is read as
///   approved (or on hold `approval_required` with `needs_approval`); a write settles the entries
///   it changes (`Store.settleSale`, `Store.settled`), a payout run every one (`Store.settleLedger`). `original_minor` is the commission when credited; refunds
///   are proportioned on it. `payout_id` is the payout it is in (open or paid), NULL when none.
/// - `refund`: each refund recorded per sale, keyed by its own id, a cumulative total
///   (`ch_...#amount`, `cumulative` 1) or a lost dispute (`dispute:ID`); `commission_minor` is
///   the part of the commission it took back.
/// - `dispute`: each dispute's latest status per sale.
/// - `payout` and `payout_line`: payout batches and the entries each one took (a canceled
///   payout keeps its lines; its entries are free again).
/// - `program.holding_days` (30) and `program.approval_above_*` (none).
///
/// Backfill: every conversion already credited becomes a commission in the state its date gives
/// it — `pending` with `approves_at` = its time + 30 days, which reads as approved once that has
/// passed (no clock is read by a migration). Nothing is lost: its amount is the conversion's
/// commission.
enum LedgerSchema {
    static let v8 = """
        ALTER TABLE program ADD COLUMN holding_days INTEGER NOT NULL DEFAULT 30 CHECK (holding_days >= 0);
        ALTER TABLE program ADD COLUMN approval_above_minor INTEGER CHECK (approval_above_minor IS NULL OR approval_above_minor >= 0);
        ALTER TABLE program ADD COLUMN approval_above_currency TEXT;
        CREATE TABLE payout (
          id INTEGER PRIMARY KEY,
          affiliate_id INTEGER NOT NULL REFERENCES affiliate(id),
          amount_minor INTEGER NOT NULL,
          currency TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state = 'open' OR state = 'paid' OR state = 'canceled'),
          through INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          paid_at INTEGER,
          canceled_at INTEGER,
          reference TEXT
        );
        CREATE INDEX payout_affiliate ON payout(affiliate_id, id);
        CREATE TABLE commission (
          id INTEGER PRIMARY KEY,
          kind TEXT NOT NULL CHECK (kind = 'commission' OR kind = 'clawback'),
          conversion_id INTEGER NOT NULL REFERENCES conversion(id),
          affiliate_id INTEGER NOT NULL REFERENCES affiliate(id),
          amount_minor INTEGER NOT NULL,
          original_minor INTEGER NOT NULL,
          currency TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state = 'pending' OR state = 'approved' OR state = 'paid' OR state = 'voided'
                                     OR state = 'on_hold'),
          reason TEXT,
          approves_at INTEGER NOT NULL,
          needs_approval INTEGER NOT NULL DEFAULT 0,
          payout_id INTEGER REFERENCES payout(id),
          before_dispute TEXT,
          reason_before_dispute TEXT,
          earned_at INTEGER NOT NULL,
          CHECK ((kind = 'commission') = (amount_minor >= 0))
        );
        CREATE UNIQUE INDEX commission_conversion ON commission(conversion_id) WHERE kind = 'commission';
        CREATE INDEX commission_clawbacks ON commission(conversion_id) WHERE kind = 'clawback';
        CREATE INDEX commission_state ON commission(state, approves_at);
        CREATE INDEX commission_affiliate ON commission(affiliate_id, state, earned_at);
        CREATE INDEX commission_payout ON commission(payout_id) WHERE payout_id IS NOT NULL;
        CREATE TABLE payout_line (
          payout_id INTEGER NOT NULL REFERENCES payout(id),
          commission_id INTEGER NOT NULL REFERENCES commission(id),
          amount_minor INTEGER NOT NULL,
          PRIMARY KEY (payout_id, commission_id)
        ) WITHOUT ROWID;
        CREATE INDEX payout_line_commission ON payout_line(commission_id);
        CREATE TABLE refund (
          id INTEGER PRIMARY KEY,
          conversion_id INTEGER NOT NULL REFERENCES conversion(id),
          refund_key TEXT NOT NULL,
          cumulative INTEGER NOT NULL DEFAULT 0,
          sale_minor INTEGER NOT NULL CHECK (sale_minor >= 0),
          currency TEXT NOT NULL,
          commission_minor INTEGER NOT NULL CHECK (commission_minor >= 0),
          reason TEXT NOT NULL,
          at INTEGER NOT NULL,
          UNIQUE (conversion_id, refund_key)
        );
        CREATE TABLE dispute (
          id INTEGER PRIMARY KEY,
          conversion_id INTEGER NOT NULL REFERENCES conversion(id),
          dispute_id TEXT NOT NULL,
          status TEXT NOT NULL CHECK (status = 'opened' OR status = 'won' OR status = 'lost'),
          at INTEGER NOT NULL,
          UNIQUE (conversion_id, dispute_id)
        );
        INSERT INTO commission (kind, conversion_id, affiliate_id, amount_minor, original_minor, currency, state, approves_at,
                                earned_at)
          SELECT 'commission', id, affiliate_id, max(commission_minor, 0), max(commission_minor, 0), commission_currency, 'pending',
                 CASE WHEN at > 9223372036854775807 - 2592000 THEN 9223372036854775807 ELSE at + 2592000 END, at
          FROM conversion ORDER BY id;
        """
}
