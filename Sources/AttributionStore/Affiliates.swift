import AttributionCore
import Foundation
import GRDB

/// Affiliates: added with a code the core validated, enabled and disabled, audited.
extension Store {
    public func addAffiliate(code typed: String, name typedName: String, email typedEmail: String? = nil, commission: Commission? = nil,
                             who: String) throws -> AffiliateRow {
        let code: String
        switch AffiliateCode.validate(typed) {
        case .success(let c): code = c
        case .failure(let e): throw StoreError.invalid(field: e.field, message: e.message)
        }
        // The name and the payout email by the core's rules (AffiliateFields), as `affiliates set` reads them.
        let name: String, email: String?
        do {
            name = try AffiliateFields.parseName(typedName)
            email = try typedEmail.map { (e: String) throws(SettingError) -> String in try AffiliateFields.parseEmail(e) }
        } catch { throw StoreError.invalid(field: error.field, message: error.message) }
        if let c = commission {
            do { try SettingRules.checkCommission(c) } catch { throw StoreError.invalid(field: error.field, message: error.message) }
        }
        let now = clock.now()
        return try write { db in
            // Codes differing only in case are one code (AffiliateCode).
            if let existing = try AffiliateRow.fetch(db, code: code) {
                throw StoreError.duplicate(what: "affiliate code", value: existing.code)
            }
            try db.execute(sql: "INSERT INTO affiliate (code, name, email, commission, created_at) VALUES (?,?,?,?,?)",
                           arguments: [code, name, email, commission?.stored, now.seconds])
            let id = db.lastInsertedRowID
            try self.audit(db, who: who, action: "affiliate.add", target: code, before: nil,
                           after: "\(name)\(email.map { " <\($0)>" } ?? "")\(commission.map { ", \($0)" } ?? "")", detail: nil)
            return try AffiliateRow.fetch(db, id: id)!
        }
    }

    public func setAffiliateDisabled(code: String, disabled: Bool, who: String) throws {
        try write { db in
            guard let a = try AffiliateRow.fetch(db, code: code) else { throw StoreError.notFound(what: "affiliate", value: code) }
            guard a.disabled != disabled else { return }
            try db.execute(sql: "UPDATE affiliate SET disabled = ? WHERE id = ?", arguments: [disabled, a.id])
            try self.audit(db, who: who, action: disabled ? "affiliate.disable" : "affiliate.enable", target: code,
                           before: a.disabled ? "disabled" : "enabled", after: disabled ? "disabled" : "enabled", detail: nil)
        }
    }

    /// Changes an existing affiliate's name, payout email or commission override, read by the
    /// core's rules (`AffiliateChange.validated`); audited as `affiliate.set` with only the fields
    /// that changed, before -> after. Returns the row before and after (the same when nothing changed,
    /// and then nothing is written).
    @discardableResult
    public func updateAffiliate(code: String, _ typed: AffiliateChange, who: String) throws -> (before: AffiliateRow, after: AffiliateRow) {
        let change: AffiliateChange
        do { change = try typed.validated() } catch { throw StoreError.invalid(field: error.field, message: error.message) }
        return try write { db in
            guard let a = try AffiliateRow.fetch(db, code: code) else { throw StoreError.notFound(what: "affiliate", value: code) }
            let new = change.applied(to: a.values)
            let changed = new.differences(from: a.values)
            guard !changed.isEmpty else { return (a, a) }
            try db.execute(sql: "UPDATE affiliate SET name = ?, email = ?, commission = ? WHERE id = ?",
                           arguments: [new.name, new.email, new.commission?.stored, a.id])
            try self.audit(db, who: who, action: "affiliate.set", target: a.code,
                           before: changed.map { "\($0.field)=\($0.before)" }.joined(separator: " "),
                           after: changed.map { "\($0.field)=\($0.after)" }.joined(separator: " "), detail: nil)
            return (a, try AffiliateRow.fetch(db, id: a.id)!)
        }
    }

    public func affiliate(code: String) throws -> AffiliateRow? {
        try pool.read { db in try AffiliateRow.fetch(db, code: code) }
    }

    public func affiliate(id: Int64) throws -> AffiliateRow? {
        try pool.read { db in try AffiliateRow.fetch(db, id: id) }
    }

    /// All affiliates by code. Programs have dozens to thousands; the list is small.
    public func affiliates() throws -> [AffiliateRow] {
        try pool.read { db in try AffiliateRow.fetchAll(db, sql: "SELECT * FROM affiliate ORDER BY code") }
    }
}
