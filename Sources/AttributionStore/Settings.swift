import AttributionCore
import Foundation
import GRDB

/// The program's settings: saved once by `init`, changed by `program set` and the settings form,
/// validated by the core (`SettingRules`) before anything is written.
extension Store {
    public var isInitialized: Bool {
        (try? pool.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM program)") ?? false }) ?? false
    }

    public func initialize(_ settings: ProgramSettings, who: String) throws {
        try Store.validate(settings)
        try write { db in
            if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM program)") == true {
                throw StoreError.alreadyInitialized(path: self.path)
            }
            try self.saveSettings(db, settings, adapters: AdapterSettings(), insert: true)
            try self.audit(db, who: who, action: "init", target: "program", before: nil, after: settings.summary, detail: nil)
        }
    }

    public func settings() throws -> ProgramSettings {
        try pool.read { db in try self.loadSettings(db) }
    }

    public func adapterSettings() throws -> AdapterSettings {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT metadata_key, tax_excluded FROM program") else {
                throw StoreError.notInitialized(path: self.path)
            }
            return AdapterSettings(metadataKey: row[0], taxExcluded: row[1])
        }
    }

    /// Saves new settings; the change is audited with before and after.
    public func updateSettings(_ new: ProgramSettings, adapters: AdapterSettings? = nil, who: String) throws {
        try Store.validate(new)
        try write { db in
            let old = try self.loadSettings(db)
            let oldAdapters = try self.adapterSettingsIn(db)
            let newAdapters = adapters ?? oldAdapters
            guard old != new || oldAdapters != newAdapters else { return }
            // A key an older build stored past today's rule is kept when another setting changes.
            if newAdapters.metadataKey != oldAdapters.metadataKey { try Store.validate(newAdapters) }
            try self.saveSettings(db, new, adapters: newAdapters, insert: false)
            // Earnings are maintained in the program's currency: a new currency recounts them.
            if old.currency != new.currency { try AggregateDeltas.recountEarnings(db, currency: new.currency.code) }
            try self.audit(db, who: who, action: "settings", target: "program",
                           before: old.summary + oldAdapters.summary, after: new.summary + newAdapters.summary, detail: nil)
        }
    }

    /// The core's bounds (`SettingRules`), as a store error naming the setting.
    static func validate(_ s: ProgramSettings) throws {
        do { try s.validate() } catch { throw StoreError.invalid(field: error.field, message: error.message) }
    }

    /// The core's rule for the Stripe metadata key (`SettingRules.parseMetadataKey`): a key it
    /// would read differently (untrimmed) or refuse is refused.
    static func validate(_ a: AdapterSettings) throws {
        let k: String
        do { k = try SettingRules.parseMetadataKey(a.metadataKey) } catch { throw StoreError.invalid(field: error.field, message: error.message) }
        if k != a.metadataKey { throw StoreError.invalid(field: "metadata-key", message: "must not start or end with a space") }
    }

    func adapterSettingsIn(_ db: Database) throws -> AdapterSettings {
        guard let row = try Row.fetchOne(db, sql: "SELECT metadata_key, tax_excluded FROM program") else {
            throw StoreError.notInitialized(path: path)
        }
        return AdapterSettings(metadataKey: row[0], taxExcluded: row[1])
    }

    func loadSettings(_ db: Database) throws -> ProgramSettings {
        guard let r = try Row.fetchOne(db, sql: "SELECT * FROM program WHERE id = 1") else {
            throw StoreError.notInitialized(path: path)
        }
        var caps = Caps(count: (r["cap_count"] as Int64?).map(Store.int), months: (r["cap_months"] as Int64?).map(Store.int))
        if let minor: Int64 = r["cap_amount_minor"], let cur: String = r["cap_amount_currency"] {
            caps.amount = Money(minor: minor, currency: Currency(validated: cur))
        }
        // Settings an older build saved past today's bounds are read as the nearest allowed value.
        return ProgramSettings(name: r["name"], model: BusinessModel(rawValue: r["model"]) ?? .saas, recurring: r["recurring"],
                               commission: Commission(stored: r["commission"]) ?? .percent(basisPoints: 0), caps: caps,
                               windowDays: Store.int(r["window_days"]), currency: Currency(validated: r["currency"])).clamped
    }

    /// A stored integer as an Int, saturating (Int is 64 bits on every platform affdesk runs on).
    static func int(_ v: Int64) -> Int { Int(clamping: v) }

    func saveSettings(_ db: Database, _ s: ProgramSettings, adapters: AdapterSettings, insert: Bool) throws {
        let args: StatementArguments = [s.name, s.model.rawValue, s.recurring, s.commission.stored, s.caps.count, s.caps.months,
                                        s.caps.amount?.minor, s.caps.amount?.currency.code, s.windowDays, s.currency.code,
                                        adapters.metadataKey, adapters.taxExcluded]
        if insert {
            try db.execute(sql: """
                INSERT INTO program (id, name, model, recurring, commission, cap_count, cap_months, cap_amount_minor,
                  cap_amount_currency, window_days, currency, metadata_key, tax_excluded) VALUES (1, ?,?,?,?,?,?,?,?,?,?,?,?)
                """, arguments: args)
        } else {
            try db.execute(sql: """
                UPDATE program SET name=?, model=?, recurring=?, commission=?, cap_count=?, cap_months=?, cap_amount_minor=?,
                  cap_amount_currency=?, window_days=?, currency=?, metadata_key=?, tax_excluded=? WHERE id = 1
                """, arguments: args)
        }
        // The kept near-cap customers follow the caps in the same transaction.
        try Store.followCaps(db, s.caps, now: clock.now())
    }
}

extension ProgramSettings {
    /// One line for the audit log and `program show`.
    public var summary: String {
        var caps: [String] = []
        if let c = self.caps.count { caps.append("\(c) commissions") }
        if let m = self.caps.months { caps.append("\(m) months") }
        if let a = self.caps.amount { caps.append("\(a)") }
        return "model=\(model.rawValue) recurring=\(recurring ? "on" : "off") commission=\(commission) "
            + "caps=\(caps.isEmpty ? "none" : caps.joined(separator: "/")) window=\(windowDays)d currency=\(currency.code)"
    }
}
