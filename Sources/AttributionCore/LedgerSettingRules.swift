/// The ledger's settings' rules: `program set --holding-days N --approval-above AMOUNT` and the
/// Settings form both parse with these.
extension SettingRules {
    /// The holding period, in days: 0 (approved at once) up to ten years.
    public static let holdingDays = 0...3650

    public static func checkHoldingDays(_ n: Int) throws(SettingError) {
        guard holdingDays.contains(n) else {
            throw SettingError(field: "holding-days", message: "must be from 0 to \(holdingDays.upperBound) days")
        }
    }

    public static func parseHoldingDays(_ text: String) throws(SettingError) -> Int {
        guard let n = Int(text.trimmingSpaces) else {
            throw SettingError(field: "holding-days", message: "\"\(text)\" is not a whole number of days from 0 to \(holdingDays.upperBound)")
        }
        try checkHoldingDays(n)
        return n
    }

    public static func checkApprovalAbove(_ a: Money?) throws(SettingError) {
        guard let a else { return }
        if a.minor < 0 { throw SettingError(field: "approval-above", message: "must not be negative") }
        if a.minor > maxAmountMinor {
            throw SettingError(field: "approval-above", message: "must be at most \(Money(minor: maxAmountMinor, currency: a.currency))")
        }
    }

    /// An amount in the program's currency ("100.00"), or nil for "none" (or nothing): commissions
    /// above it wait for an admin's approval.
    public static func parseApprovalAbove(_ text: String, currency: Currency) throws(SettingError) -> Money? {
        let v = text.trimmingSpaces
        if v.isEmpty || v.lowercased() == "none" { return nil }
        let m: Money
        do { m = try Money.parse(v, currency: currency) } catch {
            throw SettingError(field: "approval-above", message: "\(error); type an amount in \(currency.code) like 100.00, or none")
        }
        try checkApprovalAbove(m)
        return m
    }
}

extension LedgerSettings {
    public func validate() throws(SettingError) {
        try SettingRules.checkHoldingDays(holdingDays)
        try SettingRules.checkApprovalAbove(approvalAbove)
    }
}
