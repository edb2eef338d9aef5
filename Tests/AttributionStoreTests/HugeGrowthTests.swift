import AttributionCore
@testable import AttributionStore
import Demo
import Foundation
import GRDB
import XCTest

/// `bench ingest-growth`'s measurement, tiny: one point per mark, each timed from that many stored
/// events, and the store it grew is consistent (aggregates included).
final class HugeGrowthTests: StoreTestCase {
    func testEachMarkIsMeasuredFromThatManyStoredEvents() throws {
        let s = try Store.temporary(clock: FixedClock(DemoProgram.now))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: (s.path as NSString).deletingLastPathComponent) }
        var points: [HugeGrowth.Point] = []
        try HugeGrowth.measure(into: s, marks: [100, 1_500], window: 1_000, customers: 1_000, point: { points.append($0) })
        XCTAssertEqual(points.map(\.events), [1_000, 1_000])
        guard points.count == 2 else { return }
        XCTAssertGreaterThanOrEqual(points[0].stored, 100)
        XCTAssertLessThan(points[0].stored, 1_500)
        XCTAssertGreaterThanOrEqual(points[1].stored, 1_500)
        XCTAssertTrue(points.allSatisfy { $0.seconds > 0 })
        XCTAssertEqual(try s.eventCount(), points[1].stored + 1_000)
        XCTAssertEqual(try s.consistencyProblems(), [])
    }

    /// `--resume`: a store grown to one mark and then resumed holds exactly what one run to the
    /// same count holds (the stream is generated again and the stored events skipped).
    func testAResumedRunGoesOnWithTheSameStream() throws {
        func fresh() throws -> Store {
            let s = try Store.temporary(clock: FixedClock(DemoProgram.now))
            addTeardownBlock { try? FileManager.default.removeItem(atPath: (s.path as NSString).deletingLastPathComponent) }
            return s
        }
        let whole = try fresh(), resumed = try fresh()
        var points: [HugeGrowth.Point] = []
        try HugeGrowth.measure(into: whole, marks: [2_000], window: 1_000, customers: 1_000, point: { points.append($0) })
        try HugeGrowth.measure(into: resumed, marks: [1_200], window: 1_000, customers: 1_000, point: { _ in })
        let tuning = BulkTuning(batch: 333, cacheMiB: 2, checkpointPages: 5)
        try HugeGrowth.measure(into: resumed, marks: [0, 0], window: 1_000, customers: 1_000, tuning: tuning, resume: true,
                               point: { points.append($0) })
        XCTAssertEqual(points.dropFirst().map(\.stored), [2_200, 3_200])
        XCTAssertEqual(try resumed.eventCount(), 4_200)
        // The whole run stopped at its mark plus a window: compare what both hold up to there.
        let upTo = try whole.eventCount()
        func rows(_ s: Store) throws -> [String] {
            try s.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM event WHERE id <= ? ORDER BY id", arguments: [upTo]).map { "\($0)" }
            }
        }
        XCTAssertEqual(try rows(resumed), try rows(whole))
        XCTAssertEqual(try resumed.settings().recurring, try whole.settings().recurring)
        XCTAssertEqual(try resumed.consistencyProblems(), [])
    }
}
