import AttributionCore
@testable import AttributionStore
import Demo
import Feeds
import GRDB
import XCTest

/// A bulk ingest's tuning (events per transaction, the writer's cache, the WAL between
/// checkpoints, cache_spill, mmap) moves only its cost: the database is the same, and the writer
/// has its own settings back afterwards.
extension IngestBatchTests {
    func pragmas(_ s: Store) throws -> [Int] {
        try s.pool.writeWithoutTransaction { db in
            try ["cache_size", "cache_spill", "mmap_size", "wal_autocheckpoint"].map { try Int.fetchOne(db, sql: "PRAGMA \($0)") ?? -1 }
        }
    }

    func testATuningChangesNothingButTheSpeed() throws {
        let lines = BenchEvents.lines(count: 2_000, seed: 5)
        let feed = TrackingFeed(defaultCurrency: .usd, file: "test.jsonl")
        let events = lines.enumerated().compactMap { feed.read(line: $0.element, number: $0.offset + 1) }
        let reference = try benchStore(caps: Caps(count: 3))
        let expected = try reference.ingest(events, tuning: .standard)
        let own = try pragmas(reference)
        // A small cache that must spill, no spilling at all, mmap, and a WAL caught up every batch.
        for tuning in [BulkTuning(batch: 300, cacheMiB: 1, checkpointPages: 1, mmapMiB: 8),
                       BulkTuning(batch: 1_500, cacheMiB: 256, checkpointPages: 1_000_000, cacheSpill: false)] {
            let s = try benchStore(caps: Caps(count: 3))
            let summary = try s.ingest(events, tuning: tuning)
            XCTAssertEqual(summary.byReason, expected.byReason, "\(tuning)")
            XCTAssertEqual(try dump(s), try dump(reference), "\(tuning)")
            XCTAssertEqual(try s.consistencyProblems(), [], "\(tuning)")
            XCTAssertEqual(try pragmas(s), own, "the writer's own settings are back after \(tuning)")
        }
    }
}
