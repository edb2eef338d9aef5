/// The Caps tab with a months cap ("v23-cap-months"), kept beside its queries (`CapMonths`);
/// `Schema.migrations` lists it. Never changed once released.
///
/// - `customer_active_first_commission`: the active customers by the time of their first
///   commission, with the count and amount the kept table's rule tests. The months threshold moves
///   with the clock, so it is not kept in `cap_candidate`; the active customers near it are a range
///   of this index (first commission at or before the threshold), and those of them the kept table
///   does not already hold (below the count and amount thresholds) are found from its entries
///   alone. Partial: only an active customer can be near a cap without being capped, so a write of
///   an initial, capped or ended customer never touches it; a renewal of an active customer moves
///   its entry (its count and amount change), as it does in `customer_conversions`.
///
/// - `audit_target` (issue 11's other cold read, in the same migration: the one id this work has):
///   the admin changes by target, so an event's detail in Triage (`TriageChain.audit`) reads the
///   changes to its identifiers from an index instead of the whole audit table.
///
/// Backfill: SQLite builds each index from its table.
enum CapMonthsSchema {
    static let v23 = """
        CREATE INDEX customer_active_first_commission
          ON customer(status, first_commission_at, conversions, commission_minor) WHERE status = 'active';
        CREATE INDEX audit_target ON audit(target);
        """
}
