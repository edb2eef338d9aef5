import Foundation
import GRDB
import GRDBSQLite

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
                let s = try RawStatement(db, "INSERT INTO t (a, b, c) VALUES (?, ?, ?)")
                for i in done..<(done + n) {
                    s.bind(.text("row-\(i)"), .int(Int64(i)), .text("{\"type\":\"click\",\"n\":\(i)}"))
                    try s.run()
                }
            }
            done += n
        }
        let secs = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Double(rows) / secs
    }
}
