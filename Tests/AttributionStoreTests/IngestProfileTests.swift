import AttributionCore
@testable import AttributionStore
import Bench
import Demo
import Feeds
import Foundation
import GRDB
import XCTest

/// `bench ingest --profile` and `--drop`: the statement profile, the batch-by-batch floor, and
/// dropping indexes for experiments.
final class IngestProfileTests: StoreTestCase {
    /// A fresh store with the ingest bench's program and affiliates, and its mixed events.
    func benchStore(events: Int) throws -> (Store, [InboundEvent]) {
        let s = try Store.temporary(clock: FixedClock(Instant.parse("2026-06-01T00:00:00Z")!))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: (s.path as NSString).deletingLastPathComponent) }
        try s.initialize(ProgramSettings(name: "bench", caps: Caps(count: 24)), who: "bench")
        for code in BenchEvents.affiliateCodes { _ = try s.addAffiliate(code: code, name: code, who: "bench") }
        let feed = TrackingFeed(defaultCurrency: .usd, file: "bench.jsonl")
        let inbound = BenchEvents.lines(count: events).enumerated().compactMap { feed.read(line: $0.element, number: $0.offset + 1) }
        return (s, inbound)
    }

    /// Every statement the ingest steps is charged to its kind while the profile runs, and
    /// nothing is once it has stopped.
    func testTheProfileChargesEachKindOfStatementWhileItRuns() throws {
        let (s, inbound) = try benchStore(events: 3_000)
        let profile = StatementProfile.start()
        var tuning = BulkTuning.standard
        tuning.batch = 1_000
        _ = try s.ingest(inbound.prefix(2_000), tuning: tuning)
        let lines = profile.stop()
        XCTAssertNil(StatementProfile.active)
        let kinds = Dictionary(uniqueKeysWithValues: lines.map { ($0.kind, $0) })
        for k in ["INSERT OR FAIL INTO event", "INSERT OR FAIL INTO click", "INSERT OR FAIL INTO customer",
                  "INSERT OR FAIL INTO conversion", "INSERT OR FAIL INTO commission"] {
            XCTAssertGreaterThan(kinds[k]?.steps ?? 0, 0, k)
        }
        XCTAssertTrue(lines.contains { $0.kind.hasPrefix("UPDATE OR FAIL customer SET ") && !$0.kind.contains("WHERE") })
        XCTAssertTrue(lines.contains { $0.kind == "INSERT INTO affiliate_customer_sum … ON CONFLICT (upsert)" })
        XCTAssertEqual(lines.map(\.seconds), lines.map(\.seconds).sorted(by: >))
        let steps = lines.map(\.steps).reduce(0, +)
        _ = try s.ingest(inbound.suffix(1_000), tuning: tuning)
        XCTAssertEqual(profile.stop().map(\.steps).reduce(0, +), steps)
    }

    /// The batch-by-batch floor copies exactly the rows the table-by-table floor copies.
    func testTheBatchedFloorCopiesTheSameRowsAsTheFloor() throws {
        let (s, inbound) = try benchStore(events: 3_000)
        var tuning = BulkTuning.standard
        tuning.batch = 500
        _ = try s.ingest(inbound, tuning: tuning)
        let floor = try StoredRowsFloor.run(copying: s, batch: 500)
        let batched = try InterleavedFloor.run(copying: s, slices: 6)
        XCTAssertGreaterThan(floor.rows, 3_000)
        XCTAssertEqual(batched.rows, floor.rows)
        XCTAssertEqual(Set(floor.tables.keys), ["event", "click", "customer", "conversion", "commission", "the rest"])
    }

    /// `--drop` takes indexes and triggers only, and names what it refused.
    func testDropTakesOnlyIndexesAndTriggers() throws {
        let (s, _) = try benchStore(events: 10)
        try s.dropForExperiment(["customer_activity", "cap_candidate_join"])
        let left = try s.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name IN ('customer_activity', 'cap_candidate_join')")
        }
        XCTAssertEqual(left, [])
        for bad in ["customer", "no_such_index"] {
            XCTAssertThrowsError(try s.dropForExperiment([bad])) { XCTAssertTrue("\($0)".contains(bad)) }
        }
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM customer") }, 0)
    }
}
