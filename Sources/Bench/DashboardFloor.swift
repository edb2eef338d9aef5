import Foundation
import GRDB

/// The dashboard benchmark's floor: SQLite alone reading a keyset page of 50 rows of a table by
/// its primary key, on its own read-only connection to the same file, in the same run.
public enum DashboardFloor {
    /// The tables the floor may read (never a name from input).
    public static let tables: Set<String> = ["affiliate", "customer", "conversion", "event", "audit", "commission", "payout"]

    /// Milliseconds for each of `runs` keyset pages of 50 rows of `table`, from the middle of it.
    /// `cold`: before each page, the file is evicted from the OS page cache (`PageCache`) and the
    /// page is read on a new connection, so both caches are empty.
    public static func keysetPage(path: String, table: String, runs: Int, cold: Bool = false) throws -> [Double] {
        guard tables.contains(table) else { return [] }
        var config = Configuration()
        config.readonly = true
        if cold {
            var out: [Double] = []
            for run in 0..<Swift.max(1, runs) {
                PageCache.evict(path)
                out += try DatabaseQueue(path: path, configuration: config).read { db in try pages(db, table: table, from: run, runs: 1) }
            }
            return out
        }
        let queue = try DatabaseQueue(path: path, configuration: config)
        return try queue.read { db in try pages(db, table: table, from: 0, runs: runs) }
    }

    /// Times `runs` keyset pages of 50 from the middle of `table`, the first `from` pages in.
    static func pages(_ db: Database, table: String, from first: Int, runs: Int) throws -> [Double] {
        let mid = try Int64.fetchOne(db, sql: "SELECT max(id) / 2 FROM \(table)") ?? 0
        var out: [Double] = []
        for run in first..<(first + Swift.max(1, runs)) {
            let from = mid + Int64(run * 50)
            let start = DispatchTime.now().uptimeNanoseconds
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(table) WHERE id > ? ORDER BY id LIMIT 50", arguments: [from])
            out.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            _ = rows.count
        }
        return out
    }

    /// The code of the affiliate with the most customers (ties: the first added), if any.
    public static func busiestAffiliate(path: String) throws -> String? {
        var config = Configuration()
        config.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: config)
        return try queue.read { db in
            try String.fetchOne(db, sql: """
                SELECT a.code FROM affiliate a JOIN (SELECT affiliate_id, count(*) AS n FROM customer GROUP BY affiliate_id) c
                ON c.affiliate_id = a.id ORDER BY c.n DESC, a.id LIMIT 1
                """)
        }
    }

    /// Peak resident memory of this process (VmHWM, kB), or nil where /proc is missing.
    public static func peakResidentKB() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
        }
        return nil
    }
}
