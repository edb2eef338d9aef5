/// Issue 11, the affiliate view on a cold cache: My conversions by commission read the program's
/// `conversion_commission` index testing each entry's affiliate, a scan in disguise (a big
/// affiliate's first page read 13,000 pages cold when the top commissions were other affiliates').
/// By amount the same walk was cheap only because amounts do not depend on the affiliate here.
/// An affiliate's own rows by commission or amount are a range of these indexes (the rowid after
/// each orders the ties, as the keyset's id does). Two more index entries written per conversion.
enum ListOrderSchema {
    static let v21 = """
        CREATE INDEX conversion_affiliate_commission ON conversion(affiliate_id, commission_minor);
        CREATE INDEX conversion_affiliate_amount ON conversion(affiliate_id, amount_minor);
        """
}
