import AttributionCore
import GRDB

/// The ledger's settings (`holding_days`, `approval_above`), validated by the core
/// (`SettingRules.checkHoldingDays`, `checkApprovalAbove`) before anything is written.
extension Store {
    public func ledgerSettings() throws -> LedgerSettings {
        try read { db in try self.loadLedgerSettings(db) }
    }

    func loadLedgerSettings(_ db: Database) throws -> LedgerSettings {
        guard let r = try Row.fetchOne(db, sql: "SELECT holding_days, approval_above_minor, approval_above_currency FROM program WHERE id = 1")
        else { return .standard }
        let days = min(max(Store.int(r[0]), SettingRules.holdingDays.lowerBound), SettingRules.holdingDays.upperBound)
        var above: Money?
        if let minor: Int64 = r[1], let cur: String = r[2] { above = Money(minor: min(max(minor, 0), Money.maxMinor), currency: Currency(validated: cur)) }
        return LedgerSettings(holdingDays: days, approvalAbove: above)
    }

    /// Saves new ledger settings, audited with before and after. Entries already credited keep
    /// their dates; the new settings apply to commissions credited from now on.
    public func updateLedgerSettings(_ new: LedgerSettings, who: String) throws {
        do { try new.validate() } catch { throw StoreError.invalid(field: error.field, message: error.message) }
        try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM program)") == true else {
                throw StoreError.notInitialized(path: self.path)
            }
            let old = try self.loadLedgerSettings(db)
            guard old != new else { return }
            try db.execute(sql: "UPDATE program SET holding_days = ?, approval_above_minor = ?, approval_above_currency = ? WHERE id = 1",
                           arguments: [new.holdingDays, new.approvalAbove?.minor, new.approvalAbove?.currency.code])
            try self.audit(db, who: who, action: "settings.ledger", target: "program", before: old.summary, after: new.summary, detail: nil)
        }
    }
}

extension LedgerSettings {
    /// "holding=30d approval_above=none"
    public var summary: String {
        "holding=\(holdingDays)d approval_above=\(approvalAbove.map { $0.description } ?? "none")"
    }
}
