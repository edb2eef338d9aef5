/// The Caps tab at any size ("v19-cap-candidates"), kept beside its queries (`AdminQueries`,
/// `CapCandidates`); `Schema.migrations` lists it. Never changed once released.
///
/// - `cap_candidate_rule`: one row, the near-cap thresholds of the count and amount caps that
///   `cap_candidate` was built for (the core's `Caps.nearThresholds`; NULL: no such cap). Written
///   with the program's settings, in the same transaction (`Store.updateSettings`).
/// - `cap_candidate`: one row per customer that is capped, or active with at least the rule's
///   conversions or commission, with copies of the columns the Caps tab sorts by and an index for
///   each sort, so every Caps sort reads its page from an index of near-cap customers only (the
///   customer table's own indexes put ~600k far-from-cap customers first at a million). The months
///   cap is not kept: its threshold moves with the clock (the Caps queries go the customer table's
///   way when a months cap is set). Kept by triggers on `customer` in the transaction of every
///   write of a customer, whoever writes it: an update that leaves a customer far from every cap
///   costs the `WHEN` tests and nothing else.
///
/// Backfill: the rule is left empty (NULL, NULL: only capped customers are kept); the store then
/// writes it from the core's thresholds and refills the table as soon as the migration is done
/// (`Store.followStoredCaps`), so the rounding of a threshold is said once, in the core.
enum CapCandidateSchema {
    static let columns = "customer_id, key, affiliate_id, number, status, conversions, commission_minor"

    /// What `cap_candidate_join` does for a customer row near a cap (v19, and v24's trigger again):
    /// add it, or bring its kept row up to date column by column.
    static let joinRow = """
      INSERT INTO cap_candidate (\(columns))
        VALUES (NEW.id, NEW.key, NEW.affiliate_id, NEW.number, NEW.status, NEW.conversions, NEW.commission_minor)
        ON CONFLICT (customer_id) DO NOTHING;
      UPDATE cap_candidate SET status = NEW.status WHERE customer_id = NEW.id AND status IS NOT NEW.status;
      UPDATE cap_candidate SET conversions = NEW.conversions WHERE customer_id = NEW.id AND conversions IS NOT NEW.conversions;
      UPDATE cap_candidate SET commission_minor = NEW.commission_minor
        WHERE customer_id = NEW.id AND commission_minor IS NOT NEW.commission_minor;
      UPDATE cap_candidate SET affiliate_id = NEW.affiliate_id, number = NEW.number
        WHERE customer_id = NEW.id AND (affiliate_id IS NOT NEW.affiliate_id OR number IS NOT NEW.number);
      UPDATE cap_candidate SET key = NEW.key WHERE customer_id = NEW.id AND key IS NOT NEW.key;
    """

    /// A customer row (`r`: "NEW.", "OLD.", "c.") that belongs in `cap_candidate` under the rule.
    static func near(_ r: String) -> String {
        """
        (\(r)status = 'capped' OR (\(r)status = 'active' AND (
           IFNULL(\(r)conversions >= (SELECT conversions FROM cap_candidate_rule WHERE id = 1), 0)
           OR IFNULL(\(r)commission_minor >= (SELECT commission_minor FROM cap_candidate_rule WHERE id = 1), 0))))
        """
    }

    /// Fills an empty `cap_candidate` from the customer table under the stored rule, each range
    /// through its index (a customer in two ranges is kept once).
    static let fill = """
        INSERT OR IGNORE INTO cap_candidate (\(columns))
          SELECT id, key, affiliate_id, number, status, conversions, commission_minor FROM customer WHERE status = 'capped'
          UNION ALL
          SELECT id, key, affiliate_id, number, status, conversions, commission_minor FROM customer
            WHERE conversions >= (SELECT conversions FROM cap_candidate_rule WHERE id = 1) AND +status = 'active'
          UNION ALL
          SELECT id, key, affiliate_id, number, status, conversions, commission_minor FROM customer
            WHERE commission_minor >= (SELECT commission_minor FROM cap_candidate_rule WHERE id = 1) AND +status = 'active';
        """

    static let v19 = """
        CREATE TABLE cap_candidate_rule (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          conversions INTEGER,
          commission_minor INTEGER
        );
        INSERT INTO cap_candidate_rule (id, conversions, commission_minor) VALUES (1, NULL, NULL);
        CREATE TABLE cap_candidate (
          customer_id INTEGER PRIMARY KEY,
          key TEXT NOT NULL,
          affiliate_id INTEGER NOT NULL,
          number INTEGER NOT NULL,
          status TEXT NOT NULL,
          conversions INTEGER NOT NULL,
          commission_minor INTEGER NOT NULL
        );
        \(fill)
        CREATE INDEX cap_candidate_key ON cap_candidate(key);
        CREATE INDEX cap_candidate_affiliate ON cap_candidate(affiliate_id, number);
        CREATE INDEX cap_candidate_status ON cap_candidate(status);
        CREATE INDEX cap_candidate_conversions ON cap_candidate(conversions);
        CREATE INDEX cap_candidate_commission ON cap_candidate(commission_minor);
        CREATE TRIGGER cap_candidate_insert AFTER INSERT ON customer WHEN \(near("NEW.")) BEGIN
          INSERT INTO cap_candidate (\(columns))
            VALUES (NEW.id, NEW.key, NEW.affiliate_id, NEW.number, NEW.status, NEW.conversions, NEW.commission_minor);
        END;
        CREATE TRIGGER cap_candidate_join
          AFTER UPDATE OF key, affiliate_id, number, status, conversions, commission_minor ON customer WHEN \(near("NEW.")) BEGIN
        \(CapCandidateSchema.joinRow)
        END;
        CREATE TRIGGER cap_candidate_leave AFTER UPDATE OF status, conversions, commission_minor ON customer
          WHEN (OLD.status IS NOT NEW.status OR NEW.conversions < OLD.conversions OR NEW.commission_minor < OLD.commission_minor)
            AND NOT \(near("NEW.")) BEGIN
          DELETE FROM cap_candidate WHERE customer_id = OLD.id;
        END;
        CREATE TRIGGER cap_candidate_delete AFTER DELETE ON customer BEGIN
          DELETE FROM cap_candidate WHERE customer_id = OLD.id;
        END;
        """
}
