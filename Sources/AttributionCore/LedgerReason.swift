/// Why a commission is voided or held, why a ledger or payout action is refused, and the notes a
/// refund, a dispute or a payout run carries. The raw value is the stable code written to the
/// database (`commission.reason`) and printed by `--json`; each has a sentence and a fix hint, in
/// the style of `Reason`.
public enum LedgerReason: String, CaseIterable, Sendable, Codable {
    // Why a commission is voided
    case refunded
    case disputed
    case canceledByAdmin = "canceled_by_admin"
    case selfReferral = "self_referral"
    case duplicate
    // Why a commission is on hold (self_referral too)
    case adminHold = "admin_hold"
    case approvalRequired = "approval_required"
    case disputeOpen = "dispute_open"
    // Refusals of an admin action on a commission
    case alreadyApproved = "already_approved"
    case alreadyOnHold = "already_on_hold"
    case notOnHold = "not_on_hold"
    case alreadyPaid = "already_paid"
    case alreadyVoided = "already_voided"
    case inPayout = "in_payout"
    case clawbackEntry = "clawback_entry"
    case invalidVoidReason = "invalid_void_reason"
    case unknownCommission = "unknown_commission"
    // Refusals of a refund or a dispute
    case refundExceedsSale = "refund_exceeds_sale"
    case refundCurrencyMismatch = "refund_currency_mismatch"
    case invalidRefundAmount = "invalid_refund_amount"
    case unknownSale = "unknown_sale"
    // Notes on refunds and disputes that change nothing
    case refundAlreadyApplied = "refund_already_applied"
    case disputeAlreadyRecorded = "dispute_already_recorded"
    case disputeOnPaid = "dispute_on_paid"
    // A refund that failed or was canceled
    case refundReversed = "refund_reversed"
    case refundAlreadyReversed = "refund_already_reversed"
    case reversalAfterPayout = "reversal_after_payout"
    // Payouts
    case belowMinimum = "below_minimum"
    case nothingToPay = "nothing_to_pay"
    case payoutNotOpen = "payout_not_open"
    case payoutAlreadyPaid = "payout_already_paid"
    case unknownPayout = "unknown_payout"
    case noPayoutEmail = "no_payout_email"
    case amountOverflow = "amount_overflow"

    /// The codes an admin may give when voiding a commission by hand.
    public static let adminVoidReasons: [LedgerReason] = [.canceledByAdmin, .selfReferral, .duplicate]

    /// What happened, for a human.
    public var sentence: String {
        switch self {
        case .refunded: return "The sale was refunded in full, so its commission is voided."
        case .disputed: return "The customer's bank reversed the payment (a lost dispute), so its commission is voided."
        case .canceledByAdmin: return "An admin canceled this commission."
        case .selfReferral: return "The customer's email is the affiliate's own email: a self-referral."
        case .duplicate: return "An admin marked this commission as a duplicate of another one."
        case .adminHold: return "An admin put this commission on hold; it does not move on by itself."
        case .approvalRequired: return "The commission is above the program's approval threshold and waits for an admin's approval."
        case .disputeOpen: return "The customer disputed the payment (a chargeback); the commission is held until the dispute closes."
        case .alreadyApproved: return "The commission is already approved."
        case .alreadyOnHold: return "The commission is already on hold."
        case .notOnHold: return "The commission is not on hold, so there is nothing to release."
        case .alreadyPaid: return "The commission was already paid out; a paid commission is never changed."
        case .alreadyVoided: return "The commission is voided; a voided commission never comes back."
        case .inPayout: return "The commission is in an open payout, so it cannot be changed."
        case .clawbackEntry: return "This entry is a clawback (a negative entry): it is only netted in a payout or voided."
        case .invalidVoidReason: return "That is not a reason a commission can be voided for by hand."
        case .unknownCommission: return "No commission has this id."
        case .refundExceedsSale: return "The refunds would add up to more than the sale, so this refund was refused."
        case .refundCurrencyMismatch: return "The refund's currency differs from the sale's."
        case .invalidRefundAmount: return "The refund amount is zero or negative."
        case .unknownSale:
            return "No credited conversion matches the refunded or disputed payment: its sale was never ingested, or it was refused."
        case .refundAlreadyApplied: return "This refund was already applied; nothing changed."
        case .disputeAlreadyRecorded: return "This dispute status was already recorded; nothing changed."
        case .disputeOnPaid: return "The disputed commission was already in a payout; it is clawed back if the dispute is lost."
        case .refundReversed: return "The refund failed or was canceled, so what it took back from the commission was given back."
        case .refundAlreadyReversed: return "This refund was already reversed (it failed or was canceled); nothing changed."
        case .reversalAfterPayout: return "The refund failed or was canceled, but what it took back was already settled in a payout."
        case .belowMinimum: return "The affiliate's balance is below the payout minimum; it carries over to the next payout."
        case .nothingToPay: return "The affiliate's balance is negative (clawbacks exceed what is due); it carries over."
        case .payoutNotOpen: return "The payout is not open (it was paid or canceled)."
        case .payoutAlreadyPaid: return "The payout was marked paid; a paid payout cannot be canceled."
        case .unknownPayout: return "No payout has this id."
        case .noPayoutEmail: return "The affiliate has no email to pay to, so the payout cannot be exported for them."
        case .amountOverflow: return "The amounts add up to more than affdesk can hold."
        }
    }

    /// How to fix it, for a human.
    public var hint: String {
        switch self {
        case .refunded: return "Nothing to do: the affiliate earns nothing on a refunded sale."
        case .disputed: return "Nothing to do; if the merchant wins the money back later, add the conversion again by hand."
        case .canceledByAdmin: return "Nothing to do; to pay it after all, add the conversion again by hand."
        case .selfReferral: return "Check the customer: release the commission if the sale is genuine, or void it."
        case .duplicate: return "Nothing to do: the other commission is the one paid."
        case .adminHold: return "Release it when the question is settled (affdesk commissions release ID), or void it."
        case .approvalRequired: return "Approve it (affdesk commissions approve ID), or void it; raise approval_above to approve fewer by hand."
        case .disputeOpen: return "Nothing to do: it goes back to where it was if the dispute is won, and is voided if it is lost."
        case .alreadyApproved: return "Nothing to do."
        case .alreadyOnHold: return "Nothing to do; release it when the question is settled."
        case .notOnHold: return "Choose a commission that is on hold (affdesk commissions list --state on_hold)."
        case .alreadyPaid: return "A refund of a paid sale becomes a clawback netted against the next payout; nothing else is needed."
        case .alreadyVoided: return "Add the conversion again by hand if it should be paid after all."
        case .inPayout: return "Cancel the open payout first (affdesk payouts cancel ID), then change the commission."
        case .clawbackEntry: return "Void the clawback if the affiliate should keep the money; otherwise leave it to the next payout."
        case .invalidVoidReason: return "Use --reason canceled_by_admin, self_referral or duplicate."
        case .unknownCommission: return "List the commissions (affdesk commissions list) and use an id from there."
        case .refundExceedsSale: return "Check the refund's amount; a refund already counted (by another id) is not counted twice."
        case .refundCurrencyMismatch: return "Send the refund in the currency the sale was paid in."
        case .invalidRefundAmount: return "Send the amount refunded, in major units, greater than zero; leave it out for a full refund."
        case .unknownSale:
            return "If the sale should earn a commission, credit it first (triage its invoice, charge or order id; replay it once fixed, "
                + "or add it by hand), then send the refund again as a tracking line with the same ids "
                + "({\"type\":\"refund\",\"external_id\":…,\"refund_id\":…}, affdesk ingest); a sale refunded before it was ever credited needs nothing."
        case .refundAlreadyApplied: return "Nothing to do: a retried refund never reduces a commission twice."
        case .disputeAlreadyRecorded: return "Nothing to do: a retried dispute event changes nothing."
        case .disputeOnPaid: return "Nothing to do now; a lost dispute is netted against the affiliate's next payout."
        case .refundReversed: return "Nothing to do: the commission stands as if the refund had never been made."
        case .refundAlreadyReversed: return "Nothing to do: a failed refund is given back once, and never applied again."
        case .reversalAfterPayout: return "Credit the affiliate by hand (add the amount as a manual conversion), then resolve this event."
        case .belowMinimum: return "Nothing to do: it is paid once the balance reaches the minimum, or lower --min."
        case .nothingToPay: return "Nothing to do: the clawbacks are netted against the affiliate's next commissions."
        case .payoutNotOpen: return "Choose an open payout (affdesk payouts list)."
        case .payoutAlreadyPaid: return "A refund after payment becomes a clawback netted against the next payout."
        case .unknownPayout: return "List the payouts (affdesk payouts list) and use an id from there."
        case .noPayoutEmail: return "Set the affiliate's email (affdesk affiliates set CODE --email E, or E on the Affiliates tab), then export again; the others were exported."
        case .amountOverflow: return "Create smaller payouts (an earlier --through date)."
        }
    }

    /// A refusal, for an error message: the sentence, the detail and the fix.
    public func refusal(_ detail: String? = nil) -> LedgerRefusal { LedgerRefusal(reason: self, detail: detail) }
}

/// A refused ledger action or event: the reason code and what it was about.
public struct LedgerRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public var reason: LedgerReason
    public var detail: String?
    public init(reason: LedgerReason, detail: String? = nil) { self.reason = reason; self.detail = detail }
    /// "refund_exceeds_sale: The refunds would ... (detail). Fix: ..."
    public var description: String {
        "\(reason.rawValue): \(reason.sentence)\(detail.map { " (\($0))" } ?? "") Fix: \(reason.hint)"
    }
}

/// Whether `code` names an event's reason or note (`Reason`) or a ledger's (`LedgerReason`): the
/// codes a list of events can be narrowed to.
public func isEventReasonCode(_ code: String) -> Bool {
    Reason(rawValue: code) != nil || LedgerReason(rawValue: code) != nil
}
