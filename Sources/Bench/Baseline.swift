import AttributionStore
import Foundation
import GRDB
import GRDBSQLite

private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// The benchmark's yardstick: how fast this machine's SQLite inserts plain rows through the C
/// API, with the same journal settings and batch size the ingest uses.
public enum RawInsertBaseline {
    /// Inserts `rows` rows of (text, integer, text) into a fresh table; returns rows per second.
    public static func run(rows: Int, batch: Int = 4096) throws -> Double {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("affdesk-baseline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let pool = try DatabasePool(path: dir.appendingPathComponent("baseline.sqlite").path, configuration: config)
        try pool.write { db in
            try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INTEGER NOT NULL, c TEXT NOT NULL)")
        }
        let start = DispatchTime.now().uptimeNanoseconds
        var done = 0
        while done < rows {
            let n = min(batch, rows - done)
            try pool.write { db in
                // Through SQLite's C API, as the ingest's own statements are.
                let statement = try db.makeStatement(sql: "INSERT INTO t (a, b, c) VALUES (?, ?, ?)")
                let s = statement.sqliteStatement
                for i in done..<(done + n) {
                    sqlite3_reset(s)
                    sqlite3_bind_text(s, 1, "row-\(i)", -1, transient)
                    sqlite3_bind_int64(s, 2, Int64(i))
                    sqlite3_bind_text(s, 3, "{\"type\":\"click\",\"n\":\(i)}", -1, transient)
                    let rc = sqlite3_step(s)
                    guard rc == SQLITE_DONE else {
                        throw DatabaseError(resultCode: ResultCode(rawValue: rc), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
                    }
                }
                sqlite3_reset(s)
            }
            done += n
        }
        let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Double(rows) / secs
    }
}

/// The ingest's own floor: the rows an ingest wrote (inbox entries, clicks, customers,
/// conversions, since schema v8 their commission entries, and since schema v7 the references,
/// invalid payloads' words and per-month sums), inserted again into an empty database with the
/// same schema and the same connection settings, by SQLite alone (`INSERT ... SELECT`, `batch`
/// rows per transaction, one table after the other). No decisions, no lookups, no updates, no
/// binding: what it costs merely to store what the ingest stored.
public enum StoredRowsFloor {
    public struct Result: Sendable {
        public var rows: Int
        public var seconds: Double
        /// Of which the commission entries (schema v8), which the floor copied only from session 5 on.
        public var ledgerRows = 0
        public var ledgerSeconds = 0.0
        /// The thread's CPU time over the same copies (robust when the machine is loaded).
        public var cpuSeconds = 0.0
        /// Wall seconds per table copied (the small ones after the five big ones as "the rest").
        public var tables: [String: Double] = [:]
    }

    /// `drop`: indexes and triggers dropped from the copy first (`bench ingest --drop`), as from the ingest's store.
    public static func run(copying source: Store, batch: Int = 4096, drop: [String] = []) throws -> Result {
        var rows = 0, ledgerRows = 0
        var nanos: UInt64 = 0, ledgerNanos: UInt64 = 0, cpu: UInt64 = 0
        var tables: [String: Double] = [:]
        try FloorCopy.into(copying: source, drop: drop) { db in
            // Since schema v8 the ingest writes each credited conversion's ledger entry too.
            for table in ["event", "click", "customer", "conversion", "commission"] {
                let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM src.\(table)") ?? 0
                let start = DispatchTime.now().uptimeNanoseconds, cpuStart = PhaseClock.threadCPU()
                var last: Int64 = 0
                while true {
                    var copied = 0
                    try db.inTransaction {
                        try db.execute(sql: "INSERT INTO main.\(table) SELECT * FROM src.\(table) WHERE id > ? ORDER BY id LIMIT ?",
                                       arguments: [last, batch])
                        copied = db.changesCount
                        last = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM main.\(table)") ?? 0
                        return .commit
                    }
                    if copied == 0 { break }
                }
                nanos += DispatchTime.now().uptimeNanoseconds - start
                cpu += PhaseClock.threadCPU() &- cpuStart
                tables[table] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                rows += total
                if table == "commission" { ledgerNanos = DispatchTime.now().uptimeNanoseconds - start; ledgerRows = total }
            }
            // What the ingest keeps beside (schema v7): the adapters' references, the words of
            // the invalid payloads, the per-month sums (one transaction each: they are small).
            let start = DispatchTime.now().uptimeNanoseconds, cpuStart = PhaseClock.threadCPU()
            for sql in ["INSERT INTO main.event_ref SELECT * FROM src.event_ref",
                        """
                        INSERT INTO main.event_invalid_text (rowid, raw) SELECT id, raw FROM src.event
                        WHERE outcome = 'rejected' AND reason = 'invalid_event'
                        """,
                        "INSERT INTO main.affiliate_month SELECT * FROM src.affiliate_month"] {
                try db.inTransaction {
                    try db.execute(sql: sql)
                    rows += db.changesCount
                    return .commit
                }
            }
            nanos += DispatchTime.now().uptimeNanoseconds - start
            cpu += PhaseClock.threadCPU() &- cpuStart
            tables["the rest"] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        return Result(rows: rows, seconds: Double(nanos) / 1e9, ledgerRows: ledgerRows, ledgerSeconds: Double(ledgerNanos) / 1e9,
                      cpuSeconds: Double(cpu) / 1e9, tables: tables)
    }
}

/// What the floors share (`StoredRowsFloor`, `InterleavedFloor`): an empty database of the same
/// schema, on a connection of the benchmark's with the store's own writer settings, `drop`
/// removed from it, foreign keys off, the ingest's store attached as `src` and its affiliates
/// copied; `body` copies the rest. The database is removed afterwards.
enum FloorCopy {
    static func into<T>(copying source: Store, drop: [String], _ body: (Database) throws -> T) throws -> T {
        let target = try Store.temporary(clock: source.clock)
        defer { try? FileManager.default.removeItem(atPath: (target.path as NSString).deletingLastPathComponent) }
        var config = Configuration()
        config.prepareDatabase { db in for p in Store.writerPragmas { try db.execute(sql: p) } }
        let queue = try DatabaseQueue(path: target.path, configuration: config)
        return try queue.writeWithoutTransaction { db in
            try SchemaDrop.drop(drop, db)
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "ATTACH DATABASE ? AS src", arguments: [source.path])
            defer { try? db.execute(sql: "DETACH DATABASE src") }
            try db.execute(sql: "INSERT INTO main.affiliate SELECT * FROM src.affiliate")
            return try body(db)
        }
    }
}
