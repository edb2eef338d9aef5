import AttributionCore
import GRDB

/// An admin's change: the core decides, the store applies it in one transaction with its audit
/// entry (`UnitOfWork.decideAndApply`). A refusal writes nothing and comes back as the decision.
extension Store {
    public func setStatus(customerKey: String, to status: CustomerStatus, who: String) throws -> Decision {
        try write { db in
            let work = try UnitOfWork(db, store: self)
            guard let c = try work.facts.customer(key: customerKey) else { throw StoreError.notFound(what: "customer", value: customerKey) }
            let s = work.engine.settings
            return try work.decideAndApply({ engine, _ in engine.setStatus(c, to: status) }, audit: { _ in
                AuditEntry(who: who, action: "customer.status", target: customerKey, before: s.label(c.status), after: s.label(status),
                           detail: nil)
            })
        }
    }

    public func reassign(customerKey: String, toAffiliate code: String, who: String) throws -> Decision {
        try write { db in
            let work = try UnitOfWork(db, store: self)
            guard let c = try work.facts.customer(key: customerKey) else { throw StoreError.notFound(what: "customer", value: customerKey) }
            guard let target = try work.facts.affiliate(code: code) else { throw StoreError.notFound(what: "affiliate", value: code) }
            let before = try work.facts.affiliate(id: c.affiliateID)?.code
            return try work.decideAndApply({ engine, _ in engine.reassign(c, to: target) }, audit: { d in
                AuditEntry(who: who, action: "customer.reassign", target: customerKey, before: before, after: code, detail: d.detail)
            })
        }
    }

    /// A conversion entered by hand (an admin override): credited to the customer's affiliate,
    /// or to `affiliateCode` when given.
    public func addManualConversion(externalID: String, amount: Money, customerKey: String?, affiliateCode: String?,
                                    at: Instant? = nil, who: String, detail: String? = nil,
                                    resolving eventID: Int64? = nil) throws -> Decision {
        for (field, value) in [("external_id", externalID), ("customer_key", customerKey ?? "")] where value.utf8.contains(0) {
            throw StoreError.invalid(field: field, message: "must not contain a NUL character")
        }
        return try write { db in
            let work = try UnitOfWork(db, store: self)
            var aff: AffiliateFact?
            if let code = affiliateCode {
                guard let a = try work.facts.affiliate(code: code) else { throw StoreError.notFound(what: "affiliate", value: code) }
                aff = a
            }
            let when = at ?? self.clock.now()
            let d = try work.decideAndApply({ engine, facts in
                try engine.manualConversion(externalID: externalID, amount: amount, customerKey: customerKey,
                                            affiliate: aff, at: when, facts: facts)
            }, audit: { d in
                let credited = d.conversion.map {
                    "\($0.amount) -> \((try? work.facts.affiliate(id: $0.affiliateID))?.code ?? "?") commission \($0.commission)"
                } ?? ""
                return AuditEntry(who: who, action: "conversion.add", target: externalID, before: nil,
                                  after: credited + (customerKey.map { " customer \($0)" } ?? ""), detail: detail ?? d.detail)
            })
            // Added from a stored event: that event is resolved by it (Resolution.swift).
            if d.isAccepted, let eventID { try self.resolveByManualConversion(db, eventID: eventID, externalID: externalID, who: who) }
            return d
        }
    }
}
