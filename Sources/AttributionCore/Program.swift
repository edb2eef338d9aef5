/// The business model decides the names the four lifecycle statuses go by.
public enum BusinessModel: String, CaseIterable, Sendable, Codable {
    case saas, leads, generic

    public var displayName: String {
        switch self {
        case .saas: return "SaaS"
        case .leads: return "Lead generation"
        case .generic: return "Generic / eCommerce"
        }
    }

    /// The alias of a lifecycle status under this model.
    public func label(_ status: CustomerStatus) -> String {
        switch (self, status) {
        case (.saas, .initial): return "Trial"
        case (.saas, .active): return "Paying"
        case (.saas, .ended): return "Canceled"
        case (.leads, .initial): return "Lead"
        case (.leads, .active): return "Won"
        case (.leads, .ended): return "Lost"
        case (.generic, .initial): return "New"
        case (.generic, .active): return "Active"
        case (.generic, .ended): return "Stopped"
        case (_, .capped): return "Capped"
        }
    }

    /// Finds a status by its alias under this model or by its lifecycle name, case-insensitively.
    public func status(named name: String) -> CustomerStatus? {
        let n = name.lowercased()
        return CustomerStatus.allCases.first { $0.rawValue == n || label($0).lowercased() == n }
    }
}

/// One lifecycle, whatever the names: tracked -> paying -> (capped) -> ended.
public enum CustomerStatus: String, CaseIterable, Sendable, Codable {
    case initial, active, capped, ended
}

/// How a conversion's commission is computed.
public enum Commission: Hashable, Sendable, CustomStringConvertible {
    /// Percentage of the amount in hundredths of a percent: 1000 = 10.00 %.
    case percent(basisPoints: Int)
    /// A fixed amount per conversion.
    case fixed(Money)

    public var description: String {
        switch self {
        case .percent(let bp):
            let frac = bp % 100
            return "\(bp / 100)\(frac == 0 ? "" : "." + (frac < 10 ? "0" : "") + String(frac))%"
        case .fixed(let m): return "\(m) per conversion"
        }
    }

    /// Parses "10%", "12.5%" or "5.00 USD" / "USD 5.00".
    public static func parse(_ text: String) -> Commission? {
        let t = text.trimmingSpaces
        if t.hasSuffix("%") {
            let num = String(t.dropLast()).trimmingSpaces
            guard let m = try? Money.parse(num, currency: Currency(validated: "XXP")), m.minor >= 0, m.minor <= 10_000
            else { return nil }
            return .percent(basisPoints: Int(m.minor))
        }
        let parts = t.split(separator: " ").map(String.init)
        guard parts.count == 2 else { return nil }
        let (amount, code) = parts[0].count == 3 && Double(parts[0]) == nil ? (parts[1], parts[0]) : (parts[0], parts[1])
        guard let cur = try? Currency(code), let m = try? Money.parse(amount, currency: cur), m.minor >= 0 else { return nil }
        return .fixed(m)
    }

    /// The commission on an amount. Percentages round half up to the minor unit (a negative
    /// amount rounds symmetrically, half away from zero). The product is computed in 128 bits,
    /// so any amount whose commission fits in Int64 is exact. A percentage outside 0...100 %
    /// (only an older build could have stored one) counts as the nearest of the two, so the
    /// commission never exceeds the amount and never overflows.
    public func commission(on amount: Money) -> Money {
        switch self {
        case .percent(let bp):
            let clamped = Int64(min(max(bp, SettingRules.percentBasisPoints.lowerBound), SettingRules.percentBasisPoints.upperBound))
            let product = amount.minor.multipliedFullWidth(by: clamped)
            let (q, r) = Int64(10_000).dividingFullWidth(product)
            let rounded = r >= 5_000 ? q + 1 : r <= -5_000 ? q - 1 : q
            return Money(minor: rounded, currency: amount.currency)
        case .fixed(let m): return m
        }
    }
}

/// Per-customer limits. Each dimension is independent; nil means no limit.
public struct Caps: Hashable, Sendable {
    /// The first N commissions are paid; the Nth caps the customer.
    public var count: Int?
    /// Conversions within M calendar months of the first commission are paid.
    public var months: Int?
    /// Total commission per customer; a commission that would pass it is clamped.
    public var amount: Money?

    public init(count: Int? = nil, months: Int? = nil, amount: Money? = nil) {
        self.count = count; self.months = months; self.amount = amount
    }
    public static let none = Caps()
    public var isEmpty: Bool { count == nil && months == nil && amount == nil }

    /// The recurring strategies of the seeds, expressed as caps.
    public static func strategy(_ s: RecurringStrategy) -> Caps {
        switch s {
        case .firstOrderOnly: return Caps(count: 1)
        case .allRenewals: return Caps()
        case .firstNRenewals(let n): return Caps(count: n == .max ? n : n + 1)
        }
    }
}

public enum RecurringStrategy: Hashable, Sendable {
    case firstOrderOnly, allRenewals, firstNRenewals(Int)
}

/// Everything the program owner configures.
public struct ProgramSettings: Hashable, Sendable {
    public var name: String
    public var model: BusinessModel
    /// "Recurring / Lifetime commissions": when off, customer keys on conversions are ignored.
    public var recurring: Bool
    public var commission: Commission
    public var caps: Caps
    /// Last click wins within this many days.
    public var windowDays: Int
    /// The program's currency, used for display totals and as the default for amounts.
    public var currency: Currency

    public init(name: String = "My program", model: BusinessModel = .saas, recurring: Bool = true,
                commission: Commission = .percent(basisPoints: 2000), caps: Caps = .none,
                windowDays: Int = 60, currency: Currency = .usd) {
        self.name = name; self.model = model; self.recurring = recurring
        self.commission = commission; self.caps = caps; self.windowDays = windowDays; self.currency = currency
    }

    public func label(_ s: CustomerStatus) -> String { model.label(s) }
}

/// An affiliate as the rules see one.
public struct AffiliateFact: Hashable, Sendable {
    public var id: Int64
    public var code: String
    public var disabled: Bool
    /// Overrides the program's commission for this affiliate.
    public var commission: Commission?
    public init(id: Int64, code: String, disabled: Bool = false, commission: Commission? = nil) {
        self.id = id; self.code = code; self.disabled = disabled; self.commission = commission
    }
}

public struct ClickFact: Hashable, Sendable {
    public var clickID: String
    public var affiliateID: Int64
    public var at: Instant
    public init(clickID: String, affiliateID: Int64, at: Instant) {
        self.clickID = clickID; self.affiliateID = affiliateID; self.at = at
    }
}

public struct CustomerFact: Hashable, Sendable {
    public var id: Int64
    public var key: String
    public var affiliateID: Int64
    public var status: CustomerStatus
    public init(id: Int64, key: String, affiliateID: Int64, status: CustomerStatus) {
        self.id = id; self.key = key; self.affiliateID = affiliateID; self.status = status
    }
}

/// What a customer has been paid so far, for the caps.
public struct CapHistory: Hashable, Sendable {
    public var commissions: Int
    public var firstCommissionAt: Instant?
    /// Total commission in minor units, in `currency`.
    public var commissionTotal: Int64
    public var currency: Currency?
    public init(commissions: Int = 0, firstCommissionAt: Instant? = nil, commissionTotal: Int64 = 0, currency: Currency? = nil) {
        self.commissions = commissions; self.firstCommissionAt = firstCommissionAt
        self.commissionTotal = commissionTotal; self.currency = currency
    }
    public static let empty = CapHistory()
}
