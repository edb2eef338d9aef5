/// The core's answer to an event or an admin action: accepted with what to write, or rejected
/// with a reason. A rejection may still carry a status change (a months cap that has run out
/// caps the customer as it rejects the conversion).
public struct Decision: Hashable, Sendable {
    public enum Outcome: String, Sendable, Codable { case accepted, rejected }

    public var outcome: Outcome
    /// Why it was refused; nil when accepted.
    public var reason: Reason?
    /// Notes on an accepted decision (or alongside a refusal), each a code with its own sentence.
    public var notes: [Reason] = []
    /// Specifics for a human: "click c1 is 73 days old; the window is 60 days".
    public var detail: String?

    // Effects, in the order the store applies them.
    public var newClick: ClickFact?
    public var newCustomer: NewCustomer?
    public var statusChange: StatusChange?
    public var conversion: NewConversion?
    public var reassignment: Reassignment?
    /// A subscription's starting conversion, to be marked as the subscription's (so later renewals
    /// that name only the subscription find who to credit).
    public var subscriptionLink: SubscriptionLink?
    /// The affiliate the event concerns, when one could be found (for search and triage).
    public var affiliateID: Int64?

    public static func rejected(_ reason: Reason, _ detail: String? = nil, notes: [Reason] = []) -> Decision {
        Decision(outcome: .rejected, reason: reason, notes: notes, detail: detail)
    }
    public static func accepted(detail: String? = nil) -> Decision {
        Decision(outcome: .accepted, reason: nil, detail: detail)
    }

    public var isAccepted: Bool { outcome == .accepted }
    /// The code shown in lists: the reason when refused, else the first note.
    public var code: Reason? { reason ?? notes.first }
}

/// Which customer an effect applies to: one already stored, or the one this decision creates.
public enum CustomerRef: Hashable, Sendable {
    case existing(Int64)
    case created
}

public struct NewCustomer: Hashable, Sendable {
    public var key: String
    public var affiliateID: Int64
    public var status: CustomerStatus
    public var clickID: String?
    public var at: Instant
    public var email: String? = nil
}

public struct StatusChange: Hashable, Sendable {
    public var customer: CustomerRef
    public var from: CustomerStatus
    public var to: CustomerStatus
}

public struct NewConversion: Hashable, Sendable {
    public var externalID: String
    public var amount: Money
    public var commission: Money
    public var affiliateID: Int64
    public var customer: CustomerRef?
    public var clickID: String?
    public var at: Instant
    /// Entered by an admin rather than received.
    public var manual: Bool
    /// The subscription the payment belongs to, if any.
    public var subscriptionID: String? = nil
    /// 0-based count of the subscription's conversions credited to this affiliate before this one
    /// (0 = the first payment credited to them, 1 = the first renewal, ...); nil without a subscription.
    public var renewalIndex: Int? = nil
}

/// Marks the conversion `externalID` as the start of `subscriptionID`.
public struct SubscriptionLink: Hashable, Sendable {
    public var externalID: String
    public var subscriptionID: String
    public init(externalID: String, subscriptionID: String) {
        self.externalID = externalID; self.subscriptionID = subscriptionID
    }
}

public struct Reassignment: Hashable, Sendable {
    public var customerID: Int64
    public var fromAffiliateID: Int64
    public var toAffiliateID: Int64
}
