/// The Caps tab with a months cap, kept ("v24-cap-months-kept"), beside its queries (`CapMonths`,
/// `CapCandidates`); `Schema.migrations` lists it. Never changed once released.
///
/// - `cap_candidate_rule.first_commission_before`: a cutoff time. `cap_candidate` also keeps every
///   active customer whose first commission is at or before it (NULL: no months cap, none kept for
///   it). The months threshold moves forward with the clock; the store moves the cutoff to it when a
///   writable store opens and when the settings are saved, adding the customers between the old
///   and the new cutoff (or removing those near by months alone, when it moves back: a longer
///   cap, no months cap, a clock behind) (`Store.followCaps`). A Caps page then merges the
///   kept table with the few active customers between the cutoff and the query's threshold alone
///   (`CapsWithMonths`), however many are near by months: at a million with a 6-month cap, 132,000.
/// - The triggers keeping `cap_candidate` (v19's, rewritten) test that part too, and a change of a
///   customer's first commission time joins or leaves it.
///
/// Backfill: the cutoff is left NULL (the kept table is exactly v19's for it); the store moves it
/// to the months threshold of its clock when it opens after the migration (`Store.followStoredCaps`).
enum CapMonthsKeptSchema {
    /// A customer row (`r`: "NEW.", "OLD.", "c.") that belongs in `cap_candidate` under the rule:
    /// v19's test, or active with a first commission at or before the kept cutoff.
    static func near(_ r: String) -> String {
        """
        (\(r)status = 'capped' OR (\(r)status = 'active' AND (
           IFNULL(\(r)conversions >= (SELECT conversions FROM cap_candidate_rule WHERE id = 1), 0)
           OR IFNULL(\(r)commission_minor >= (SELECT commission_minor FROM cap_candidate_rule WHERE id = 1), 0)
           OR IFNULL(\(r)first_commission_at <= (SELECT first_commission_before FROM cap_candidate_rule WHERE id = 1), 0))))
        """
    }

    static let columns = CapCandidateSchema.columns
    static let values = "id, key, affiliate_id, number, status, conversions, commission_minor"

    /// The active customers with a first commission after `?1` and at or before `?2` (a range of
    /// `customer_active_first_commission`), added to `cap_candidate` (those kept already stay).
    static let addMonths = """
        INSERT OR IGNORE INTO cap_candidate (\(columns))
          SELECT \(values) FROM customer WHERE status = 'active' AND first_commission_at > ?1 AND first_commission_at <= ?2
        """

    /// The active customers with a first commission after `?1` and at or before `?2` and near no
    /// other cap, removed from `cap_candidate` (the cutoff moving back to `?1`).
    static let removeMonths = """
        DELETE FROM cap_candidate WHERE customer_id IN (
          SELECT id FROM customer WHERE status = 'active' AND first_commission_at > ?1 AND first_commission_at <= ?2
            AND NOT IFNULL(+conversions >= (SELECT conversions FROM cap_candidate_rule WHERE id = 1), 0)
            AND NOT IFNULL(+commission_minor >= (SELECT commission_minor FROM cap_candidate_rule WHERE id = 1), 0))
        """

    static let v24 = """
        ALTER TABLE cap_candidate_rule ADD COLUMN first_commission_before INTEGER;
        DROP TRIGGER cap_candidate_insert;
        DROP TRIGGER cap_candidate_join;
        DROP TRIGGER cap_candidate_leave;
        CREATE TRIGGER cap_candidate_insert AFTER INSERT ON customer WHEN \(near("NEW.")) BEGIN
          INSERT INTO cap_candidate (\(columns))
            VALUES (NEW.id, NEW.key, NEW.affiliate_id, NEW.number, NEW.status, NEW.conversions, NEW.commission_minor);
        END;
        CREATE TRIGGER cap_candidate_join
          AFTER UPDATE OF key, affiliate_id, number, status, conversions, commission_minor, first_commission_at ON customer
          WHEN \(near("NEW.")) BEGIN
        \(CapCandidateSchema.joinRow)
        END;
        CREATE TRIGGER cap_candidate_leave AFTER UPDATE OF status, conversions, commission_minor, first_commission_at ON customer
          WHEN (OLD.status IS NOT NEW.status OR NEW.conversions < OLD.conversions OR NEW.commission_minor < OLD.commission_minor
                OR OLD.first_commission_at IS NOT NEW.first_commission_at)
            AND NOT \(near("NEW.")) BEGIN
          DELETE FROM cap_candidate WHERE customer_id = OLD.id;
        END;
        """
}
