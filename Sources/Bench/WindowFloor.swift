#if canImport(Glibc)
import Glibc
#endif
import AttributionStore
import Foundation
import GRDB

/// SQLite's own floor for one timed window of the growth bench, AT THE STORE'S SIZE: the rows the
/// window stored (inbox entries with their references and invalid payloads' words, clicks,
/// customers, conversions, commission entries) inserted again by SQLite alone into the same
/// store, right after the window, inside one transaction that is rolled back (the store is left
/// exactly as it was). Each row is a copy of one the window wrote, with its id shifted past
/// MAX(id) and every UNIQUE-constrained key made distinct (text keys get the suffix "~floor",
/// so each copy lands in the same index leaf as its original; a customer's number gets 10^9
/// added, the right end of its affiliate's range, where a new customer goes; a commission
/// entry points at its conversion's copy). Then the customers the window renewed (stored
/// before it, given a conversion in it) have the columns a renewal moves (last activity,
/// conversions, commission) moved by one, in id order, as the ingest's batch does. Triggers fire
/// as they do for the ingest. Table after table, `batch` rows per statement, on a new connection
/// with the writer's settings and the bulk ingest's pragmas (`BulkTuning`), twice: first with
/// its page cache cold (the pages come from the OS's cache), then warm (`run`). Not in it: the
/// commit (writing the pages to the WAL), the checkpoint, deciding, lookups, the maintained sums
/// the ingest upserts (a few rows per affiliate and month).
public enum WindowFloor {
    /// The largest ids before a window.
    public struct Mark: Sendable {
        public var event: Int64 = 0, click: Int64 = 0, customer: Int64 = 0, conversion: Int64 = 0, commission: Int64 = 0
        public init() {}
    }

    public struct Result: Sendable {
        public var rows = 0
        public var seconds = 0.0
        /// CPU seconds of the thread that ran it (on a loaded machine, compare these).
        public var cpuSeconds = 0.0
        /// The first pass, its page cache cold.
        public var coldSeconds = 0.0, coldCPUSeconds = 0.0
        /// Of which the renewed customers' updates.
        public var renewed = 0
        public var renewSeconds = 0.0
    }

    /// One line of a window's mix: events of a type and how many of them were refused.
    public struct MixLine: Sendable {
        public var type: String
        public var events: Int
        public var rejected: Int
    }

    static let tables = ["event", "click", "customer", "conversion", "commission"]

    public static func mark(path: String) throws -> Mark {
        try DatabaseQueue(path: path, configuration: readOnly()).read { db in try mark(db) }
    }

    /// The events stored since `mark`, by type, with how many were refused.
    public static func mix(path: String, since mark: Mark) throws -> [MixLine] {
        try DatabaseQueue(path: path, configuration: readOnly()).read { db in
            try Row.fetchAll(db, sql: """
                SELECT type, COUNT(*) AS n, SUM(outcome = 'rejected') AS r FROM event WHERE id > ?
                GROUP BY type ORDER BY n DESC, type
                """, arguments: [mark.event]).map { MixLine(type: $0["type"], events: $0["n"], rejected: $0["r"]) }
        }
    }

    /// The floor of the rows stored since `mark` (see the type's comment), twice on the same
    /// connection: first with its page cache cold, then warm (what the first pass read is still
    /// cached; what it wrote was rolled back). The result is the warm pass's, the lower bound;
    /// `coldSeconds` and `coldCPUSeconds` the first's.
    public static func run(path: String, since mark: Mark, batch: Int, pragmas: [String]) throws -> Result {
        var config = Configuration()
        config.prepareDatabase { db in for p in Store.writerPragmas + pragmas { try db.execute(sql: p) } }
        let queue = try DatabaseQueue(path: path, configuration: config)
        return try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")   // as the ingest's batches
            let end = try WindowFloor.mark(db)
            let copies = try WindowFloor.copies(db, mark, end)
            let cold = try pass(db, copies, mark, end, batch: batch)
            var warm = try pass(db, copies, mark, end, batch: batch)
            warm.coldSeconds = cold.seconds
            warm.coldCPUSeconds = cold.cpuSeconds
            return warm
        }
    }

    /// One pass: every copy, then the renewals, timed, in a transaction rolled back.
    static func pass(_ db: Database, _ copies: [Copy], _ mark: Mark, _ end: Mark, batch: Int) throws -> Result {
        var result = Result()
        try db.inTransaction {
            let cpu = threadCPU()
            let start = DispatchTime.now().uptimeNanoseconds
            for copy in copies { result.rows += try chunked(db, copy, batch: batch) }
            let mid = DispatchTime.now().uptimeNanoseconds
            result.renewed = try renew(db, mark, end, batch: batch)
            let stop = DispatchTime.now().uptimeNanoseconds
            result.rows += result.renewed
            result.seconds = Double(stop - start) / 1e9
            result.renewSeconds = Double(stop - mid) / 1e9
            result.cpuSeconds = threadCPU() - cpu
            return .rollback
        }
        return result
    }

    /// One table's copy: its statement, whose two `?`s are a range of the source's ids, and the
    /// range of ids the window stored.
    struct Copy { var sql: String; var from: Int64; var to: Int64 }

    static func copies(_ db: Database, _ m: Mark, _ e: Mark) throws -> [Copy] {
        let ev = e.event - m.event, cv = e.conversion - m.conversion
        let suffix = "'~floor'"
        return [
            Copy(sql: try insert(db, "event", ["id": "id + \(ev)", "dedupe": "dedupe || \(suffix)"]), from: m.event, to: e.event),
            Copy(sql: "INSERT INTO event_ref (ref, event_id, at, received_at) SELECT ref, event_id + \(ev), at, received_at FROM event_ref WHERE event_id > ? AND event_id <= ?",
                 from: m.event, to: e.event),
            Copy(sql: """
                INSERT INTO event_invalid_text (rowid, raw) SELECT id + \(ev), raw FROM event
                WHERE id > ? AND id <= ? AND outcome = 'rejected' AND reason = 'invalid_event'
                """, from: m.event, to: e.event),
            Copy(sql: try insert(db, "click", ["id": "id + \(e.click - m.click)", "click_id": "click_id || \(suffix)"]),
                 from: m.click, to: e.click),
            Copy(sql: try insert(db, "customer", ["id": "id + \(e.customer - m.customer)", "key": "key || \(suffix)",
                                                  "number": "number + 1000000000"]), from: m.customer, to: e.customer),
            Copy(sql: try insert(db, "conversion", ["id": "id + \(cv)", "external_id": "external_id || \(suffix)"]),
                 from: m.conversion, to: e.conversion),
            Copy(sql: try insert(db, "commission", ["id": "id + \(e.commission - m.commission)",
                                                    "conversion_id": "conversion_id + \(cv)"]),
                 from: m.commission, to: e.commission),
        ]
    }

    /// `INSERT INTO t (every column) SELECT <every column, some replaced> FROM t WHERE id > ? AND id <= ? ORDER BY id`.
    static func insert(_ db: Database, _ table: String, _ replace: [String: String]) throws -> String {
        let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
        let values = columns.map { replace[$0] ?? $0 }
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) SELECT \(values.joined(separator: ", ")) "
            + "FROM \(table) WHERE id > ? AND id <= ? ORDER BY id"
    }

    /// Runs one copy `batch` source ids per statement; returns the rows inserted.
    static func chunked(_ db: Database, _ copy: Copy, batch: Int) throws -> Int {
        var done = 0, last = copy.from
        while last < copy.to {
            let upper = min(copy.to, last + Int64(batch))
            try db.execute(sql: copy.sql, arguments: [last, upper])
            done += db.changesCount
            last = upper
        }
        return done
    }

    /// The customers stored before the window and renewed in it: the columns a renewal moves,
    /// moved by one, in id order, `batch` at a time. Returns how many.
    static func renew(_ db: Database, _ m: Mark, _ e: Mark, batch: Int) throws -> Int {
        let ids = try Int64.fetchAll(db, sql: """
            SELECT DISTINCT customer_id FROM conversion WHERE id > ? AND id <= ? AND customer_id <= ? ORDER BY customer_id
            """, arguments: [m.conversion, e.conversion, m.customer])
        var i = 0
        while i < ids.count {
            let part = ids[i..<min(ids.count, i + batch)]
            try db.execute(sql: """
                UPDATE customer SET last_activity_at = last_activity_at + 1, conversions = conversions + 1,
                  commission_minor = commission_minor + 1 WHERE id IN (\(part.map(String.init).joined(separator: ",")))
                """)
            i += batch
        }
        return ids.count
    }

    static func mark(_ db: Database) throws -> Mark {
        func top(_ t: String) throws -> Int64 { try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(id), 0) FROM \(t)") ?? 0 }
        var m = Mark()
        m.event = try top("event"); m.click = try top("click"); m.customer = try top("customer")
        m.conversion = try top("conversion"); m.commission = try top("commission")
        return m
    }

    static func threadCPU() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func readOnly() -> Configuration {
        var c = Configuration()
        c.readonly = true
        return c
    }
}
