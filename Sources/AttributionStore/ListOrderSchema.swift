/// Issue 11, the affiliate view on a cold cache (`bench dashboard --cold`): its lists read far
/// more pages than they show.
///
/// - My conversions by commission read the program's `conversion_commission` index testing each
///   entry's affiliate, a scan in disguise (a big affiliate's first page read 13,000 pages cold
///   when the top commissions were other affiliates'); by amount the same walk was cheap only
///   because amounts do not depend on the affiliate here. An affiliate's own rows by commission or
///   amount are now a range of an index in the list's order (sort value, then id).
/// - My conversions filtered by a customer number prefix walk the sort's index testing each row's
///   number: the number is now in each of the three indexes (by date too: `conversion_affiliate`
///   rebuilt with it), after the id that orders ties, so the test reads the index entry, not the
///   row (586 pages cold for a page by date became 42).
/// - Earnings sums the stored pending entries still inside their hold (the last holding period's:
///   19,000 entries for a big affiliate) through `commission_affiliate_pending`, reading each
///   entry's row (2,800 pages cold). The same index now holds every column that sum reads, so it
///   is answered from the index alone; the same entries as before, each a little wider.
///
/// Cost: two more index entries written per conversion, and wider entries in two existing indexes.
enum ListOrderSchema {
    static let v21 = """
        CREATE INDEX conversion_affiliate_commission ON conversion(affiliate_id, commission_minor, id, customer_number);
        CREATE INDEX conversion_affiliate_amount ON conversion(affiliate_id, amount_minor, id, customer_number);
        DROP INDEX conversion_affiliate;
        CREATE INDEX conversion_affiliate ON conversion(affiliate_id, at, id, customer_number);
        DROP INDEX commission_affiliate_pending;
        CREATE INDEX commission_affiliate_pending
          ON commission(affiliate_id, approves_at, needs_approval, currency, earned_at, amount_minor, state) WHERE state = 'pending';
        """
}
