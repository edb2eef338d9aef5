import AttributionCore
import GRDB

/// A customer as an affiliate sees one: "Customer #X" and figures, nothing that identifies them.
public struct AffiliateCustomerRow: Hashable, Sendable, FetchableRecord {
    public var number: Int64
    public var status: CustomerStatus
    public var createdAt: Instant
    public var lastActivityAt: Instant
    /// The conversions and commission THIS affiliate earned from the customer: after a
    /// reassignment, what another affiliate earned is never added in.
    public var conversions: Int
    public var commission: Money?
    /// Where the customer stands against the program's caps (caps are per customer).
    public var capHistory: CapHistory

    public init(row: Row) {
        number = row["number"]; status = CustomerStatus(rawValue: row["status"]) ?? .initial
        createdAt = Instant(seconds: row["created_at"]); lastActivityAt = Instant(seconds: row["last_activity_at"])
        conversions = row["mine"]
        if let cur: String = row["mine_currency"] {
            commission = Money(minor: row["mine_minor"], currency: Currency(validated: cur))
        }
        var capCommission: Money?
        if let cur: String = row["commission_currency"] {
            capCommission = Money(minor: row["commission_minor"], currency: Currency(validated: cur))
        }
        capHistory = CapHistory(row["conversions"], (row["first_commission_at"] as Int64?).map(Instant.init(seconds:)), capCommission)
    }

    public func cursor(_ sort: CustomerSort) -> Cursor {
        switch sort {
        case .key, .affiliate: return Cursor(int: number, id: number)
        case .status: return Cursor(text: status.rawValue, id: number)
        case .conversions: return Cursor(int: Int64(conversions), id: number)
        case .commission: return Cursor(int: commission?.minor ?? 0, id: number)
        case .activity: return Cursor(int: lastActivityAt.seconds, id: number)
        }
    }
}

/// A conversion as the affiliate who earned it sees it: when, which Customer #X, how much.
public struct AffiliateConversionRow: Hashable, Sendable, FetchableRecord {
    /// An internal row id, only for paging.
    public var id: Int64
    public var at: Instant
    /// The customer's number for this affiliate when it was credited (nil for a one-off).
    public var customerNumber: Int64?
    public var amount: Money
    public var commission: Money

    public init(row: Row) {
        id = row["id"]; at = Instant(seconds: row["at"]); customerNumber = row["customer_number"]
        amount = Money(minor: row["amount_minor"], currency: Currency(validated: row["currency"]))
        commission = Money(minor: row["commission_minor"], currency: Currency(validated: row["commission_currency"]))
    }

    public func cursor(_ sort: ConversionSort) -> Cursor {
        switch sort {
        case .amount: return Cursor(int: amount.minor, id: id)
        case .commission: return Cursor(int: commission.minor, id: id)
        default: return Cursor(int: at.seconds, id: id)
        }
    }
}

/// One month of an affiliate's earnings.
public struct EarningsMonth: Hashable, Sendable {
    public var month: String
    public var conversions: Int
    public var commission: Int64
}
/// Who an affiliate-view session is, resolved from the forced command's arguments only.
public struct AffiliateIdentity: Hashable, Sendable {
    public var id: Int64
    public var code: String
    public var name: String
}
