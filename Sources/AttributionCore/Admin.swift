/// Manual changes an admin makes. Each returns a Decision exactly like an event does, so the
/// store applies, audits and the dashboard reports them the same way.
extension Engine {
    /// The one table of status changes an admin may make by hand. Nothing returns to initial:
    /// a customer becomes active through a conversion, never by hand from initial.
    public static let manualTransitions: [CustomerStatus: [CustomerStatus]] = [
        .initial: [.ended],
        .active: [.capped, .ended],
        .capped: [.active, .ended],
        .ended: [.active],
    ]

    public static func allowedTransitions(from s: CustomerStatus) -> [CustomerStatus] {
        manualTransitions[s] ?? []
    }

    public func setStatus(_ c: CustomerFact, to target: CustomerStatus) -> Decision {
        guard Engine.allowedTransitions(from: c.status).contains(target) else {
            var d = Decision.rejected(.transitionNotAllowed,
                                      "\(settings.label(c.status)) -> \(settings.label(target)) is not allowed; allowed: "
                                      + allowedList(from: c.status))
            d.affiliateID = c.affiliateID
            return d
        }
        var d = Decision.accepted(detail: "\(settings.label(c.status)) -> \(settings.label(target))")
        d.statusChange = StatusChange(customer: .existing(c.id), from: c.status, to: target)
        d.affiliateID = c.affiliateID
        return d
    }

    func allowedList(from s: CustomerStatus) -> String {
        let a = Engine.allowedTransitions(from: s).map { settings.label($0) }
        return a.isEmpty ? "none" : a.joined(separator: ", ")
    }

    /// Moves a customer to another affiliate. Credited conversions stay with who earned them.
    public func reassign(_ c: CustomerFact, to aff: AffiliateFact) -> Decision {
        if aff.id == c.affiliateID {
            var d = Decision.rejected(.sameAffiliate, "the customer already belongs to \(aff.code)")
            d.affiliateID = aff.id
            return d
        }
        if aff.disabled {
            var d = Decision.rejected(.affiliateDisabled, "affiliate \(aff.code) is disabled")
            d.affiliateID = aff.id
            return d
        }
        var d = Decision.accepted(detail: "future conversions go to \(aff.code); credited ones stay")
        d.reassignment = Reassignment(customerID: c.id, fromAffiliateID: c.affiliateID, toAffiliateID: aff.id)
        d.affiliateID = aff.id
        return d
    }

    /// An admin-entered conversion. It bypasses the Recurring toggle and the attribution window
    /// (the admin names who is credited) but not the lifecycle, the caps or the duplicate check.
    /// With a customer it is credited to the customer's affiliate unless `affiliate` names another.
    public func manualConversion<F: Facts>(externalID: String, amount: Money, customerKey: String?,
                                           affiliate: AffiliateFact?, at: Instant, facts: F) throws(F.Failure) -> Decision {
        if externalID.trimmingSpaces.isEmpty { return .rejected(.invalidEvent, "external_id is empty") }
        if let key = customerKey, key.trimmingSpaces.isEmpty { return .rejected(.invalidEvent, "customer_key is empty") }
        for (field, value) in [("external_id", externalID), ("customer_key", customerKey)] {
            if let v = value, let problem = Identifiers.problem(v) { return .rejected(.invalidEvent, "\(field) \(problem)") }
        }
        if let problem = Instant.rangeProblem(at.seconds) { return .rejected(.invalidEvent, "at: \(problem)") }
        if try facts.conversionExists(externalID: externalID) {
            return .rejected(.duplicateExternalID, "external id \(externalID) was credited before")
        }
        if amount.minor <= 0 { return .rejected(.invalidAmount, "amount \(amount) is not positive") }
        if amount.minor > Money.maxMinor { return .rejected(.invalidAmount, "amount \(amount) is out of range") }
        let e = Event.Conversion(externalID: externalID, amount: amount, customerKey: customerKey, at: at)
        if let key = customerKey {
            guard let c = try facts.customer(key: key) else {
                return .rejected(.unknownCustomer, "no customer has the key \(key)")
            }
            return try credit(e, to: c, facts, notes: [], manual: true, affiliate: affiliate)
        }
        guard let aff = affiliate else {
            return .rejected(.noAttribution, "name a customer or an affiliate to credit")
        }
        var d = Decision.accepted(detail: "one-off credited by hand to \(aff.code)")
        d.affiliateID = aff.id
        d.conversion = NewConversion(externalID: externalID, amount: amount, commission: rate(for: aff).commission(on: amount),
                                     affiliateID: aff.id, customer: nil, clickID: nil, at: at, manual: true)
        return d
    }
}
