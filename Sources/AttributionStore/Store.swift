import AttributionCore
import Foundation
import GRDB

/// Errors the store reports, each naming what was wrong.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case newerSchema(path: String, found: Int, supported: Int)
    case notInitialized(path: String)
    case alreadyInitialized(path: String)
    case duplicate(what: String, value: String)
    case notFound(what: String, value: String)
    case invalid(field: String, message: String)
    case accessRefused(String)
    /// A write was attempted through a read-only store.
    case readOnly(path: String)
    /// The file exists but is not an SQLite database.
    case notADatabase(path: String)
    /// No file at the path (a command other than `init` never creates one).
    case noFile(path: String)
    /// The path is a directory.
    case isDirectory(path: String)
    /// An SQLite database with tables, none of them affdesk's program.
    case notAffdesk(path: String)
    /// A command that writes, on a file (or directory) this user cannot write.
    case fileReadOnly(path: String)
    /// A read-only opening of a database an older affdesk wrote: only a writer upgrades it.
    case olderSchema(path: String, found: Int, supported: Int)
    /// A new database (or its directory) that cannot be made.
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .newerSchema(let p, let f, let s):
            return "\(p): the database has schema version \(f), newer than this affdesk supports (\(s)); upgrade affdesk"
        case .notInitialized(let p): return "\(p) holds no affdesk program yet: create one with `affdesk init --db \(shellWord(p))`"
        case .alreadyInitialized(let p): return "\(p): a program is already set up here"
        case .duplicate(let w, let v): return "\(w) \"\(v)\" already exists"
        case .notFound(let w, let v): return "no \(w) \"\(v)\""
        case .invalid(let f, let m): return "\(f): \(m)"
        case .accessRefused(let why): return "access refused: \(why)"
        case .readOnly(let p): return "\(p): opened read-only; nothing can be changed here"
        case .notADatabase(let p): return "\(p): not an affdesk database (the file is not SQLite)"
        case .noFile(let p):
            return "\(p) does not exist: check the path (--db or $AFFDESK_DB), or create a program there with `affdesk init --db \(shellWord(p))`"
        case .isDirectory(let p):
            return "\(p) is a directory, not a database file: give the file's path (e.g. --db \(shellWord(p + "/affdesk.sqlite")))"
        case .notAffdesk(let p):
            return "\(p) is not an affdesk database (it has tables but no program): check the path; affdesk leaves such a file alone"
        case .fileReadOnly(let p):
            return "\(p) is read-only: affdesk needs to write it for this command (check the permissions of the file and its "
                + "directory) — or use a command that only reads (list, show, triage, program show)"
        case .olderSchema(let p, let f, let s):
            return "\(p) has schema version \(f), older than this affdesk's (\(s)), and a command that only reads never upgrades it: "
                + "upgrade it once with a command that writes, e.g. `affdesk program set --db \(shellWord(p))` (which changes no setting)"
        case .cannotCreate(let p, let why):
            return "\(p) cannot be created (\(why)): choose a path this user can write, or create its directory first"
        }
    }
}

/// `p` as one shell word, for a command a message suggests.
func shellWord(_ p: String) -> String {
    p.allSatisfy { $0.isLetter || $0.isNumber || "/._-+:@".contains($0) } ? p : "'" + p.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// Where time comes from. Injected everywhere a moment is stamped.
public protocol Clock: Sendable {
    func now() -> Instant
}

public struct SystemClock: Clock {
    public init() {}
    public func now() -> Instant { Instant(seconds: Int64(Date().timeIntervalSince1970.rounded(.down))) }
}

public struct FixedClock: Clock {
    public var instant: Instant
    public init(_ instant: Instant) { self.instant = instant }
    public func now() -> Instant { instant }
}

/// Settings used only by the payment adapters.
public struct AdapterSettings: Hashable, Sendable {
    /// The metadata key holding the customer key in Stripe objects.
    public var metadataKey: String = "customer_key"
    /// Compute commission on the amount without tax.
    public var taxExcluded: Bool = false
    public init(metadataKey: String = "customer_key", taxExcluded: Bool = false) {
        self.metadataKey = metadataKey; self.taxExcluded = taxExcluded
    }
}

/// The SQLite store: the only place SQL is written. One `DatabasePool` in WAL mode.
public final class Store: @unchecked Sendable {
    public let path: String
    public let readOnly: Bool
    /// Opened for the affiliate view: read-only, and SQLite itself refuses to read any column
    /// that could identify a customer or an order (see `AffiliatePrivacy`).
    public let affiliateView: Bool
    let pool: DatabasePool
    public let clock: any Clock
    /// The file opened, checked before every write (see `DatabaseIdentity`).
    let opened: DatabaseIdentity?

    /// Opens (creating if needed) the database at `path` and migrates it. A read-only store
    /// never migrates and never writes.
    public convenience init(path: String, readOnly: Bool = false, clock: any Clock = SystemClock()) throws {
        try self.init(path: path, readOnly: readOnly, affiliateView: false, clock: clock)
    }

    init(path: String, readOnly: Bool, affiliateView: Bool, clock: any Clock) throws {
        self.path = path
        self.readOnly = readOnly || affiliateView
        self.affiliateView = affiliateView
        self.clock = clock
        let readOnly = self.readOnly
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.readonly = readOnly
        config.busyMode = .timeout(TimeInterval(Store.busyTimeoutSeconds))
        config.label = "affdesk"
        if affiliateView {
            // One reader, so `PRAGMA data_version` sees every commit made by other processes.
            config.maximumReaderCount = 1
        }
        config.prepareDatabase { db in
            if affiliateView { AffiliatePrivacy.install(on: db) }
            if !db.configuration.readonly {
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // A 64 MiB page cache for the writer: the ingest touches a dozen indexes per event.
                try db.execute(sql: "PRAGMA cache_size = -65536")
                // Statement journals and temporary B-trees stay in memory.
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                // Checkpoint every 10,000 pages (40 MiB of WAL) instead of 1,000: a page an ingest
                // rewrites batch after batch is copied back to the database once, not each time.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
            }
        }
        if Store.isDirectory(path) { throw StoreError.isDirectory(path: path) }
        if !readOnly {
            let dir = (path as NSString).deletingLastPathComponent
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw StoreError.cannotCreate(path: path, reason: Store.whyNoDirectory(dir) ?? error.localizedDescription)
            }
        } else if !FileManager.default.fileExists(atPath: path) {
            throw StoreError.notInitialized(path: path)
        }
        let found: Int
        do {
            pool = try DatabasePool(path: path, configuration: config)
            found = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
        } catch let e as DatabaseError {
            throw Store.refusal(e, path: path, readOnly: readOnly)
        }
        if found > Schema.version {
            throw StoreError.newerSchema(path: path, found: found, supported: Schema.version)
        }
        if readOnly && found > 0 && found < Schema.version {
            // Its queries are this version's: reading an older schema could fail half-way.
            throw StoreError.olderSchema(path: path, found: found, supported: Schema.version)
        }
        if !readOnly {
            do {
                if try pool.read({ db in try Schema.migrator.hasBeenSuperseded(db) }) {
                    throw StoreError.newerSchema(path: path, found: found, supported: Schema.version)
                }
                try Schema.migrator.migrate(pool)
                try pool.write { db in try db.execute(sql: "PRAGMA user_version = \(Schema.version)") }
            } catch let e as DatabaseError {
                throw Store.refusal(e, path: path, readOnly: readOnly)
            }
        }
        opened = DatabaseIdentity(path: path)
    }

    /// A fresh database in a new temporary directory.
    public static func temporary(clock: any Clock = SystemClock()) throws -> Store {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-\(UUID().uuidString)")
        return try Store(path: dir.appendingPathComponent("affdesk.sqlite").path, clock: clock)
    }

    /// A read-only view of the same file, for the affiliate mode and other readers.
    public func readOnlyCopy() throws -> Store { try Store(path: path, readOnly: true, clock: clock) }

    /// Moves whenever anything is written: every write adds an inbox event or an audit entry.
    public func dataVersion() throws -> Int64 {
        if affiliateView {
            return try pool.read { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
        }
        return try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT (SELECT COALESCE(MAX(id),0) FROM event) * 1000003 + (SELECT COALESCE(MAX(id),0) FROM audit)") ?? 0
        }
    }

    // MARK: Program

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
            try self.saveSettings(db, new, adapters: newAdapters, insert: false)
            try self.audit(db, who: who, action: "settings", target: "program",
                           before: old.summary + oldAdapters.summary, after: new.summary + newAdapters.summary, detail: nil)
        }
    }

    /// The core's bounds (`SettingRules`), as a store error naming the setting.
    static func validate(_ s: ProgramSettings) throws {
        do { try s.validate() } catch { throw StoreError.invalid(field: error.field, message: error.message) }
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
    }

    // MARK: Affiliates

    public func addAffiliate(code typed: String, name: String, email: String? = nil, commission: Commission? = nil,
                             who: String) throws -> AffiliateRow {
        let code: String
        switch AffiliateCode.validate(typed) {
        case .success(let c): code = c
        case .failure(let e): throw StoreError.invalid(field: e.field, message: e.message)
        }
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw StoreError.invalid(field: "name", message: "must not be empty") }
        for (field, value) in [("name", name), ("email", email ?? "")] where value.utf8.contains(0) {
            throw StoreError.invalid(field: field, message: "must not contain a NUL character")
        }
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

    // MARK: Plumbing

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        // A refusal, not a crash: the affiliate view and other readers share code with writers.
        guard !readOnly else { throw StoreError.readOnly(path: path) }
        return try pool.write { db in
            try self.checkFileIdentity(db)
            return try body(db)
        }
    }

    /// A write transaction for bulk ingest. Foreign-key checks are switched off for its length:
    /// every id an ingest writes comes from rows it read or created in this same transaction,
    /// and the checks cost a third of the ingest's time. The schema still declares them, and
    /// every other write (admin actions, settings) runs with them on.
    func bulkWrite<T>(_ body: (Database) throws -> T) throws -> T {
        guard !readOnly else { throw StoreError.readOnly(path: path) }
        return try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
            var result: T?
            try db.inTransaction {
                try self.checkFileIdentity(db)
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    func audit(_ db: Database, who: String, action: String, target: String?, before: String?, after: String?, detail: String?) throws {
        try db.execute(sql: "INSERT INTO audit (at, who, action, target, before, after, detail) VALUES (?,?,?,?,?,?,?)",
                       arguments: [clock.now().seconds, who, action, target, before, after, detail])
    }
}

extension Commission {
    /// The canonical stored form: "percent:1000" or "fixed:500:USD".
    var stored: String {
        switch self {
        case .percent(let bp): return "percent:\(bp)"
        case .fixed(let m): return "fixed:\(m.minor):\(m.currency.code)"
        }
    }

    init?(stored: String?) {
        guard let parts = stored?.split(separator: ":").map(String.init) else { return nil }
        switch (parts.first, parts.count) {
        case ("percent", 2): guard let bp = Int(parts[1]) else { return nil }; self = .percent(basisPoints: bp)
        case ("fixed", 3): guard let m = Int64(parts[1]) else { return nil }
            self = .fixed(Money(minor: m, currency: Currency(validated: parts[2])))
        default: return nil
        }
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

extension AdapterSettings {
    var summary: String { " metadata_key=\(metadataKey) tax=\(taxExcluded ? "excluded" : "included")" }
}
