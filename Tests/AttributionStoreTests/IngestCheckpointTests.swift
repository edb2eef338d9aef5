@testable import AttributionStore
import GRDB
import XCTest

/// A long ingest copies the WAL back beside the writer (`IngestCheckpoint`); the writer catches
/// up once the WAL is full, and gets its automatic checkpoint back at the end.
final class IngestCheckpointTests: StoreTestCase {
    func autocheckpoint(_ s: Store) throws -> Int {
        try s.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? -1 }
    }

    func testAnIngestOfManyBatchesGivesTheWriterItsAutomaticCheckpointBack() throws {
        let s = try store()
        let before = try autocheckpoint(s)
        XCTAssertEqual(before, Int(IngestCheckpoint.pages))
        let lines = (1...40).map { Line.click("c\($0)", "alice") }
        XCTAssertEqual(try ingest(s, lines, batchSize: 7).accepted, 40)
        XCTAssertEqual(try autocheckpoint(s), before)
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM click") }, 40)
    }

    func testTheWriterCatchesUpOnceTheWALIsFull() throws {
        let s = try store()
        let cp = try XCTUnwrap(try IngestCheckpoint(s.pool, path: s.path, catchUp: 1))
        XCTAssertEqual(try autocheckpoint(s), 0, "off while the ingest runs")
        try ingest(s, [Line.click("c1", "alice")])
        cp.committed()   // a checkpoint in the background
        try ingest(s, [Line.click("c2", "alice")])
        cp.committed()   // the WAL holds pages: the writer copies what is left
        let (log, copied) = try s.pool.writeWithoutTransaction { db -> (Int, Int) in
            let r = try XCTUnwrap(try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)"))
            return (r[1], r[2])
        }
        XCTAssertGreaterThan(log, 0)
        XCTAssertEqual(copied, log, "every page already copied back")
        try cp.finish()
        XCTAssertEqual(try autocheckpoint(s), Int(IngestCheckpoint.pages))
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM click") }, 2)
    }
}
