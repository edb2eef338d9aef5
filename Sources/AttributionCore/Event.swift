/// The tracking events the core decides on. Adapters (tracking JSONL, Stripe, WooCommerce) and the
/// admin's actions all become these.
public enum Event: Hashable, Sendable {
    case click(Click)
    case track(Track)
    case conversion(Conversion)
    case cancel(Cancel)
    case subscription(Subscription)

    public enum Kind: String, CaseIterable, Sendable, Codable {
        case click, trial, lead, signup, conversion, cancel, subscription
    }

    public var kind: Kind {
        switch self {
        case .click: return .click
        case .track(let t): return t.kind
        case .conversion: return .conversion
        case .cancel: return .cancel
        case .subscription: return .subscription
        }
    }

    public var at: Instant {
        switch self {
        case .click(let e): return e.at
        case .track(let e): return e.at
        case .conversion(let e): return e.at
        case .cancel(let e): return e.at
        case .subscription(let e): return e.at
        }
    }

    /// The identifiers the event names, as triage looks events up: the click it is or comes
    /// from, the customer's key, and the external id (for a subscription, its parent payment).
    public var identifiers: (clickID: String?, customerKey: String?, externalID: String?) {
        switch self {
        case .click(let c): return (c.clickID, nil, nil)
        case .track(let t): return (t.clickID, t.customerKey, nil)
        case .conversion(let c): return (c.clickID, c.customerKey, c.externalID)
        case .cancel(let c): return (nil, c.customerKey, nil)
        case .subscription(let c): return (nil, c.customerKey, c.parentExternalID)
        }
    }

    /// An affiliate link visit (`?aff=CODE`).
    public struct Click: Hashable, Sendable {
        public var clickID: String
        public var affiliateCode: String
        public var at: Instant
        public init(clickID: String, affiliateCode: String, at: Instant) {
            self.clickID = clickID; self.affiliateCode = affiliateCode; self.at = at
        }
    }

    /// trial / lead / signup: the customer is identified.
    public struct Track: Hashable, Sendable {
        public var kind: Kind
        public var customerKey: String
        public var clickID: String?
        public var at: Instant
        /// Optional contact detail kept with the customer (never shown to affiliates).
        public var email: String?
        public init(kind: Kind, customerKey: String, clickID: String?, at: Instant, email: String? = nil) {
            precondition(kind == .trial || kind == .lead || kind == .signup)
            self.kind = kind; self.customerKey = customerKey; self.clickID = clickID; self.at = at; self.email = email
        }
    }

    /// A payment: one-off, first payment or renewal.
    public struct Conversion: Hashable, Sendable {
        public var externalID: String
        public var amount: Money
        /// The amount commission is computed on, when it differs (e.g. tax excluded).
        public var commissionBase: Money?
        public var customerKey: String?
        public var clickID: String?
        /// A first payment of a subscription: a $0 one is a trial, logged and not paid.
        public var isFirstPayment: Bool
        public var at: Instant
        /// The subscription the payment belongs to (a Stripe `sub_...`, a WooCommerce subscription).
        /// The stored history of that subscription decides who is credited.
        public var subscriptionID: String?
        /// The payment platform calls it a renewal (Stripe `subscription_cycle`, a WooCommerce
        /// renewal order). The stored history is the authority: a renewal of a subscription never
        /// credited before is treated as its first payment, or refused.
        public var isRenewal: Bool
        /// The conversion that started the subscription, when the payload names it (a WooCommerce
        /// renewal's parent order): used when the subscription itself is not known yet.
        public var parentExternalID: String?
        public init(externalID: String, amount: Money, commissionBase: Money? = nil, customerKey: String? = nil,
                    clickID: String? = nil, isFirstPayment: Bool = false, at: Instant,
                    subscriptionID: String? = nil, isRenewal: Bool = false, parentExternalID: String? = nil) {
            self.externalID = externalID; self.amount = amount; self.commissionBase = commissionBase
            self.customerKey = customerKey; self.clickID = clickID; self.isFirstPayment = isFirstPayment; self.at = at
            self.subscriptionID = subscriptionID; self.isRenewal = isRenewal; self.parentExternalID = parentExternalID
        }
    }

    /// The customer ends (a canceled subscription): named by its key, or by a subscription whose
    /// stored history names the customer.
    public struct Cancel: Hashable, Sendable {
        public var customerKey: String?
        public var subscriptionID: String?
        public var at: Instant
        public init(customerKey: String, at: Instant) { self.customerKey = customerKey; self.at = at }
        public init(customerKey: String?, subscriptionID: String?, at: Instant) {
            self.customerKey = customerKey; self.subscriptionID = subscriptionID; self.at = at
        }
    }

    /// A subscription and the conversion that started it (a WooCommerce subscription and its
    /// parent order): links the two, so that later renewals naming only the subscription find
    /// the customer and affiliate.
    public struct Subscription: Hashable, Sendable {
        public var subscriptionID: String
        /// The external id of the conversion that started it; nil when the payload names none.
        public var parentExternalID: String?
        public var customerKey: String?
        public var at: Instant
        public init(subscriptionID: String, parentExternalID: String?, customerKey: String? = nil, at: Instant) {
            self.subscriptionID = subscriptionID; self.parentExternalID = parentExternalID
            self.customerKey = customerKey; self.at = at
        }
    }
}

/// What the core needs to know about the stored world to decide. The store answers from SQLite
/// inside the event's transaction, and a failed read is thrown (`Failure`); tests answer from
/// memory and cannot fail (`Failure` is `Never`, so deciding against them needs no `try`).
public protocol Facts {
    associatedtype Failure: Error = Never
    func affiliate(code: String) throws(Failure) -> AffiliateFact?
    func affiliate(id: Int64) throws(Failure) -> AffiliateFact?
    func click(id: String) throws(Failure) -> ClickFact?
    func customer(key: String) throws(Failure) -> CustomerFact?
    func capHistory(customerID: Int64) throws(Failure) -> CapHistory
    func conversionExists(externalID: String) throws(Failure) -> Bool
    func clickExists(id: String) throws(Failure) -> Bool
    /// Who the subscription's latest credited conversion went to; nil when none was credited.
    func subscription(id: String) throws(Failure) -> SubscriptionFact?
    /// A credited conversion by its external id.
    func conversion(externalID: String) throws(Failure) -> ConversionFact?
    /// How many conversions of the subscription were credited to the affiliate so far: the next
    /// one's 0-based renewal index.
    func creditedConversions(subscriptionID: String, affiliateID: Int64) throws(Failure) -> Int
}

extension Facts {
    public func clickExists(id: String) throws(Failure) -> Bool { try click(id: id) != nil }
    public func subscription(id: String) throws(Failure) -> SubscriptionFact? { nil }
    public func conversion(externalID: String) throws(Failure) -> ConversionFact? { nil }
    public func creditedConversions(subscriptionID: String, affiliateID: Int64) throws(Failure) -> Int { 0 }
}
