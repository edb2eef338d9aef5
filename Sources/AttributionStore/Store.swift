import AttributionCore
import Foundation
import GRDB

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
    /// When a Caps read last moved the months cutoff forward (`MonthsCutoffFollow`).
    let monthsCutoffFollow = MonthsCutoffFollow()

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
                for p in Store.writerPragmas { try db.execute(sql: p) }
            }
        }
        if Store.isDirectory(path) { throw StoreError.isDirectory(path: path) }
        try Store.refuseSpecialFile(path)
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
        if !readOnly {
            do { try followStoredCaps() } catch let e as DatabaseError { throw Store.refusal(e, path: path, readOnly: readOnly) }
        }
    }

    /// The settings of every connection that may write (the benchmarks' floors use them too).
    public static let writerPragmas = [
        "PRAGMA synchronous = NORMAL",
        // A 64 MiB page cache for the writer: the ingest touches a dozen indexes per event.
        Store.writerCacheSize,
        // Statement journals and temporary B-trees stay in memory.
        "PRAGMA temp_store = MEMORY",
        // Checkpoint every 10,000 pages (40 MiB of WAL) instead of 1,000: a page an ingest
        // rewrites batch after batch is copied back to the database once, not each time.
        "PRAGMA wal_autocheckpoint = \(Store.walAutocheckpointPages)",
    ]

    /// The writer's page cache (a bulk ingest may set its own for its length: `BulkTuning`).
    static let writerCacheSize = "PRAGMA cache_size = -65536"

    /// The writer's automatic checkpoint, in WAL pages (`IngestCheckpoint` catches up at it too).
    public static let walAutocheckpointPages: Int32 = 10_000

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

    // MARK: Transactions

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try transaction(foreignKeys: true, body)
    }

    /// A write transaction for bulk ingest. Foreign-key checks are off for it: every id an
    /// ingest writes comes from rows it read or created in this same transaction, and the checks
    /// cost a third of the ingest's time. The schema still declares them, and every other write
    /// (admin actions, settings: `write`) switches them on first.
    func bulkWrite<T>(_ body: (Database) throws -> T) throws -> T {
        try transaction(foreignKeys: false, body)
    }

    /// One write transaction on the writer connection, in the file this store opened.
    private func transaction<T>(foreignKeys: Bool, _ body: (Database) throws -> T) throws -> T {
        // A refusal, not a crash: the affiliate view and other readers share code with writers.
        guard !readOnly else { throw StoreError.readOnly(path: path) }
        return try pool.writeWithoutTransaction { db in
            try Store.foreignKeys(db, on: foreignKeys)
            var result: T?
            try db.inTransaction {
                try self.checkFileIdentity(db)
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    /// Foreign-key checks on or off for the writer connection's next transactions, switched only
    /// when they are not so already: each switch expires every statement the connection has
    /// prepared (SQLite compiles each again at its next use, the bulk ingest's 64-row INSERTs
    /// included). So a bulk ingest's transactions, one after another, keep them off, and the next
    /// other write switches them on. (A no-op inside a transaction: called before BEGIN.)
    static func foreignKeys(_ db: Database, on: Bool) throws {
        let now = try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false
        if now != on { try db.execute(sql: on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF") }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    func audit(_ db: Database, _ e: AuditEntry) throws {
        try audit(db, who: e.who, action: e.action, target: e.target, before: e.before, after: e.after, detail: e.detail)
    }

    func audit(_ db: Database, who: String, action: String, target: String?, before: String?, after: String?, detail: String?) throws {
        try db.execute(sql: "INSERT INTO audit (at, who, action, target, before, after, detail) VALUES (?,?,?,?,?,?,?)",
                       arguments: [clock.now().seconds, who, action, target, before, after, detail])
    }
}
