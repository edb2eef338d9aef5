/// Every reason an event or an admin action is refused, and every note an accepted one carries.
/// The raw value is the stable code written to the database and printed by `--json`.
public enum Reason: String, CaseIterable, Sendable, Codable {
    // Refusals
    case invalidEvent = "invalid_event"
    case unknownAffiliate = "unknown_affiliate"
    case affiliateDisabled = "affiliate_disabled"
    case duplicateClick = "duplicate_click"
    case unknownClick = "unknown_click"
    case clickExpired = "click_expired"
    case noAttribution = "no_attribution"
    case alreadyTracked = "already_tracked"
    case duplicateExternalID = "duplicate_external_id"
    case invalidAmount = "invalid_amount"
    case recurringOff = "recurring_off"
    case customerEnded = "customer_ended"
    case customerCapped = "customer_capped"
    case unknownCustomer = "unknown_customer"
    case currencyMismatch = "currency_mismatch"
    case transitionNotAllowed = "transition_not_allowed"
    case sameAffiliate = "same_affiliate"
    case unknownSubscription = "unknown_subscription"
    case unknownParentOrder = "unknown_parent_order"
    // Refusals only the payment adapters give: read, understood, and deliberately not an event.
    case unpaidInvoice = "unpaid_invoice"
    case orderNotPaid = "order_not_paid"
    case ignoredEventType = "ignored_event_type"
    // Refusals of a refund or a dispute (the ledger's codes: see `LedgerReason`)
    case unknownSale = "unknown_sale"
    case refundExceedsSale = "refund_exceeds_sale"
    case refundCurrencyMismatch = "refund_currency_mismatch"
    case invalidRefundAmount = "invalid_refund_amount"
    case reversalAfterPayout = "reversal_after_payout"
    // Notes on accepted decisions
    case customerKeyIgnored = "customer_key_ignored"
    case trialNoCommission = "trial_no_commission"
    case commissionClamped = "commission_clamped"
    case capReached = "cap_reached"
    case renewalFirstSeen = "renewal_first_seen"
    case refundAlreadyApplied = "refund_already_applied"
    case disputeAlreadyRecorded = "dispute_already_recorded"
    case disputeOnPaid = "dispute_on_paid"
    case refundReversed = "refund_reversed"
    case refundAlreadyReversed = "refund_already_reversed"

    public var isRefusal: Bool {
        switch self {
        case .customerKeyIgnored, .trialNoCommission, .commissionClamped, .capReached, .renewalFirstSeen, .refundAlreadyApplied,
             .disputeAlreadyRecorded, .disputeOnPaid, .refundReversed, .refundAlreadyReversed: return false
        default: return true
        }
    }

    /// What happened, for a human.
    public var sentence: String {
        switch self {
        case .invalidEvent: return "The event could not be read: a field is missing or malformed."
        case .unknownAffiliate: return "The affiliate code is not one of this program's affiliates."
        case .affiliateDisabled: return "The affiliate is disabled, so nothing new is credited to them."
        case .duplicateClick: return "This click id was already recorded; the repeat was ignored."
        case .unknownClick: return "The click id was never recorded, so there is no affiliate to credit."
        case .clickExpired: return "The last click is older than the attribution window."
        case .noAttribution: return "The event carries no click id and no tracked customer, so no affiliate can be credited."
        case .alreadyTracked: return "This customer key is already tracked; a customer can never be tracked again as new (single-track rule)."
        case .duplicateExternalID: return "A conversion with this external id was already recorded; nothing is paid twice."
        case .invalidAmount: return "The amount is zero or negative."
        case .recurringOff: return "customer_key ignored: Recurring/Lifetime commissions is off, and the event has no click to credit."
        case .customerEnded: return "The customer has ended (canceled, lost or stopped): no further conversions are credited."
        case .customerCapped: return "The customer has reached a commission cap: later conversions are rejected."
        case .unknownCustomer: return "No customer with this key is tracked."
        case .currencyMismatch: return "The commission's currency differs from the amount cap's or from this customer's earlier commissions, so they cannot be added up."
        case .transitionNotAllowed: return "That status change is not allowed (a customer never returns to the initial status)."
        case .sameAffiliate: return "The customer is already assigned to that affiliate."
        case .unknownSubscription:
            return "No credited payment of this subscription is on record, and the event names no customer key or click to credit."
        case .unknownParentOrder:
            return "The subscription's parent order was never credited, so the subscription could not be linked to an affiliate."
        case .unpaidInvoice: return "The Stripe invoice is not paid (its status is not \"paid\"), so it earns nothing."
        case .orderNotPaid: return "The WooCommerce order is not paid: only processing and completed orders earn."
        case .ignoredEventType: return "This kind of payload is not one affdesk acts on; it was recorded and ignored."
        case .customerKeyIgnored: return "customer_key ignored: Recurring/Lifetime commissions is off, so this was credited as a one-off by click."
        case .trialNoCommission: return "A $0 first payment is a trial: it is logged and earns no commission."
        case .commissionClamped: return "The commission was reduced to what remained under the amount cap."
        case .capReached: return "This conversion reached a cap: the customer is now capped."
        case .renewalFirstSeen: return "A renewal of a subscription with no credited payment on record was credited as its first payment."
        case .unknownSale, .refundExceedsSale, .refundCurrencyMismatch, .invalidRefundAmount, .refundAlreadyApplied,
             .disputeAlreadyRecorded, .disputeOnPaid, .reversalAfterPayout, .refundReversed, .refundAlreadyReversed: return ledger?.sentence ?? ""
        }
    }

    /// How to fix it, for a human.
    public var hint: String {
        switch self {
        case .invalidEvent: return "Fix the named field at the named line and ingest the file again; valid lines were kept."
        case .unknownAffiliate: return "Add the affiliate (affdesk affiliates add --code CODE) or correct the code in the link."
        case .affiliateDisabled: return "Re-enable the affiliate, or reassign the customer to an active affiliate."
        case .duplicateClick: return "Nothing to do: click ids are unique per visit."
        case .unknownClick: return "Check that the click tracker sends its click before the signup or sale, with the same click_id."
        case .clickExpired: return "Lengthen the attribution window in the settings, or add the conversion by hand."
        case .noAttribution: return "Send the click_id with the event, or track the customer (trial/lead/signup) first."
        case .alreadyTracked: return "Send later payments as conversions for this customer key; to move the customer, reassign it."
        case .duplicateExternalID: return "Nothing to do if this was a retried webhook; otherwise give each payment its own external id."
        case .invalidAmount: return "Send the amount paid, in major units, greater than zero."
        case .recurringOff: return "Turn on Recurring/Lifetime commissions in the settings, then replay the event."
        case .customerEnded: return "If the customer came back, set the status back to active, then replay or add the conversion."
        case .customerCapped: return "Raise or remove the cap in the settings, set the status to active, then replay the event."
        case .unknownCustomer: return "Track the customer first (trial/lead/signup, or a conversion with a click)."
        case .currencyMismatch: return "Bill each customer in one currency, and set the amount cap in the currency the program is paid in."
        case .transitionNotAllowed: return "Choose one of the offered transitions."
        case .sameAffiliate: return "Pick a different affiliate."
        case .unknownSubscription:
            return "Ingest the subscription's first paid invoice or parent order (with its customer key or click) first, then replay this event."
        case .unknownParentOrder:
            return "Nothing to do after a $0 trial (the first paid renewal is credited by its customer key); otherwise ingest the parent order, then replay this event."
        case .unpaidInvoice: return "Nothing to do: the invoice is credited when its invoice.paid event arrives."
        case .orderNotPaid: return "Nothing to do: the order is credited when it arrives again as processing or completed."
        case .ignoredEventType:
            return "Nothing to do; to cut the noise, send only invoice.paid, customer.subscription.deleted, orders and subscriptions."
        case .customerKeyIgnored: return "To credit the customer's affiliate on every payment, turn on Recurring/Lifetime commissions."
        case .trialNoCommission: return "Nothing to do: the first paid invoice earns the commission."
        case .commissionClamped: return "Raise the amount cap if the affiliate should earn more from this customer."
        case .capReached: return "Raise or remove the cap if the affiliate should keep earning from this customer."
        case .renewalFirstSeen:
            return "Nothing to do after a free trial; otherwise check that the subscription's first invoice or parent order was ingested."
        case .unknownSale, .refundExceedsSale, .refundCurrencyMismatch, .invalidRefundAmount, .refundAlreadyApplied,
             .disputeAlreadyRecorded, .disputeOnPaid, .reversalAfterPayout, .refundReversed, .refundAlreadyReversed: return ledger?.hint ?? ""
        }
    }

    /// The ledger's own code, for the refund and dispute codes: their sentences and hints are the ledger's.
    public var ledger: LedgerReason? { LedgerReason(rawValue: rawValue) }
}
