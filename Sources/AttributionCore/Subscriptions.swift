/// What the stored history says about a subscription: who its latest credited conversion went to.
public struct SubscriptionFact: Hashable, Sendable {
    public var id: String
    /// The customer the subscription's conversions are for; nil when they were one-offs by click.
    public var customer: CustomerFact?
    /// The affiliate credited with the latest of them.
    public var affiliateID: Int64
    public init(id: String, customer: CustomerFact?, affiliateID: Int64) {
        self.id = id; self.customer = customer; self.affiliateID = affiliateID
    }
}

/// A credited conversion, as the subscription rules need it.
public struct ConversionFact: Hashable, Sendable {
    public var externalID: String
    public var customer: CustomerFact?
    public var affiliateID: Int64
    public var subscriptionID: String?
    public init(externalID: String, customer: CustomerFact?, affiliateID: Int64, subscriptionID: String?) {
        self.externalID = externalID; self.customer = customer; self.affiliateID = affiliateID
        self.subscriptionID = subscriptionID
    }
}

/// Recurring payments (Stripe subscriptions, WooCommerce Subscriptions). The stored history is
/// the authority, whatever the payment platform calls a payment:
///
/// - a payment for a subscription with a credited conversion on record is a renewal: credited to
///   the subscription's customer (so to the customer's current affiliate, within the lifecycle
///   and the caps), or, when its payments were one-offs by click, to the affiliate credited last;
/// - a renewal of a subscription with nothing on record, whose payload names the subscription's
///   parent (a WooCommerce parent order) that was credited, is credited like that parent, and the
///   parent is marked as the subscription's start;
/// - any other renewal of an unknown subscription is credited as the subscription's first payment
///   when it names a customer key or a click (noted `renewal_first_seen`: the paid invoice after a
///   free trial, or history that was never ingested), and refused `unknown_subscription` otherwise;
/// - with Recurring/Lifetime commissions off, renewals earn nothing (`recurring_off`).
///
/// Every conversion of a subscription carries its 0-based renewal index: how many conversions of
/// that subscription were credited to the same affiliate before it.
extension Engine {
    func conversion<F: Facts>(_ e: Event.Conversion, _ facts: F) throws(F.Failure) -> Decision {
        // A payment outside any subscription: the common case, with no subscription fact to ask for.
        if e.subscriptionID == nil && !e.isRenewal { return try plainConversion(e, facts) }
        if try facts.conversionExists(externalID: e.externalID) {
            return .rejected(.duplicateExternalID, "external id \(e.externalID) was credited before")
        }
        if let (reason, detail) = Engine.amountProblem(e.amount, base: e.commissionBase) { return .rejected(reason, detail) }
        var d: Decision
        var linkedParent: ConversionFact?
        if let sid = e.subscriptionID, let known = try facts.subscription(id: sid) {
            d = try renewal(e, of: known, facts)
        } else if let sid = e.subscriptionID, e.isRenewal, let p = e.parentExternalID, let parent = try facts.conversion(externalID: p) {
            d = try renewal(e, of: SubscriptionFact(id: sid, customer: parent.customer, affiliateID: parent.affiliateID), facts,
                        via: p)
            if d.isAccepted, parent.subscriptionID == nil {
                d.subscriptionLink = SubscriptionLink(externalID: p, subscriptionID: sid)
                linkedParent = parent
            }
        } else if e.isRenewal {
            d = try firstSeenRenewal(e, facts)
        } else {
            d = try plainConversion(e, facts)
        }
        if var c = d.conversion, let sid = e.subscriptionID {
            var earlier = try facts.creditedConversions(subscriptionID: sid, affiliateID: c.affiliateID)
            if let p = linkedParent, p.affiliateID == c.affiliateID { earlier += 1 }
            c.subscriptionID = sid
            c.renewalIndex = earlier
            d.conversion = c
            d.detail = [d.detail, "renewal index \(earlier)"].compactMap { $0 }.joined(separator: "; ")
        }
        return d
    }

    /// A payment of a subscription with history: credited to whom the history names.
    func renewal<F: Facts>(_ e: Event.Conversion, of sub: SubscriptionFact, _ facts: F, via parent: String? = nil) throws(F.Failure) -> Decision {
        let lead = "renewal of subscription \(sub.id)" + (parent.map { " (parent \($0))" } ?? "")
        func say(_ d: Decision) -> Decision {
            var d = d
            d.detail = [lead, d.detail].compactMap { $0 }.joined(separator: ": ")
            return d
        }
        let affiliateID = sub.customer?.affiliateID ?? sub.affiliateID
        if !settings.recurring {
            var d = Decision.rejected(.recurringOff, "Recurring/Lifetime commissions is off, so renewals earn nothing",
                                      notes: e.customerKey == nil ? [] : [.customerKeyIgnored])
            d.affiliateID = affiliateID
            return say(d)
        }
        if let c = sub.customer {
            var r = e
            r.isFirstPayment = false
            let d = try credit(r, to: c, facts, notes: [])
            return say(d)
        }
        // The subscription's payments were one-offs by click: its affiliate keeps earning.
        guard let aff = try facts.affiliate(id: sub.affiliateID) else {
            return say(.rejected(.unknownAffiliate, "the affiliate credited before no longer exists"))
        }
        if aff.disabled {
            var d = Decision.rejected(.affiliateDisabled, "affiliate \(aff.code) is disabled")
            d.affiliateID = aff.id
            return say(d)
        }
        if e.amount.minor == 0 {
            var d = Decision.rejected(.invalidAmount, "amount is zero")
            d.affiliateID = aff.id
            return say(d)
        }
        var d = Decision.accepted(detail: "one-off credited to \(aff.code), who was credited before (no customer)")
        d.affiliateID = aff.id
        d.conversion = NewConversion(externalID: e.externalID, amount: e.amount,
                                     commission: rate(for: aff).commission(on: e.commissionBase ?? e.amount),
                                     affiliateID: aff.id, customer: nil, clickID: nil, at: e.at, manual: false)
        return say(d)
    }

    /// A renewal of a subscription with nothing on record.
    func firstSeenRenewal<F: Facts>(_ e: Event.Conversion, _ facts: F) throws(F.Failure) -> Decision {
        let what = e.subscriptionID.map { "subscription \($0) has no credited payment on record" } ?? "the renewal names no subscription"
        let parent = e.parentExternalID.map { " (its parent \($0) was never credited)" } ?? ""
        guard e.customerKey != nil || e.clickID != nil else {
            return .rejected(.unknownSubscription, "\(what)\(parent), and the event names no customer key or click")
        }
        var first = e
        first.isFirstPayment = true
        first.isRenewal = false
        var d = try plainConversion(first, facts)
        if d.isAccepted {
            d.notes.insert(.renewalFirstSeen, at: 0)
            d.detail = [what + parent + ": credited as its first payment", d.detail].compactMap { $0 }.joined(separator: "; ")
        } else if d.reason == .noAttribution {
            let who = e.customerKey.map { "customer \($0) is not tracked" } ?? "no customer key"
            var r = Decision.rejected(.unknownSubscription, "\(what)\(parent), \(who) and no click_id was sent", notes: d.notes)
            r.affiliateID = d.affiliateID
            d = r
        } else {
            d.detail = [what + parent, d.detail].compactMap { $0 }.joined(separator: "; ")
        }
        return d
    }

    /// Links a subscription to the conversion that started it.
    func subscription<F: Facts>(_ e: Event.Subscription, _ facts: F) throws(F.Failure) -> Decision {
        func code(_ id: Int64) throws(F.Failure) -> String { try facts.affiliate(id: id)?.code ?? "affiliate #\(id)" }
        if let known = try facts.subscription(id: e.subscriptionID) {
            let aff = known.customer?.affiliateID ?? known.affiliateID
            let name = try code(aff)
            var d = Decision.accepted(detail: "subscription \(e.subscriptionID) is already on record (credited to \(name))")
            d.affiliateID = aff
            return d
        }
        var keyAffiliate: Int64?
        if let key = e.customerKey { keyAffiliate = try facts.customer(key: key)?.affiliateID }
        guard let p = e.parentExternalID else {
            var d = Decision.rejected(.unknownParentOrder, "subscription \(e.subscriptionID) names no parent order")
            d.affiliateID = keyAffiliate
            return d
        }
        guard let parent = try facts.conversion(externalID: p) else {
            var d = Decision.rejected(.unknownParentOrder, "parent \(p) of subscription \(e.subscriptionID) was never credited")
            d.affiliateID = keyAffiliate
            return d
        }
        let aff = parent.customer?.affiliateID ?? parent.affiliateID
        var d: Decision
        if let other = parent.subscriptionID {
            d = .accepted(detail: "parent \(p) already starts subscription \(other); renewals of \(e.subscriptionID) are credited by "
                          + "their parent or customer key")
        } else {
            let name = try code(parent.affiliateID)
            d = .accepted(detail: "subscription \(e.subscriptionID) starts with \(p), credited to \(name)")
            d.subscriptionLink = SubscriptionLink(externalID: p, subscriptionID: e.subscriptionID)
        }
        d.affiliateID = aff
        return d
    }

    /// The customer a cancel names: by its subscription's history first, else by its key.
    func cancelTarget<F: Facts>(_ e: Event.Cancel, _ facts: F) throws(F.Failure) -> Result<CustomerFact, Refusal> {
        if let s = e.subscriptionID, let c = try facts.subscription(id: s)?.customer { return .success(c) }
        if let key = e.customerKey {
            guard let c = try facts.customer(key: key) else {
                return .failure(Refusal(decision: .rejected(.unknownCustomer, "no customer has the key \(key)")))
            }
            return .success(c)
        }
        guard let s = e.subscriptionID else {
            return .failure(Refusal(decision: .rejected(.invalidEvent, "the cancel names no customer_key and no subscription")))
        }
        if let known = try facts.subscription(id: s) {
            var d = Decision.rejected(.unknownCustomer, "subscription \(s) was paid as one-offs by click: there is no customer to cancel")
            d.affiliateID = known.affiliateID
            return .failure(Refusal(decision: d))
        }
        return .failure(Refusal(decision: .rejected(.unknownSubscription,
                                                    "subscription \(s) has no credited payment on record and the event names no customer key")))
    }
}
