import AttributionCore
import GRDB

/// What an admin change would decide now, on the same facts its write would read (`UnitOfWork`),
/// writing nothing: the dashboard shows a refusal before the confirmation. The change itself is
/// decided again inside its write transaction.
extension Store {
    public func previewStatus(customerKey: String, to status: CustomerStatus) throws -> Decision {
        try read { db in
            let work = try UnitOfWork(db, store: self)
            guard let c = try work.facts.customer(key: customerKey) else { return Self.noCustomer(customerKey) }
            return work.engine.setStatus(c, to: status)
        }
    }

    public func previewReassign(customerKey: String, toAffiliate code: String) throws -> Decision {
        try read { db in
            let work = try UnitOfWork(db, store: self)
            guard let c = try work.facts.customer(key: customerKey) else { return Self.noCustomer(customerKey) }
            guard let target = try work.facts.affiliate(code: code) else {
                return .rejected(.unknownAffiliate, "no affiliate has the code \(code)")
            }
            return work.engine.reassign(c, to: target)
        }
    }

    public func previewManualConversion(externalID: String, amount: Money, customerKey: String?, at: Instant?) throws -> Decision {
        try read { db in
            let work = try UnitOfWork(db, store: self)
            return try work.engine.manualConversion(externalID: externalID, amount: amount, customerKey: customerKey,
                                                    affiliate: nil, at: at ?? self.clock.now(), facts: work.facts)
        }
    }

    private static func noCustomer(_ key: String) -> Decision { .rejected(.unknownCustomer, "no customer has the key \(key)") }
}
