/// Who a conversion added by hand from a stored event credits. One rule, used by the store
/// (which drafts it), the command line and the dashboard (which ask the admin when nothing
/// names an affiliate).
public enum ManualCredit {
    /// What named the affiliate a draft credits.
    public enum Source: String, Hashable, Sendable { case customer, click, event, none }

    /// Whom a draft credits: the tracked customer's affiliate, else the affiliate of the click the
    /// event names, else the affiliate the event concerned; nobody when none of them is known.
    public static func drafted(customerAffiliate: String?, clickAffiliate: String?,
                               eventAffiliate: String?) -> (code: String?, by: Source) {
        if let c = customerAffiliate { return (c, .customer) }
        if let c = clickAffiliate { return (c, .click) }
        if let c = eventAffiliate { return (c, .event) }
        return (nil, .none)
    }

    /// Whether the admin must name the affiliate: the event names no tracked customer and no
    /// click or affiliate to credit.
    public static func needsAffiliate(customerKey: String?, drafted: String?) -> Bool {
        customerKey == nil && drafted == nil
    }

    /// The affiliate a manual conversion is added for: the admin's choice, else the draft's for a
    /// one-off. A tracked customer's conversion names none, so the core credits the customer's
    /// own affiliate.
    public static func affiliateToCredit(chosen: String?, customerKey: String?, drafted: String?) -> String? {
        chosen ?? (customerKey == nil ? drafted : nil)
    }
}
