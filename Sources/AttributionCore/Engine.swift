/// The attribution rules. Pure: given the program's settings, the facts it asks for and an event
/// or an admin action, it returns a Decision. It never writes, never reads a clock.
public struct Engine: Sendable {
    public var settings: ProgramSettings

    public init(settings: ProgramSettings) { self.settings = settings }

    // MARK: Events

    public func decide<F: Facts>(_ event: Event, facts: F) throws(F.Failure) -> Decision {
        if let field = Engine.malformedField(event) {
            return .rejected(.invalidEvent, "\(field) is empty")
        }
        // The feeds check times at the door, naming their own field; this holds for any caller.
        if let problem = Instant.rangeProblem(event.at.seconds) {
            return .rejected(.invalidEvent, "at: \(problem)")
        }
        switch event {
        case .click(let e): return try click(e, facts)
        case .track(let e): return try track(e, facts)
        case .conversion(let e): return try conversion(e, facts)
        case .cancel(let e): return try cancel(e, facts)
        case .subscription(let e): return try subscription(e, facts)
        }
    }

    /// The first identifier of an event that is present but empty (or only spaces), if any. An
    /// empty id would otherwise become a customer, click or conversion nobody can find again.
    /// Adapters should pass nil for an absent optional field, never "".
    public static func malformedField(_ event: Event) -> String? {
        event.firstTextField { $0.isIdentifier && ($0.value.map { $0.trimmingSpaces.isEmpty } ?? false) }?.blankName
    }

    /// Why an amount (and the commission base, when there is one) cannot be paid on, or nil.
    /// Zero passes here: whether $0 is a trial or an invalid amount depends on the event.
    static func amountProblem(_ amount: Money, base: Money?) -> (Reason, String)? {
        if amount.minor < 0 { return (.invalidAmount, "amount \(amount) is negative") }
        if amount.minor > Money.maxMinor { return (.invalidAmount, "amount \(amount) is out of range") }
        if let b = base {
            if b.currency != amount.currency {
                return (.invalidEvent, "the commission base is in \(b.currency) but the amount is in \(amount.currency)")
            }
            if b.minor < 0 { return (.invalidAmount, "commission base \(b) is negative") }
            if b.minor > Money.maxMinor { return (.invalidAmount, "commission base \(b) is out of range") }
        }
        return nil
    }

    func click<F: Facts>(_ e: Event.Click, _ facts: F) throws(F.Failure) -> Decision {
        if try facts.clickExists(id: e.clickID) { return .rejected(.duplicateClick, "click \(e.clickID) was recorded before") }
        guard let aff = try facts.affiliate(code: e.affiliateCode) else {
            return .rejected(.unknownAffiliate, "no affiliate has the code \(e.affiliateCode)")
        }
        if aff.disabled {
            var d = Decision.rejected(.affiliateDisabled, "affiliate \(aff.code) is disabled")
            d.affiliateID = aff.id
            return d
        }
        var d = Decision.accepted()
        d.newClick = ClickFact(clickID: e.clickID, affiliateID: aff.id, at: e.at)
        d.affiliateID = aff.id
        return d
    }

    func track<F: Facts>(_ e: Event.Track, _ facts: F) throws(F.Failure) -> Decision {
        if let c = try facts.customer(key: e.customerKey) {
            var d = Decision.rejected(.alreadyTracked, "customer \(e.customerKey) was tracked before (status \(settings.label(c.status)))")
            d.affiliateID = c.affiliateID
            return d
        }
        let click: ClickFact, aff: AffiliateFact
        switch try attribute(clickID: e.clickID, at: e.at, facts) {
        case .failure(let f): return f.decision
        case .success(let found): (click, aff) = found
        }
        var d = Decision.accepted(detail: "attributed to \(aff.code) by click \(click.clickID)")
        d.newCustomer = NewCustomer(key: e.customerKey, affiliateID: aff.id, status: .initial, clickID: click.clickID, at: e.at,
                                    email: e.email)
        d.affiliateID = aff.id
        return d
    }

    func cancel<F: Facts>(_ e: Event.Cancel, _ facts: F) throws(F.Failure) -> Decision {
        let c: CustomerFact
        switch try cancelTarget(e, facts) {
        case .failure(let f): return f.decision
        case .success(let found): c = found
        }
        var d: Decision
        if c.status == .ended {
            d = .rejected(.customerEnded, "customer is already \(settings.label(.ended))")
        } else {
            d = .accepted(detail: "\(settings.label(c.status)) -> \(settings.label(.ended))")
            d.statusChange = StatusChange(customer: .existing(c.id), from: c.status, to: .ended)
        }
        d.affiliateID = c.affiliateID
        return d
    }

    /// A conversion as one payment on its own: a one-off, or a payment for a customer (see
    /// `conversion` for the subscription rules around it).
    func plainConversion<F: Facts>(_ e: Event.Conversion, _ facts: F) throws(F.Failure) -> Decision {
        if try facts.conversionExists(externalID: e.externalID) {
            return .rejected(.duplicateExternalID, "external id \(e.externalID) was credited before")
        }
        if let (reason, detail) = Engine.amountProblem(e.amount, base: e.commissionBase) { return .rejected(reason, detail) }

        var notes: [Reason] = []
        if let key = e.customerKey {
            if settings.recurring {
                if let c = try facts.customer(key: key) {
                    return try credit(e, to: c, facts, notes: [])
                }
                // An immediate paid sign-up: the customer is created with the conversion.
                switch try attribute(clickID: e.clickID, at: e.at, facts) {
                case .failure(let f): return f.decision
                case .success(let (click, aff)):
                    let isTrial = e.amount.minor == 0
                    var d = Decision.accepted(detail: "new customer \(key) attributed to \(aff.code) by click \(click.clickID)")
                    d.affiliateID = aff.id
                    d.newCustomer = NewCustomer(key: key, affiliateID: aff.id, status: isTrial ? .initial : .active,
                                                clickID: click.clickID, at: e.at)
                    if isTrial { d.notes = [.trialNoCommission]; return d }
                    return pay(e, affiliate: aff, customer: .created, status: .active, history: .empty, clickID: click.clickID, d)
                }
            }
            notes.append(.customerKeyIgnored)
            if e.clickID == nil {
                var d = Decision.rejected(.recurringOff, "customer_key \(key) ignored and no click_id sent", notes: notes)
                d.affiliateID = try facts.customer(key: key)?.affiliateID
                return d
            }
        }
        // A one-off, credited by click.
        switch try attribute(clickID: e.clickID, at: e.at, facts) {
        case .failure(let f):
            var d = f.decision
            d.notes = notes + d.notes
            return d
        case .success(let (click, aff)):
            var d = Decision.accepted(detail: "one-off credited to \(aff.code) by click \(click.clickID)")
            d.notes = notes
            d.affiliateID = aff.id
            if e.amount.minor == 0 {
                if e.isFirstPayment { d.notes.append(.trialNoCommission); return d }
                var r = Decision.rejected(.invalidAmount, "amount is zero", notes: notes)
                r.affiliateID = aff.id
                return r
            }
            var paid = d
            paid.conversion = NewConversion(externalID: e.externalID, amount: e.amount,
                                            commission: rate(for: aff).commission(on: e.commissionBase ?? e.amount),
                                            affiliateID: aff.id, customer: nil, clickID: click.clickID, at: e.at, manual: false)
            return paid
        }
    }

    /// A conversion for a tracked customer: credited to the customer's current affiliate.
    func credit<F: Facts>(_ e: Event.Conversion, to c: CustomerFact, _ facts: F, notes: [Reason], manual: Bool = false,
                          affiliate override: AffiliateFact? = nil) throws(F.Failure) -> Decision {
        var base = Decision.accepted()
        base.affiliateID = c.affiliateID
        switch c.status {
        case .ended:
            var d = Decision.rejected(.customerEnded, "customer \(c.key) is \(settings.label(.ended))", notes: notes)
            d.affiliateID = c.affiliateID
            return d
        case .capped:
            var d = Decision.rejected(.customerCapped, "customer \(c.key) is \(settings.label(.capped))", notes: notes)
            d.affiliateID = c.affiliateID
            return d
        case .initial, .active: break
        }
        let found: AffiliateFact?
        if let override { found = override } else { found = try facts.affiliate(id: c.affiliateID) }
        guard let aff = found else {
            return .rejected(.unknownAffiliate, "the customer's affiliate no longer exists", notes: notes)
        }
        if aff.disabled && !manual {
            var d = Decision.rejected(.affiliateDisabled, "affiliate \(aff.code) is disabled", notes: notes)
            d.affiliateID = aff.id
            return d
        }
        base.notes = notes
        base.affiliateID = aff.id
        if e.amount.minor == 0 {
            if e.isFirstPayment || c.status == .initial {
                base.notes.append(.trialNoCommission)
                return base
            }
            var r = Decision.rejected(.invalidAmount, "amount is zero", notes: notes)
            r.affiliateID = aff.id
            return r
        }
        base.detail = "credited to \(aff.code) for customer \(c.key)"
        var e2 = e
        e2.clickID = nil
        let history = try facts.capHistory(customerID: c.id)
        return pay(e2, affiliate: aff, customer: .existing(c.id), status: c.status,
                   history: history, clickID: nil, base, manual: manual)
    }

    /// Computes the commission, applies the caps and sets the status after a payment.
    func pay(_ e: Event.Conversion, affiliate aff: AffiliateFact, customer: CustomerRef, status: CustomerStatus,
             history: CapHistory, clickID: String?, _ base: Decision, manual: Bool = false) -> Decision {
        var d = base
        var commission = rate(for: aff).commission(on: e.commissionBase ?? e.amount)
        let caps = settings.caps
        var capNow = false
        if let n = caps.count, history.commissions >= n {
            var r = Decision.rejected(.customerCapped, "the count cap of \(n) commissions was reached", notes: d.notes)
            r.affiliateID = aff.id
            if status != .capped, case .existing = customer { r.statusChange = StatusChange(customer: customer, from: status, to: .capped) }
            return r
        }
        if let m = caps.months, let first = history.firstCommissionAt, e.at >= first.adding(months: m) {
            var r = Decision.rejected(.customerCapped,
                                      "the \(m)-month cap from the first commission (\(first.dateDisplay)) ended on \(first.adding(months: m).dateDisplay)",
                                      notes: d.notes)
            r.affiliateID = aff.id
            if case .existing = customer { r.statusChange = StatusChange(customer: customer, from: status, to: .capped) }
            return r
        }
        // A customer's commissions add up in one currency: the first one's.
        if history.commissionTotal != 0, let paid = history.currency, paid != commission.currency {
            var r = Decision.rejected(.currencyMismatch, "commission in \(commission.currency), this customer's earlier commissions in \(paid)",
                                      notes: d.notes)
            r.affiliateID = aff.id
            return r
        }
        if let cap = caps.amount {
            if cap.currency != commission.currency {
                var r = Decision.rejected(.currencyMismatch, "commission in \(commission.currency), amount cap in \(cap.currency)", notes: d.notes)
                r.affiliateID = aff.id
                return r
            }
            // The total so far must be in the cap's currency too, or the two cannot be compared.
            if history.commissionTotal != 0, let paid = history.currency, paid != cap.currency {
                var r = Decision.rejected(.currencyMismatch, "commissions so far in \(paid), amount cap in \(cap.currency)", notes: d.notes)
                r.affiliateID = aff.id
                return r
            }
            let (difference, overflow) = cap.minor.subtractingReportingOverflow(history.commissionTotal)
            let remaining = overflow ? (history.commissionTotal < 0 ? Int64.max : Int64.min) : difference
            if remaining <= 0 {
                var r = Decision.rejected(.customerCapped, "the amount cap of \(cap) was reached", notes: d.notes)
                r.affiliateID = aff.id
                if case .existing = customer { r.statusChange = StatusChange(customer: customer, from: status, to: .capped) }
                return r
            }
            if commission.minor >= remaining {
                if commission.minor > remaining {
                    d.notes.append(.commissionClamped)
                    d.detail = [d.detail, "commission clamped from \(commission) to \(Money(minor: remaining, currency: cap.currency))"]
                        .compactMap { $0 }.joined(separator: "; ")
                    commission.minor = remaining
                }
                capNow = true
            }
        }
        if let r = Engine.totalOverflow(history, commission, affiliate: aff, notes: d.notes) { return r }
        if let n = caps.count, history.commissions + 1 >= n { capNow = true }
        d.conversion = NewConversion(externalID: e.externalID, amount: e.amount, commission: commission, affiliateID: aff.id,
                                     customer: customer, clickID: clickID, at: e.at, manual: manual)
        if capNow { d.notes.append(.capReached) }
        if case .created = customer {
            d.newCustomer?.status = capNow ? .capped : .active
        } else if capNow {
            d.statusChange = StatusChange(customer: customer, from: status, to: .capped)
        } else if status == .initial {
            d.statusChange = StatusChange(customer: customer, from: .initial, to: .active)
        }
        return d
    }

    /// A customer's total is a sum in Int64: a commission that would carry it past is refused
    /// (only a total an older build stored near the end of Int64 can get there).
    static func totalOverflow(_ history: CapHistory, _ commission: Money, affiliate aff: AffiliateFact, notes: [Reason]) -> Decision? {
        guard history.commissionTotal.addingReportingOverflow(commission.minor).overflow else { return nil }
        var r = Decision.rejected(.invalidAmount, "the customer's commission total \(history.commissionTotal) plus \(commission.minor) "
                                  + "is past the largest total affdesk can hold", notes: notes)
        r.affiliateID = aff.id
        return r
    }

    public func rate(for aff: AffiliateFact) -> Commission { aff.commission ?? settings.commission }

    struct Refusal: Error { var decision: Decision }

    /// Last click wins: the click must exist, be within the window and belong to an enabled affiliate.
    func attribute<F: Facts>(clickID: String?, at: Instant, _ facts: F) throws(F.Failure) -> Result<(ClickFact, AffiliateFact), Refusal> {
        guard let id = clickID else {
            return .failure(Refusal(decision: .rejected(.noAttribution, "no click_id and no tracked customer")))
        }
        guard let click = try facts.click(id: id) else {
            return .failure(Refusal(decision: .rejected(.unknownClick, "click \(id) was never recorded")))
        }
        let age = ClickAge(click: click.at, at: at, windowDays: settings.windowDays)
        if !age.withinWindow {
            var d = Decision.rejected(.clickExpired, "click \(id) is \(age.engineText); the window is \(settings.windowDays) days")
            d.affiliateID = click.affiliateID
            return .failure(Refusal(decision: d))
        }
        guard let aff = try facts.affiliate(id: click.affiliateID) else {
            return .failure(Refusal(decision: .rejected(.unknownAffiliate, "click \(id)'s affiliate no longer exists")))
        }
        if aff.disabled {
            var d = Decision.rejected(.affiliateDisabled, "affiliate \(aff.code) is disabled")
            d.affiliateID = aff.id
            return .failure(Refusal(decision: d))
        }
        return .success((click, aff))
    }
}
