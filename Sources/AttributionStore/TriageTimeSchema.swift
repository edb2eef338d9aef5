/// Issue 11, Triage on a cold cache (`bench dashboard --cold`): a filter or an identifier search
/// found its matching events through indexes that held only the identifier and the event id, then
/// read every matching event's row to sort them by time (`COALESCE(at, received_at)`), 3,500 rows
/// for the one-letter filter "9" at a million customers (5,200 pages cold, 0.6–1 s).
///
/// - The identifier indexes (`customer_key`, `external_id`, `click_ref`) and a customer's events
///   (`event_customer`, for a match by email) now hold the event's `at` and `received_at` after
///   the identifier (a customer's, after the id that orders its events in its detail): a match
///   and its sort key are read from the index alone. (SQLite 3.40 does not read an indexed
///   expression's value from an index, so the two columns, not the expression.)
/// - The events refused as invalid (the ones `event_invalid_text` finds by their words) have a
///   small index of their own with their time, read by id for each full-text match, and their
///   identifiers: a walk of the time index (a filter matching many events) tests one that names
///   none by its id alone. Those events have no time of their own, so they sort as received, the
///   newest of the inbox: the walk for "c" read 5,000 of their rows (3,400 pages cold) before
///   reaching the first event that names a customer.
///
/// Then a page of matches in time order is the union of those ranges sorted (at most
/// `IndexedMatch.limit` of them, index entries only) and only the page's events are read by id
/// (`IndexedMatch.timed`). `event_ref` (Stripe and WooCommerce ids) read each matching event for
/// its time until schema v25 (`RefTimeSchema`) put the times in it too.
///
/// Cost: the same index writes per event as before, each entry wider by two integers; one more
/// (small) entry per event refused as invalid.
enum TriageTimeSchema {
    static let v22 = """
        DROP INDEX event_customer_key;
        CREATE INDEX event_customer_key ON event(customer_key, at, received_at) WHERE customer_key IS NOT NULL;
        DROP INDEX event_external_id;
        CREATE INDEX event_external_id ON event(external_id, at, received_at) WHERE external_id IS NOT NULL;
        DROP INDEX event_click_ref;
        CREATE INDEX event_click_ref ON event(click_ref, at, received_at) WHERE click_ref IS NOT NULL;
        DROP INDEX event_customer;
        CREATE INDEX event_customer ON event(customer_id, id, at, received_at) WHERE customer_id IS NOT NULL;
        CREATE INDEX event_invalid_time ON event(id, at, received_at, outcome, reason, customer_key, external_id, click_ref, customer_id)
          WHERE outcome = 'rejected' AND reason = 'invalid_event';
        """
}
