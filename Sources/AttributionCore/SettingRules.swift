/// A setting that breaks its rule: the setting's name ("window", "cap-months", ...) and a
/// sentence saying what is allowed.
public struct SettingError: Error, Equatable, Sendable, CustomStringConvertible {
    public var field: String
    public var message: String
    public init(field: String, message: String) { self.field = field; self.message = message }
    public var description: String { "\(field): \(message)" }
}

/// The bounds of every program setting: the one rule the store (when saving), the command line
/// (`program set`) and the dashboard's Settings form all apply. Inside them, nothing the rules
/// compute from a setting can overflow (a window in seconds, a months cap as a date, a count cap
/// plus one, an amount cap minus a total).
public enum SettingRules {
    /// The attribution window, in days: up to ten years.
    public static let windowDays = 1...3650
    /// The months cap: up to a hundred years.
    public static let capMonths = 1...1200
    /// The count cap: up to a million commissions per customer.
    public static let capCount = 1...1_000_000
    /// `first_n_renewals:N`: the count cap becomes N + 1.
    public static let firstNRenewals = 0...10_000
    /// A percentage commission, in hundredths of a percent: 0 % to 100 %.
    public static let percentBasisPoints = 0...10_000
    /// The amount cap and a fixed commission, in minor units: 1 (0 for a fixed commission) up
    /// to `Money.maxMinor`.
    public static let maxAmountMinor = Money.maxMinor

    // MARK: Values

    public static func checkWindow(_ days: Int) throws(SettingError) {
        if days < windowDays.lowerBound { throw SettingError(field: "window", message: "must be at least 1 day") }
        if days > windowDays.upperBound {
            throw SettingError(field: "window", message: "must be at most \(windowDays.upperBound) days")
        }
    }

    public static func checkCapCount(_ n: Int?) throws(SettingError) {
        guard let n else { return }
        if n < capCount.lowerBound { throw SettingError(field: "cap-count", message: "must be at least 1") }
        if n > capCount.upperBound {
            throw SettingError(field: "cap-count", message: "must be at most \(capCount.upperBound) commissions")
        }
    }

    public static func checkCapMonths(_ m: Int?) throws(SettingError) {
        guard let m else { return }
        if m < capMonths.lowerBound { throw SettingError(field: "cap-months", message: "must be at least 1") }
        if m > capMonths.upperBound {
            throw SettingError(field: "cap-months", message: "must be at most \(capMonths.upperBound) months")
        }
    }

    public static func checkCapAmount(_ a: Money?) throws(SettingError) {
        guard let a else { return }
        if a.minor <= 0 { throw SettingError(field: "cap-amount", message: "must be greater than zero") }
        if a.minor > maxAmountMinor {
            throw SettingError(field: "cap-amount", message: "must be at most \(Money(minor: maxAmountMinor, currency: a.currency))")
        }
    }

    public static func checkCommission(_ c: Commission, field: String = "commission") throws(SettingError) {
        switch c {
        case .percent(let bp):
            if !percentBasisPoints.contains(bp) { throw SettingError(field: field, message: "a percentage must be between 0% and 100%") }
        case .fixed(let m):
            if m.minor < 0 { throw SettingError(field: field, message: "must not be negative") }
            if m.minor > maxAmountMinor {
                throw SettingError(field: field, message: "must be at most \(Money(minor: maxAmountMinor, currency: m.currency))")
            }
        }
    }

    // MARK: Text, as typed on the command line or in the Settings form

    /// A whole number of days within `windowDays`.
    public static func parseWindow(_ text: String) throws(SettingError) -> Int {
        guard let n = Int(text.trimmingSpaces) else {
            throw SettingError(field: "window", message: "\"\(text)\" is not a whole number of days from 1 to \(windowDays.upperBound)")
        }
        try checkWindow(n)
        return n
    }

    /// A count cap, or nil for "none" (or nothing).
    public static func parseCapCount(_ text: String) throws(SettingError) -> Int? {
        let n = try optionalPositive(text, field: "cap-count")
        try checkCapCount(n)
        return n
    }

    /// A months cap, or nil for "none" (or nothing).
    public static func parseCapMonths(_ text: String) throws(SettingError) -> Int? {
        let n = try optionalPositive(text, field: "cap-months")
        try checkCapMonths(n)
        return n
    }

    /// `first_order_only`, `all_renewals` or `first_n_renewals:N` with N within `firstNRenewals`.
    public static func parseStrategy(_ text: String) throws(SettingError) -> RecurringStrategy {
        switch text {
        case "first_order_only": return .firstOrderOnly
        case "all_renewals": return .allRenewals
        default:
            let prefix = "first_n_renewals:"
            guard text.hasPrefix(prefix), let n = Int(text.dropFirst(prefix.count)) else {
                throw SettingError(field: "strategy", message: "\"\(text)\" is not first_order_only, all_renewals or first_n_renewals:N")
            }
            guard firstNRenewals.contains(n) else {
                throw SettingError(field: "strategy", message: "first_n_renewals:N: N must be from 0 to \(firstNRenewals.upperBound)")
            }
            return .firstNRenewals(n)
        }
    }

    static func optionalPositive(_ text: String, field: String) throws(SettingError) -> Int? {
        let t = text.trimmingSpaces
        if t.isEmpty || t.lowercased() == "none" { return nil }
        guard let n = Int(t), n > 0 else { throw SettingError(field: field, message: "\"\(text)\" is not a positive number or \"none\"") }
        return n
    }
}

extension ProgramSettings {
    /// The first setting outside its bounds, as a refusal naming it.
    public func validate() throws(SettingError) {
        try SettingRules.checkWindow(windowDays)
        try SettingRules.checkCapCount(caps.count)
        try SettingRules.checkCapMonths(caps.months)
        try SettingRules.checkCapAmount(caps.amount)
        try SettingRules.checkCommission(commission)
    }

    /// Every setting moved to the nearest value its bounds allow: for settings an older build
    /// stored without them, so that readers keep working (and `program show` shows what applies).
    public var clamped: ProgramSettings {
        func clamp(_ v: Int, _ r: ClosedRange<Int>) -> Int { min(max(v, r.lowerBound), r.upperBound) }
        func clampMinor(_ m: Money, lowest: Int64) -> Money {
            Money(minor: min(max(m.minor, lowest), SettingRules.maxAmountMinor), currency: m.currency)
        }
        var s = self
        s.windowDays = clamp(windowDays, SettingRules.windowDays)
        s.caps.count = caps.count.map { clamp($0, SettingRules.capCount) }
        s.caps.months = caps.months.map { clamp($0, SettingRules.capMonths) }
        s.caps.amount = caps.amount.map { clampMinor($0, lowest: 1) }
        switch commission {
        case .percent(let bp): s.commission = .percent(basisPoints: clamp(bp, SettingRules.percentBasisPoints))
        case .fixed(let m): s.commission = .fixed(clampMinor(m, lowest: 0))
        }
        return s
    }
}
