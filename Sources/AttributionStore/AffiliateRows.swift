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

/// One month of an affiliate's ledger in one currency, as it stands now: what is still inside
/// its hold, approved (due), waiting for an admin, paid, and clawed back (negative). Voided
/// commissions count nowhere.
public struct LedgerMonth: Hashable, Sendable {
    public var month: String
    public var currency: Currency
    /// Conversions credited that month in this currency.
    public var conversions: Int
    public var pending: Int64 = 0
    public var approved: Int64 = 0
    public var onHold: Int64 = 0
    public var paid: Int64 = 0
    /// The clawbacks taken that month: zero or negative.
    public var clawedBack: Int64 = 0

    public init(month: String, currency: Currency, conversions: Int = 0, pending: Int64 = 0, approved: Int64 = 0, onHold: Int64 = 0,
                paid: Int64 = 0, clawedBack: Int64 = 0) {
        self.month = month; self.currency = currency; self.conversions = conversions; self.pending = pending
        self.approved = approved; self.onHold = onHold; self.paid = paid; self.clawedBack = clawedBack
    }

    /// What the month earns net: everything not voided, clawbacks taken off.
    public var net: Int64 { pending &+ approved &+ onHold &+ paid &+ clawedBack }
}

/// One of the affiliate's own payouts, as the affiliate view lists it (no email).
public struct AffiliatePayoutRow: Hashable, Sendable, FetchableRecord {
    public var id: Int64
    public var createdAt: Instant
    public var amount: Money
    public var state: PayoutState
    /// How many entries (commissions and clawbacks) it took.
    public var lines: Int
    public var paidAt: Instant?
    /// What the admin noted when marking it paid (a PayPal or Wise batch reference).
    public var reference: String?

    public init(row: Row) {
        id = row["id"]; createdAt = Instant(seconds: row["created_at"])
        amount = Money(minor: row["amount_minor"], currency: Currency(validated: row["currency"]))
        state = PayoutState(rawValue: row["state"]) ?? .open
        lines = row["lines"]; paidAt = (row["paid_at"] as Int64?).map(Instant.init(seconds:)); reference = row["reference"]
    }

    public var cursor: Cursor { Cursor(int: id, id: id) }
}

/// A line of one of the affiliate's payouts: which Customer #X, which month, how much.
public struct AffiliatePayoutLine: Hashable, Sendable {
    /// nil for a one-off sale.
    public var customerNumber: Int64?
    public var month: String
    /// Signed: a clawback is negative.
    public var amount: Money
    public var isClawback: Bool
}
