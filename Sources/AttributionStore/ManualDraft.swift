import AttributionCore
import GRDB

/// A conversion event turned into an admin's manual conversion: what it would credit.
public struct ManualDraft: Hashable, Sendable {
    public typealias CreditedBy = ManualCredit.Source
    public var eventID: Int64
    public var externalID: String
    public var amount: Money
    public var at: Instant
    /// The tracked customer it is for; nil for a one-off.
    public var customerKey: String?
    /// A customer key the event names that is not tracked (the conversion is then a one-off).
    public var untrackedCustomerKey: String?
    /// Who would be credited, and why: the customer's affiliate, the click's, or the affiliate
    /// the event concerned. Nil when nothing names one: the admin must.
    public var affiliateCode: String?
    public var creditedBy: CreditedBy
    public init(eventID: Int64, externalID: String, amount: Money, at: Instant, customerKey: String? = nil,
                untrackedCustomerKey: String? = nil, affiliateCode: String? = nil, creditedBy: CreditedBy) {
        self.eventID = eventID; self.externalID = externalID; self.amount = amount; self.at = at; self.customerKey = customerKey
        self.untrackedCustomerKey = untrackedCustomerKey; self.affiliateCode = affiliateCode; self.creditedBy = creditedBy
    }
    /// Nothing in the draft names whom to credit: the admin must (`ManualCredit.needsAffiliate`).
    public var needsAffiliate: Bool { ManualCredit.needsAffiliate(customerKey: customerKey, drafted: affiliateCode) }
}

/// A stored conversion event added by hand; whom it credits is the core's rule (`ManualCredit`).
extension Store {
    /// What adding a stored conversion event by hand would credit: its external id, amount, time
    /// and customer, and the affiliate (the tracked customer's, else the click's, else the one the
    /// event concerned).
    public func manualDraft(eventID: Int64, reparse: Reparser) throws -> ManualDraft {
        try read { db in
            guard var row = try EventRow.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [eventID]) else {
                throw StoreError.notFound(what: "event", value: "#\(eventID)")
            }
            if row.source == "replay", let root = try self.replayOrigin(db, row.id),
               let r = try EventRow.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [root]) {
                row.source = r.source
            }
            guard let event = reparse(row.source, row.raw) else {
                throw StoreError.invalid(field: "event #\(eventID)", message: "its \(row.source) payload does not read as an event")
            }
            guard case .conversion(let c) = event else {
                throw StoreError.invalid(field: "event #\(eventID)",
                                         message: "it is a \(event.kind.rawValue), not a conversion; only a conversion can be added by hand")
            }
            var draft = ManualDraft(eventID: eventID, externalID: c.externalID, amount: c.amount, at: c.at, creditedBy: .none)
            func code(_ id: Int64?) throws -> String? {
                guard let id else { return nil }
                return try String.fetchOne(db, sql: "SELECT code FROM affiliate WHERE id = ?", arguments: [id])
            }
            var customerAffiliate: String?
            if let key = c.customerKey {
                if let aff = try Int64.fetchOne(db, sql: "SELECT affiliate_id FROM customer WHERE key = ?", arguments: [key]) {
                    draft.customerKey = key
                    customerAffiliate = try code(aff)
                } else {
                    draft.untrackedCustomerKey = key
                }
            }
            let clickAffiliate = try c.clickID.flatMap {
                try Int64.fetchOne(db, sql: "SELECT affiliate_id FROM click WHERE click_id = ?", arguments: [$0])
            }
            (draft.affiliateCode, draft.creditedBy) = ManualCredit.drafted(customerAffiliate: customerAffiliate,
                                                                           clickAffiliate: try code(clickAffiliate),
                                                                           eventAffiliate: try code(row.affiliateID))
            return draft
        }
    }

    /// Adds a draft as an admin's manual conversion (audited), crediting `affiliateCode` when
    /// given, else whom the draft names. Refusals come back as the core's decision.
    public func addManualConversion(_ draft: ManualDraft, affiliateCode: String? = nil, amount: Money? = nil,
                                    who: String) throws -> Decision {
        let credit = ManualCredit.affiliateToCredit(chosen: affiliateCode, customerKey: draft.customerKey, drafted: draft.affiliateCode)
        return try addManualConversion(externalID: draft.externalID, amount: amount ?? draft.amount, customerKey: draft.customerKey,
                                       affiliateCode: credit, at: draft.at, who: who,
                                       detail: "by hand from event #\(draft.eventID)", resolving: draft.eventID)
    }
}
