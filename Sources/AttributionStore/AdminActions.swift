import AttributionCore
import GRDB

/// An admin's change: the core decides, the store applies it in one transaction with its audit
/// entry. A refusal writes nothing and comes back as the decision.
extension Store {
    public func setStatus(customerKey: String, to status: CustomerStatus, who: String) throws -> Decision {
        try write { db in
            let session = try IngestSession(db, store: self)
            guard let c = session.customer(key: customerKey) else { throw StoreError.notFound(what: "customer", value: customerKey) }
            let d = session.engine.setStatus(c, to: status)
            if d.isAccepted {
                try session.apply(d)
                try session.finish()
                let s = session.engine.settings
                try self.audit(db, who: who, action: "customer.status", target: customerKey,
                               before: s.label(c.status), after: s.label(status), detail: nil)
            }
            return d
        }
    }

    public func reassign(customerKey: String, toAffiliate code: String, who: String) throws -> Decision {
        try write { db in
            let session = try IngestSession(db, store: self)
            guard let c = session.customer(key: customerKey) else { throw StoreError.notFound(what: "customer", value: customerKey) }
            guard let target = session.affiliate(code: code) else { throw StoreError.notFound(what: "affiliate", value: code) }
            let d = session.engine.reassign(c, to: target)
            if d.isAccepted {
                try session.apply(d)
                try session.finish()
                try self.audit(db, who: who, action: "customer.reassign", target: customerKey,
                               before: session.affiliate(id: c.affiliateID)?.code, after: code, detail: d.detail)
            }
            return d
        }
    }

    /// A conversion entered by hand (an admin override): credited to the customer's affiliate,
    /// or to `affiliateCode` when given.
    public func addManualConversion(externalID: String, amount: Money, customerKey: String?, affiliateCode: String?,
                                    at: Instant? = nil, who: String, detail: String? = nil) throws -> Decision {
        for (field, value) in [("external_id", externalID), ("customer_key", customerKey ?? "")] where value.utf8.contains(0) {
            throw StoreError.invalid(field: field, message: "must not contain a NUL character")
        }
        return try write { db in
            let session = try IngestSession(db, store: self)
            var aff: AffiliateFact?
            if let code = affiliateCode {
                guard let a = session.affiliate(code: code) else { throw StoreError.notFound(what: "affiliate", value: code) }
                aff = a
            }
            let when = at ?? self.clock.now()
            let d = session.engine.manualConversion(externalID: externalID, amount: amount, customerKey: customerKey,
                                                    affiliate: aff, at: when, facts: session)
            try session.check()
            if d.isAccepted, let conv = d.conversion {
                try session.apply(d)
                try session.finish()
                try self.audit(db, who: who, action: "conversion.add", target: externalID, before: nil,
                               after: "\(conv.amount) -> \(session.affiliate(id: conv.affiliateID)?.code ?? "?") commission \(conv.commission)"
                                   + (customerKey.map { " customer \($0)" } ?? ""),
                               detail: detail ?? d.detail)
            }
            return d
        }
    }
}
