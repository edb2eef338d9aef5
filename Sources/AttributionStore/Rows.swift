import AttributionCore
import GRDB

/// An affiliate as stored.
public struct AffiliateRow: Hashable, Sendable, FetchableRecord {
    public var id: Int64
    public var code: String
    public var name: String
    public var email: String?
    public var disabled: Bool
    public var commission: Commission?
    public var createdAt: Instant

    public init(row: Row) {
        id = row["id"]; code = row["code"]; name = row["name"]; email = row["email"]; disabled = row["disabled"]
        commission = Commission(stored: row["commission"]); createdAt = Instant(seconds: row["created_at"])
    }

    public var fact: AffiliateFact { AffiliateFact(id: id, code: code, disabled: disabled, commission: commission) }
    /// The fields `Store.updateAffiliate` changes.
    public var values: AffiliateValues { AffiliateValues(name: name, email: email, commission: commission) }

    static func fetch(_ db: Database, id: Int64) throws -> AffiliateRow? {
        try fetchOne(db, sql: "SELECT * FROM affiliate WHERE id = ?", arguments: [id])
    }
    /// By code: the exact spelling first, else the code that differs only in case (AffiliateCode).
    static func fetch(_ db: Database, code: String) throws -> AffiliateRow? {
        if let exact = try fetchOne(db, sql: "SELECT * FROM affiliate WHERE code = ?", arguments: [code]) { return exact }
        let key = AffiliateCode.key(code)
        // Affiliates are few (dozens to thousands), and this runs only when the exact code is not found.
        let codes = try Row.fetchAll(db, sql: "SELECT id, code FROM affiliate ORDER BY id")
        guard let id = codes.first(where: { AffiliateCode.key($0["code"]) == key })?["id"] as Int64? else { return nil }
        return try fetch(db, id: id)
    }
}

/// A customer as the admin sees one.
public struct CustomerRow: Hashable, Sendable, FetchableRecord {
    public var id: Int64
    public var key: String
    public var email: String?
    public var affiliateID: Int64
    public var affiliateCode: String
    public var affiliateName: String
    public var number: Int64
    public var status: CustomerStatus
    public var createdAt: Instant
    public var lastActivityAt: Instant
    public var conversions: Int
    public var commission: Money?
    public var firstCommissionAt: Instant?

    public init(row: Row) {
        id = row["id"]; key = row["key"]; email = row["email"]; affiliateID = row["affiliate_id"]
        affiliateCode = row["affiliate_code"] ?? ""; affiliateName = row["affiliate_name"] ?? ""
        number = row["number"]; status = CustomerStatus(rawValue: row["status"]) ?? .initial
        createdAt = Instant(seconds: row["created_at"]); lastActivityAt = Instant(seconds: row["last_activity_at"])
        conversions = row["conversions"]
        if let cur: String = row["commission_currency"] {
            commission = Money(minor: row["commission_minor"], currency: Currency(validated: cur))
        }
        firstCommissionAt = (row["first_commission_at"] as Int64?).map(Instant.init(seconds:))
    }

    public var fact: CustomerFact { CustomerFact(id: id, key: key, affiliateID: affiliateID, status: status) }
    public var capHistory: CapHistory { CapHistory(conversions, firstCommissionAt, commission) }
}

public struct ConversionRow: Hashable, Sendable, FetchableRecord {
    public var id: Int64
    public var externalID: String
    public var customerID: Int64?
    public var customerKey: String?
    /// The customer's number ("Customer #X") with the credited affiliate when it was credited;
    /// nil for a one-off or when credited to an affiliate the customer did not belong to.
    public var customerNumber: Int64?
    public var affiliateID: Int64
    public var affiliateCode: String
    public var amount: Money
    public var commission: Money
    public var at: Instant
    public var clickID: String?
    public var manual: Bool
    /// The subscription the payment belongs to, and its 0-based index among the subscription's
    /// conversions credited to the same affiliate (0 = the first payment).
    public var subscriptionID: String?
    public var renewalIndex: Int?

    public init(row: Row) {
        id = row["id"]; externalID = row["external_id"]; customerID = row["customer_id"]; customerKey = row["customer_key"]
        customerNumber = row["customer_number"]
        affiliateID = row["affiliate_id"]; affiliateCode = row["affiliate_code"] ?? ""
        amount = Money(minor: row["amount_minor"], currency: Currency(validated: row["currency"]))
        commission = Money(minor: row["commission_minor"], currency: Currency(validated: row["commission_currency"]))
        at = Instant(seconds: row["at"]); clickID = row["click_id"]; manual = row["manual"]
        subscriptionID = row["subscription_id"]; renewalIndex = row["renewal_index"]
    }
}

/// One entry of the event inbox.
public struct EventRow: Hashable, Sendable, FetchableRecord {
    public var id: Int64
    public var source: String
    /// The type as received ("click", "invoice.paid", "renewal_order", ...).
    public var type: String
    /// The core event it was read as; nil when it was not read as one (invalid, ignored, or
    /// refused for a NUL).
    public var kind: Event.Kind?
    public var receivedAt: Instant
    public var at: Instant?
    public var outcome: Decision.Outcome
    public var reason: Reason?
    /// The raw code as stored, even if this build does not know it.
    public var reasonCode: String?
    public var note: String?
    public var detail: String?
    public var file: String?
    public var line: Int?
    public var field: String?
    public var raw: String
    public var clickRef: String?
    public var customerKey: String?
    public var externalID: String?
    public var affiliateID: Int64?
    public var customerID: Int64?
    public var conversionID: Int64?
    /// How the rejection was resolved, for the readers that ask (`Store.resolutions`; Triage's
    /// list); nil otherwise.
    public var resolution: Resolution? = nil

    public init(row: Row) {
        id = row["id"]; source = row["source"]; type = row["type"]
        kind = (row["kind"] as String?).flatMap(Event.Kind.init(rawValue:)); receivedAt = Instant(seconds: row["received_at"])
        at = (row["at"] as Int64?).map(Instant.init(seconds:))
        outcome = Decision.Outcome(rawValue: row["outcome"]) ?? .rejected
        reasonCode = row["reason"]; reason = reasonCode.flatMap(Reason.init(rawValue:))
        note = row["note"]; detail = row["detail"]; file = row["file"]; line = row["line"]; field = row["field"]
        raw = row["raw"]; clickRef = row["click_ref"]; customerKey = row["customer_key"]; externalID = row["external_id"]
        affiliateID = row["affiliate_id"]; customerID = row["customer_id"]; conversionID = row["conversion_id"]
    }

    /// The notes as codes.
    public var notes: [Reason] { (note ?? "").split(separator: ",").compactMap { Reason(rawValue: String($0)) } }

    /// The human sentence: the reason's, or the first note's, or "Accepted".
    public var message: String {
        if let r = reason { return r.sentence }
        if let n = notes.first { return n.sentence }
        if let c = reasonCode { return "Refused: \(c)" }
        return "Accepted."
    }
}

public struct AuditRow: Hashable, Sendable, FetchableRecord {
    public var id: Int64
    public var at: Instant
    public var who: String
    public var action: String
    public var target: String?
    public var before: String?
    public var after: String?
    public var detail: String?

    public init(row: Row) {
        id = row["id"]; at = Instant(seconds: row["at"]); who = row["who"]; action = row["action"]
        target = row["target"]; before = row["before"]; after = row["after"]; detail = row["detail"]
    }
}

extension CapHistory {
    /// From a customer row's running totals.
    init(_ conversions: Int, _ firstCommissionAt: Instant?, _ commission: Money?) {
        self.init(commissions: conversions, firstCommissionAt: firstCommissionAt,
                  commissionTotal: commission?.minor ?? 0, currency: commission?.currency)
    }
}
