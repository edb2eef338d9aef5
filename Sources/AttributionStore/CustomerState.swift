import AttributionCore

/// A customer's row as a write transaction sees it: the fact the core asks for, and the
/// counters the cap history is read from.
struct CustomerState {
    var id: Int64, key: String, email: String?, affiliateID: Int64, number: Int64
    var status: CustomerStatus, clickID: String?, createdAt: Int64, lastActivityAt: Int64
    var conversions: Int64, commissionMinor: Int64, commissionCurrency: String?, firstCommissionAt: Int64?
    /// The values of its row in the database (`changeable` order); nil until the row is written.
    /// An UPDATE writes only the columns that differ: SQLite rewrites an index whenever a column
    /// of it is SET, even to the value it had.
    var stored: [RawValue]?

    var fact: CustomerFact { CustomerFact(id: id, key: key, affiliateID: affiliateID, status: status) }
    var history: CapHistory {
        CapHistory(commissions: Int(conversions), firstCommissionAt: firstCommissionAt.map(Instant.init(seconds:)),
                   commissionTotal: commissionMinor, currency: commissionCurrency.map(Currency.init(validated:)))
    }

    /// A customer's columns in the order `init(_:)` reads them and `PendingRows` writes them.
    static let columns = ["id", "key", "email", "affiliate_id", "number", "status", "click_id", "created_at",
                          "last_activity_at", "conversions", "commission_minor", "commission_currency",
                          "first_commission_at"]

    /// A new customer, as the core's decision creates it.
    init(id: Int64, new nc: NewCustomer, number: Int64) {
        self.id = id; key = nc.key; email = nc.email; affiliateID = nc.affiliateID; self.number = number
        status = nc.status; clickID = nc.clickID; createdAt = nc.at.seconds; lastActivityAt = nc.at.seconds
        conversions = 0; commissionMinor = 0; commissionCurrency = nil; firstCommissionAt = nil
    }

    /// A stored customer, from a statement selecting `columns` in order.
    init(_ s: RawStatement) {
        id = s.int(0); key = s.text(1); email = s.optionalText(2); affiliateID = s.int(3); number = s.int(4)
        status = CustomerStatus(rawValue: s.text(5)) ?? .initial; clickID = s.optionalText(6)
        createdAt = s.int(7); lastActivityAt = s.int(8); conversions = s.int(9); commissionMinor = s.int(10)
        commissionCurrency = s.optionalText(11); firstCommissionAt = s.optionalInt(12)
        stored = changeableValues
    }

    /// The columns a write transaction may change on a stored customer (the rest are fixed at
    /// its creation), in the order of `changeableValues`.
    static let changeable = ["affiliate_id", "number", "status", "last_activity_at", "conversions", "commission_minor",
                             "commission_currency", "first_commission_at"]

    var changeableValues: [RawValue] {
        [.int(affiliateID), .int(number), .text(status.rawValue), .int(lastActivityAt), .int(conversions), .int(commissionMinor),
         .of(commissionCurrency), .of(firstCommissionAt)]
    }

    /// Its values in `columns` order.
    var values: [RawValue] {
        [.int(id), .text(key), .of(email), .int(affiliateID), .int(number), .text(status.rawValue), .of(clickID), .int(createdAt),
         .int(lastActivityAt), .int(conversions), .int(commissionMinor), .of(commissionCurrency), .of(firstCommissionAt)]
    }

    /// A conversion credited to it: the counters the caps read move, and so does its last activity.
    mutating func credit(_ conv: NewConversion) {
        conversions += 1
        commissionMinor += conv.commission.minor
        commissionCurrency = commissionCurrency ?? conv.commission.currency.code
        firstCommissionAt = firstCommissionAt ?? conv.at.seconds
        lastActivityAt = max(lastActivityAt, conv.at.seconds)
    }
}
