/// Issue 11, the affiliate view on a cold cache (`bench dashboard --cold`): two of its lists read
/// far more pages than they show.
///
/// - My conversions by commission read the program's `conversion_commission` index testing each
///   entry's affiliate, a scan in disguise (a big affiliate's first page read 13,000 pages cold
///   when the top commissions were other affiliates'); by amount the same walk was cheap only
///   because amounts do not depend on the affiliate here. An affiliate's own rows by commission or
///   amount are now a range of these indexes (the rowid after each orders the ties, as the
///   keyset's id does). Two more index entries written per conversion.
/// - Earnings sums the stored pending entries still inside their hold (the last holding period's:
///   19,000 entries for a big affiliate) through `commission_affiliate_pending`, reading each
///   entry's row (2,800 pages cold). The same index now holds every column that sum reads, so it
///   is answered from the index alone; the same entries as before, each a little wider.
enum ListOrderSchema {
    static let v21 = """
        CREATE INDEX conversion_affiliate_commission ON conversion(affiliate_id, commission_minor);
        CREATE INDEX conversion_affiliate_amount ON conversion(affiliate_id, amount_minor);
        DROP INDEX commission_affiliate_pending;
        CREATE INDEX commission_affiliate_pending
          ON commission(affiliate_id, approves_at, needs_approval, currency, earned_at, amount_minor, state) WHERE state = 'pending';
        """
}
