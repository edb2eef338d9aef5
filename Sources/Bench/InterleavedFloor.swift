import AttributionStore
import Foundation
import GRDB

/// The stored-rows floor copied the way an ingest must write: batch by batch, every table in each
/// transaction (`bench ingest --profile`). `StoredRowsFloor` copies one table after the other, so
/// each transaction touches one table's indexes; an ingest's transaction holds a batch of events
/// and so touches every table's indexes at once, and its commit writes the pages of all of them.
/// Here slice `i` of `slices` of each table (by id: its share of the rows, as a batch of events
/// makes about the same share of each) is copied in one transaction, tables in the order the
/// ingest writes them; customers as they ended (no renewal UPDATEs), the per-month sums at the end.
/// What remains between this and the ingest is what the ingest does beyond storing its rows.
public enum InterleavedFloor {
    public struct Result: Sendable {
        /// Rows copied (the same count as `StoredRowsFloor`'s).
        public var rows: Int
        public var seconds: Double
        public var cpuSeconds: Double
    }

    static let tables: [(name: String, id: String)] = [
        ("click", "id"), ("customer", "id"), ("conversion", "id"), ("commission", "id"), ("event", "id"),
        ("event_ref", "event_id")]

    public static func run(copying source: Store, slices: Int, drop: [String] = []) throws -> Result {
        try FloorCopy.into(copying: source, drop: drop) { db in
            var top: [String: Int64] = [:]
            for t in tables { top[t.name] = try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(\(t.id)), 0) FROM src.\(t.name)") ?? 0 }
            let start = DispatchTime.now().uptimeNanoseconds, cpuStart = PhaseClock.threadCPU()
            let n = Int64(max(1, slices))
            var rows = 0
            for i in 0..<n {
                try db.inTransaction {
                    for t in tables {
                        let m = top[t.name]!
                        try db.execute(sql: "INSERT INTO main.\(t.name) SELECT * FROM src.\(t.name) WHERE \(t.id) > ? AND \(t.id) <= ? ORDER BY \(t.id)",
                                       arguments: [m * i / n, m * (i + 1) / n])
                        rows += db.changesCount
                    }
                    // The invalid payloads' words (a contentless full-text table: from the inbox, as `StoredRowsFloor`).
                    let m = top["event"]!
                    try db.execute(sql: """
                        INSERT INTO main.event_invalid_text (rowid, raw) SELECT id, raw FROM src.event
                        WHERE id > ? AND id <= ? AND outcome = 'rejected' AND reason = 'invalid_event'
                        """, arguments: [m * i / n, m * (i + 1) / n])
                    rows += db.changesCount
                    return .commit
                }
            }
            try db.execute(sql: "INSERT INTO main.affiliate_month SELECT * FROM src.affiliate_month")
            rows += db.changesCount
            return Result(rows: rows, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                          cpuSeconds: Double(PhaseClock.threadCPU() &- cpuStart) / 1e9)
        }
    }
}
