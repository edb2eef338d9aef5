import GRDB

/// The schema, as numbered migrations. `Schema.version` is written to `PRAGMA user_version`; a
/// database whose version is newer than this build knows is refused rather than touched.
enum Schema {
    static let version = 21

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        for (id, sql) in migrations {
            m.registerMigration(id, foreignKeyChecks: checkedAsTheyRun.contains(id) ? .immediate : .deferred) { db in try db.execute(sql: sql) }
        }
        return m
    }

    /// Migrations that alter no table a foreign key names: their foreign keys are checked as they
    /// run, not by a `PRAGMA foreign_key_check` of the whole database after them (GRDB's deferred
    /// check read all of a 1M program, about 45 s, for a migration that adds a column to a one-row table).
    static let checkedAsTheyRun: Set<String> = ["v24-cap-months-kept", "v25-ref-times"]

    /// The migrations in order, each an SQL script (a table of data). A migration once released is
    /// never changed: a new one is added at the end.
    static let migrations: [(id: String, sql: String)] = [
        ("v1", """
            CREATE TABLE program (
              id INTEGER PRIMARY KEY CHECK (id = 1),
              name TEXT NOT NULL,
              model TEXT NOT NULL CHECK (model IN ('saas','leads','generic')),
              recurring INTEGER NOT NULL,
              commission TEXT NOT NULL,
              cap_count INTEGER CHECK (cap_count IS NULL OR cap_count > 0),
              cap_months INTEGER CHECK (cap_months IS NULL OR cap_months > 0),
              cap_amount_minor INTEGER CHECK (cap_amount_minor IS NULL OR cap_amount_minor > 0),
              cap_amount_currency TEXT,
              window_days INTEGER NOT NULL CHECK (window_days > 0),
              currency TEXT NOT NULL,
              metadata_key TEXT NOT NULL DEFAULT 'customer_key',
              tax_excluded INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE affiliate (
              id INTEGER PRIMARY KEY,
              code TEXT NOT NULL UNIQUE,
              name TEXT NOT NULL,
              email TEXT,
              disabled INTEGER NOT NULL DEFAULT 0,
              commission TEXT,
              last_customer_number INTEGER NOT NULL DEFAULT 0,
              created_at INTEGER NOT NULL
            );
            CREATE TABLE click (
              id INTEGER PRIMARY KEY,
              click_id TEXT NOT NULL UNIQUE,
              affiliate_id INTEGER NOT NULL REFERENCES affiliate(id),
              at INTEGER NOT NULL
            );
            CREATE TABLE customer (
              id INTEGER PRIMARY KEY,
              key TEXT NOT NULL UNIQUE,
              email TEXT,
              affiliate_id INTEGER NOT NULL REFERENCES affiliate(id),
              number INTEGER NOT NULL,
              status TEXT NOT NULL CHECK (status IN ('initial','active','capped','ended')),
              click_id TEXT,
              created_at INTEGER NOT NULL,
              last_activity_at INTEGER NOT NULL,
              conversions INTEGER NOT NULL DEFAULT 0,
              commission_minor INTEGER NOT NULL DEFAULT 0,
              commission_currency TEXT,
              first_commission_at INTEGER,
              UNIQUE (affiliate_id, number)
            );
            CREATE INDEX customer_status ON customer(status, id);
            CREATE INDEX customer_activity ON customer(last_activity_at, id);
            CREATE TABLE conversion (
              id INTEGER PRIMARY KEY,
              external_id TEXT NOT NULL UNIQUE,
              customer_id INTEGER REFERENCES customer(id),
              customer_number INTEGER,
              affiliate_id INTEGER NOT NULL REFERENCES affiliate(id),
              amount_minor INTEGER NOT NULL,
              currency TEXT NOT NULL,
              commission_minor INTEGER NOT NULL,
              commission_currency TEXT NOT NULL,
              at INTEGER NOT NULL,
              click_id TEXT,
              manual INTEGER NOT NULL DEFAULT 0
            );
            CREATE INDEX conversion_customer ON conversion(customer_id, at);
            CREATE INDEX conversion_affiliate ON conversion(affiliate_id, at);
            CREATE INDEX conversion_at ON conversion(at, id);
            CREATE TABLE event (
              id INTEGER PRIMARY KEY,
              dedupe TEXT NOT NULL UNIQUE,
              source TEXT NOT NULL,
              type TEXT NOT NULL,
              received_at INTEGER NOT NULL,
              at INTEGER,
              outcome TEXT NOT NULL CHECK (outcome IN ('accepted','rejected')),
              reason TEXT,
              note TEXT,
              detail TEXT,
              file TEXT,
              line INTEGER,
              field TEXT,
              raw TEXT NOT NULL,
              click_ref TEXT,
              customer_key TEXT,
              external_id TEXT,
              affiliate_id INTEGER REFERENCES affiliate(id),
              customer_id INTEGER REFERENCES customer(id),
              conversion_id INTEGER REFERENCES conversion(id)
            );
            CREATE INDEX event_rejected ON event(reason, id) WHERE outcome = 'rejected';
            CREATE INDEX event_customer_key ON event(customer_key) WHERE customer_key IS NOT NULL;
            CREATE INDEX event_external_id ON event(external_id) WHERE external_id IS NOT NULL;
            CREATE INDEX event_click_ref ON event(click_ref) WHERE click_ref IS NOT NULL;
            CREATE TABLE event_ref (
              ref TEXT NOT NULL,
              event_id INTEGER NOT NULL REFERENCES event(id),
              PRIMARY KEY (ref, event_id)
            ) WITHOUT ROWID;
            CREATE TABLE audit (
              id INTEGER PRIMARY KEY,
              at INTEGER NOT NULL,
              who TEXT NOT NULL,
              action TEXT NOT NULL,
              target TEXT,
              before TEXT,
              after TEXT,
              detail TEXT
            );
            """),
        // Affiliates' SSH keys for the read-only view. A removed key keeps its row (and its
        // id, which authorized_keys lines name) with `removed_at` set.
        ("v2-ssh-keys", """
            CREATE TABLE ssh_key (
              id INTEGER PRIMARY KEY,
              affiliate_id INTEGER NOT NULL REFERENCES affiliate(id),
              key_type TEXT NOT NULL,
              key_data TEXT NOT NULL UNIQUE,
              comment TEXT,
              added_at INTEGER NOT NULL,
              removed_at INTEGER
            );
            CREATE INDEX ssh_key_affiliate ON ssh_key(affiliate_id);
            """),
        // Recurring payments: the subscription a conversion belongs to (a Stripe `sub_...`, a
        // WooCommerce `wc-sub-N`) and its 0-based renewal index per (subscription, affiliate).
        // A renewal naming only its subscription is credited as the subscription's history says.
        ("v3-subscriptions", """
            ALTER TABLE conversion ADD COLUMN subscription_id TEXT;
            ALTER TABLE conversion ADD COLUMN renewal_index INTEGER CHECK (renewal_index IS NULL OR renewal_index >= 0);
            CREATE INDEX conversion_subscription ON conversion(subscription_id, affiliate_id) WHERE subscription_id IS NOT NULL;
            """),
        // The affiliate view sums what an affiliate earned per customer number.
        ("v4-affiliate-customer-totals", "CREATE INDEX conversion_affiliate_number ON conversion(affiliate_id, customer_number)"),
        // The same rule, written so SQLite checks it with comparisons: `status IN (four
        // values)` built a temporary B-tree on every customer insert and status update, a
        // third of the cost of writing a customer. SQLite cannot alter a CHECK, so the table
        // is rebuilt (foreign keys are off while migrations run, and the rename keeps the
        // references to `customer`).
        ("v5-customer-status-check", """
            CREATE TABLE customer_v5 (
              id INTEGER PRIMARY KEY,
              key TEXT NOT NULL UNIQUE,
              email TEXT,
              affiliate_id INTEGER NOT NULL REFERENCES affiliate(id),
              number INTEGER NOT NULL,
              status TEXT NOT NULL CHECK (status = 'initial' OR status = 'active' OR status = 'capped' OR status = 'ended'),
              click_id TEXT,
              created_at INTEGER NOT NULL,
              last_activity_at INTEGER NOT NULL,
              conversions INTEGER NOT NULL DEFAULT 0,
              commission_minor INTEGER NOT NULL DEFAULT 0,
              commission_currency TEXT,
              first_commission_at INTEGER,
              UNIQUE (affiliate_id, number)
            );
            INSERT INTO customer_v5 (id, key, email, affiliate_id, number, status, click_id, created_at, last_activity_at,
                                     conversions, commission_minor, commission_currency, first_commission_at)
              SELECT id, key, email, affiliate_id, number, status, click_id, created_at, last_activity_at,
                     conversions, commission_minor, commission_currency, first_commission_at FROM customer;
            DROP TABLE customer;
            ALTER TABLE customer_v5 RENAME TO customer;
            CREATE INDEX customer_status ON customer(status, id);
            CREATE INDEX customer_activity ON customer(last_activity_at, id);
            """),
        // The core event kind each inbox entry was read as (`Event.Kind`'s raw values, listed here
        // as they stand in this release: a migration is never changed), so the store matches on
        // it instead of guessing from the feeds' type strings. NULL for an entry that did not read
        // as an event (invalid, ignored, or refused for a NUL): exactly the entries with no `at`.
        // Existing entries get what the feeds make of them: a tracking line its type; a Stripe
        // `customer.subscription.deleted` a cancel, its invoices conversions; a WooCommerce
        // subscription resource (`billing_period` or `billing_interval`, typed "subscription") a
        // cancel when its status (the last one, as the feed reads it) is cancelled or expired, else
        // a subscription; an order a conversion. A replay is read as its original's source. The
        // CHECK is comparisons, not IN (see v5).
        ("v6-event-kind", """
            ALTER TABLE event ADD COLUMN kind TEXT CHECK (kind IS NULL OR kind = 'click' OR kind = 'trial' OR kind = 'lead'
              OR kind = 'signup' OR kind = 'conversion' OR kind = 'cancel' OR kind = 'subscription');
            UPDATE event SET kind = CASE (CASE WHEN source != 'replay' THEN source
                                               ELSE (SELECT o.source FROM event_ref r JOIN event o ON o.id = CAST(substr(r.ref, 11) AS INTEGER)
                                                     WHERE r.ref >= 'replay-of:' AND r.ref < 'replay-of;' AND r.event_id = event.id) END)
                WHEN 'stripe' THEN CASE WHEN type = 'customer.subscription.deleted' THEN 'cancel' ELSE 'conversion' END
                WHEN 'woocommerce' THEN CASE
                    WHEN type != 'subscription' THEN 'conversion'
                    WHEN json_valid(raw) AND json_type(raw, '$.billing_period') IS NULL AND json_type(raw, '$.billing_interval') IS NULL
                      THEN 'conversion'
                    WHEN json_valid(raw) AND (SELECT value FROM json_each(raw) WHERE key = 'status' ORDER BY id DESC LIMIT 1)
                                             IN ('cancelled', 'expired') THEN 'cancel'
                    ELSE 'subscription' END
                ELSE CASE WHEN type IN ('click', 'trial', 'lead', 'signup', 'conversion', 'cancel') THEN type END
              END
            WHERE at IS NOT NULL;
            """),
        // Issue 11, every screen from an index at a million customers. Maintained aggregates: per
        // affiliate its customers, conversions and earnings (commission in the program's currency),
        // per affiliate, month and currency its conversions and commission, and the inbox's events
        // per outcome and reason ('' when accepted); kept by every
        // writer in the same transaction (`AggregateDeltas`), a row per affiliate from its insert
        // (the trigger), backfilled here. Indexes for every sort and filter of every list (see
        // `StoreQueryPlanTests`), the replay link looked up by event, and the words of the raw
        // payloads of events refused as invalid (which name no identifier the feed could read),
        // searchable by prefix through a full-text index.
        ("v7-scale-aggregates", """
            CREATE TABLE affiliate_total (
              affiliate_id INTEGER PRIMARY KEY REFERENCES affiliate(id),
              customers INTEGER NOT NULL DEFAULT 0,
              conversions INTEGER NOT NULL DEFAULT 0,
              earnings_minor INTEGER NOT NULL DEFAULT 0
            );
            CREATE TABLE affiliate_month (
              affiliate_id INTEGER NOT NULL REFERENCES affiliate(id),
              month TEXT NOT NULL,
              currency TEXT NOT NULL,
              conversions INTEGER NOT NULL,
              commission_minor INTEGER NOT NULL,
              PRIMARY KEY (affiliate_id, month, currency)
            ) WITHOUT ROWID;
            CREATE TRIGGER affiliate_total_row AFTER INSERT ON affiliate
              BEGIN INSERT OR IGNORE INTO affiliate_total (affiliate_id) VALUES (NEW.id); END;
            INSERT INTO affiliate_total (affiliate_id) SELECT id FROM affiliate;
            UPDATE affiliate_total SET customers = (SELECT COUNT(*) FROM customer c WHERE c.affiliate_id = affiliate_total.affiliate_id);
            INSERT INTO affiliate_month (affiliate_id, month, currency, conversions, commission_minor)
              SELECT affiliate_id, strftime('%Y-%m', at, 'unixepoch'), commission_currency, COUNT(*), SUM(commission_minor)
              FROM conversion GROUP BY 1, 2, 3;
            UPDATE affiliate_total SET
              conversions = COALESCE((SELECT SUM(m.conversions) FROM affiliate_month m WHERE m.affiliate_id = affiliate_total.affiliate_id), 0),
              earnings_minor = COALESCE((SELECT SUM(m.commission_minor) FROM affiliate_month m
                                         WHERE m.affiliate_id = affiliate_total.affiliate_id
                                           AND m.currency = (SELECT currency FROM program WHERE id = 1)), 0);
            CREATE TABLE event_total (
              outcome TEXT NOT NULL,
              reason TEXT NOT NULL,
              events INTEGER NOT NULL,
              PRIMARY KEY (outcome, reason)
            ) WITHOUT ROWID;
            INSERT INTO event_total (outcome, reason, events) SELECT outcome, COALESCE(reason, ''), COUNT(*) FROM event GROUP BY 1, 2;
            CREATE INDEX affiliate_total_customers ON affiliate_total(customers);
            CREATE INDEX affiliate_total_conversions ON affiliate_total(conversions);
            CREATE INDEX affiliate_total_earnings ON affiliate_total(earnings_minor);
            CREATE INDEX affiliate_name ON affiliate(name);
            CREATE INDEX customer_affiliate_activity ON customer(affiliate_id, last_activity_at, number);
            CREATE INDEX customer_conversions ON customer(conversions);
            CREATE INDEX customer_commission ON customer(commission_minor);
            CREATE INDEX customer_email ON customer(email) WHERE email IS NOT NULL;
            CREATE INDEX customer_first_commission ON customer(first_commission_at) WHERE first_commission_at IS NOT NULL;
            CREATE INDEX conversion_affiliate_id ON conversion(affiliate_id);
            CREATE INDEX conversion_amount ON conversion(amount_minor);
            CREATE INDEX conversion_commission ON conversion(commission_minor);
            CREATE INDEX event_time ON event(COALESCE(at, received_at));
            CREATE INDEX event_rejected_time ON event(COALESCE(at, received_at)) WHERE outcome = 'rejected';
            CREATE INDEX event_customer ON event(customer_id) WHERE customer_id IS NOT NULL;
            CREATE INDEX event_ref_event ON event_ref(event_id);
            CREATE VIRTUAL TABLE event_invalid_text USING fts5(raw, content='');
            INSERT INTO event_invalid_text (rowid, raw) SELECT id, raw FROM event WHERE outcome = 'rejected' AND reason = 'invalid_event';
            """),
        // The commission ledger: commissions, refunds, disputes and payouts (see `LedgerSchema`).
        ("v8-ledger", LedgerSchema.v8),
        // `affdesk serve`: the tracking API's keys, stored as the SHA-256 of the key (the key
        // itself is shown once, when made) with its first characters to tell keys apart; a
        // revoked key keeps its row. The webhook signing secrets per source, several at once so
        // one can be rolled; a removed one keeps its row with `removed_at` set. Both are new
        // tables: nothing to backfill.
        ("v9-serve-keys", """
            CREATE TABLE api_key (
              id INTEGER PRIMARY KEY,
              name TEXT NOT NULL,
              hash TEXT NOT NULL UNIQUE,
              hint TEXT NOT NULL,
              created_at INTEGER NOT NULL,
              revoked_at INTEGER
            );
            CREATE UNIQUE INDEX api_key_active_name ON api_key(name) WHERE revoked_at IS NULL;
            CREATE TABLE webhook_secret (
              id INTEGER PRIMARY KEY,
              source TEXT NOT NULL CHECK (source = 'stripe' OR source = 'woocommerce'),
              secret TEXT NOT NULL,
              fingerprint TEXT NOT NULL,
              label TEXT,
              added_at INTEGER NOT NULL,
              removed_at INTEGER
            );
            CREATE UNIQUE INDEX webhook_secret_active ON webhook_secret(source, secret) WHERE removed_at IS NULL;
            """),
        // A rejected event fixed later (a replay accepted, or its conversion added by hand) is
        // resolved: by which event or conversion, when, by whom; the triage queue hides it.
        // Backfilled from what links them: replays by their 'replay-of:ID' reference (the first
        // accepted replay, its time, who from its audit entry), manual conversions by their audit
        // entry's "by hand from event #ID"; a rejected replay of a resolved event is resolved too.
        ("v10-triage-resolved", """
            CREATE TABLE event_resolution (
              event_id INTEGER PRIMARY KEY REFERENCES event(id),
              by_event_id INTEGER REFERENCES event(id),
              by_conversion_id INTEGER REFERENCES conversion(id),
              at INTEGER NOT NULL,
              who TEXT NOT NULL
            );
            INSERT OR IGNORE INTO event_resolution (event_id, by_event_id, by_conversion_id, at, who)
              SELECT o.id, r.id, r.conversion_id, r.received_at,
                     COALESCE((SELECT a.who FROM audit a WHERE a.action = 'event.replay' AND a.target = 'event #' || o.id
                               AND a.after LIKE '%(event #' || r.id || ')' ORDER BY a.id LIMIT 1), '?')
              FROM event r JOIN event_ref f ON f.event_id = r.id AND f.ref >= 'replay-of:' AND f.ref < 'replay-of;'
              JOIN event o ON o.id = CAST(substr(f.ref, 11) AS INTEGER)
              WHERE r.source = 'replay' AND r.outcome = 'accepted' AND o.outcome = 'rejected'
              ORDER BY r.id;
            INSERT OR IGNORE INTO event_resolution (event_id, by_event_id, by_conversion_id, at, who)
              SELECT o.id, NULL, v.id, a.at, a.who FROM audit a
              JOIN event o ON o.id = CAST(substr(a.detail, 21) AS INTEGER)
              JOIN conversion v ON v.external_id = a.target AND v.manual = 1
              WHERE a.action = 'conversion.add' AND a.detail LIKE 'by hand from event #%' AND o.outcome = 'rejected'
              ORDER BY a.id;
            INSERT OR IGNORE INTO event_resolution (event_id, by_event_id, by_conversion_id, at, who)
              SELECT e.id, x.by_event_id, x.by_conversion_id, x.at, x.who
              FROM event_resolution x JOIN event_ref f ON f.ref = 'replay-of:' || x.event_id JOIN event e ON e.id = f.event_id
              WHERE e.outcome = 'rejected';
            """),
        // Issue 11, the affiliate view's My customers at any size: per (affiliate, customer number)
        // the conversions credited to that affiliate for that number and their commission (every
        // currency, as the view sums them) with the smallest currency, so each sort is a keyset page
        // of an index instead of a sum per customer. A row for every number an affiliate has given
        // (a new customer, a reassigned one's new number) and every number a conversion names; kept
        // by every writer in the same transaction (`AggregateDeltas`), backfilled here: first the
        // customers' numbers, then the conversions' sums read in one pass over the table (not per
        // customer through an index). My customers by status reads the customer index below.
        ("v11-affiliate-customer-sums", """
            CREATE TABLE affiliate_customer_sum (
              affiliate_id INTEGER NOT NULL REFERENCES affiliate(id),
              number INTEGER NOT NULL,
              conversions INTEGER NOT NULL DEFAULT 0,
              commission_minor INTEGER NOT NULL DEFAULT 0,
              commission_currency TEXT,
              PRIMARY KEY (affiliate_id, number)
            ) WITHOUT ROWID;
            INSERT INTO affiliate_customer_sum (affiliate_id, number) SELECT affiliate_id, number FROM customer ORDER BY affiliate_id, number;
            INSERT INTO affiliate_customer_sum (affiliate_id, number, conversions, commission_minor, commission_currency)
              SELECT affiliate_id, customer_number, COUNT(*), SUM(commission_minor), MIN(commission_currency)
              FROM conversion NOT INDEXED WHERE customer_number IS NOT NULL GROUP BY affiliate_id, customer_number ORDER BY 1, 2
              ON CONFLICT (affiliate_id, number) DO UPDATE SET conversions = excluded.conversions,
                commission_minor = excluded.commission_minor, commission_currency = excluded.commission_currency;
            CREATE INDEX affiliate_customer_sum_conversions ON affiliate_customer_sum(affiliate_id, conversions, number);
            CREATE INDEX affiliate_customer_sum_commission ON affiliate_customer_sum(affiliate_id, commission_minor, number);
            CREATE INDEX customer_affiliate_status ON customer(affiliate_id, status, number);
            """),
        // The admin's Commissions and Payouts tabs: the ledger's maintained totals and the indexes of
        // its keyset pages (see `LedgerAdminSchema`).
        ("v13-ledger-admin", LedgerAdminSchema.v13),
        // The ledger's views: per affiliate, month, currency and state, kept by triggers on
        // `commission` (see `LedgerViewsSchema`).
        ("v14-ledger-views", LedgerViewsSchema.v14),
        ("v17-ledger-gaps", LedgerReversalSchema.v17),
        // The Commissions tab's pending totals per day of `approves_at`, kept by triggers on
        // `commission` (see `CommissionPendingDaySchema`).
        ("v18-commission-pending-days", CommissionPendingDaySchema.v18),
        // The Caps tab's near-cap customers, kept by triggers on `customer` with an index for each of
        // its sorts (see `CapCandidateSchema`).
        ("v19-cap-candidates", CapCandidateSchema.v19),
        // My conversions by commission: the affiliate's own rows, a range (see `ListOrderSchema`).
        ("v21-list-orders", ListOrderSchema.v21),
        // Triage's matches with their time in the identifier indexes (see `TriageTimeSchema`).
        ("v22-triage-times", TriageTimeSchema.v22),
        // Caps with a months cap: the active customers by first commission (see `CapMonthsSchema`).
        ("v23-cap-months", CapMonthsSchema.v23),
        // Caps with a months cap, kept: the near-by-months customers up to a cutoff (see `CapMonthsKeptSchema`).
        ("v24-cap-months-kept", CapMonthsKeptSchema.v24),
        // Triage's matches by Stripe and WooCommerce ids with their time (see `RefTimeSchema`).
        ("v25-ref-times", RefTimeSchema.v25),
    ]
}
