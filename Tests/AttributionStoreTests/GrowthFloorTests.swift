import AttributionCore
@testable import AttributionStore
import Bench
import Demo
import Foundation
import GRDB
import XCTest

/// The growth bench's floor at size (`WindowFloor`) and its steady mode (`HugeGrowth`, `steady`).
final class GrowthFloorTests: StoreTestCase {
    func fresh() throws -> Store {
        let s = try Store.temporary(clock: FixedClock(DemoProgram.now))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: (s.path as NSString).deletingLastPathComponent) }
        return s
    }

    /// Every row of every table, in order: the whole store as text.
    func dump(_ s: Store) throws -> [String] {
        try s.read { db in
            let tables = try String.fetchAll(db, sql: """
                SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE '%VIRTUAL%'
                ORDER BY name
                """)
            return try tables.flatMap { t in try Row.fetchAll(db, sql: "SELECT * FROM \(t)").map { "\(t) \($0)" }.sorted() }
        }
    }

    /// The floor inserts again every row the window stored (and renews the customers it renewed),
    /// and leaves the store exactly as it was: its transaction is rolled back.
    func testTheFloorCopiesTheWindowsRowsAndLeavesTheStoreAsItWas() throws {
        let s = try fresh()
        var mark = WindowFloor.Mark(), floors: [WindowFloor.Result] = [], mixes: [[WindowFloor.MixLine]] = []
        var dumps: [([String], [String])] = []
        try HugeGrowth.measure(into: s, marks: [3_000], window: 2_000, customers: 1_000, point: { _ in }, begins: {
            mark = (try? WindowFloor.mark(path: s.path)) ?? WindowFloor.Mark()
        }, ended: { _ in
            let before = (try? self.dump(s)) ?? []
            if let f = try? WindowFloor.run(path: s.path, since: mark, batch: 333, pragmas: BulkTuning.standard.ingestPragmas) {
                floors.append(f)
            }
            mixes.append((try? WindowFloor.mix(path: s.path, since: mark)) ?? [])
            dumps.append((before, (try? self.dump(s)) ?? []))
        })
        guard let f = floors.first, let (before, after) = dumps.first, let mix = mixes.first else { return XCTFail("no floor") }
        XCTAssertEqual(after, before)
        XCTAssertGreaterThan(before.count, 1_000)
        XCTAssertEqual(mix.map(\.events).reduce(0, +), 2_000)
        let window = try s.read { db -> Int in
            var n = 0
            for (t, id) in [("event", mark.event), ("click", mark.click), ("customer", mark.customer),
                            ("conversion", mark.conversion), ("commission", mark.commission)] {
                n += try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(t) WHERE id > ?", arguments: [id]) ?? 0
            }
            n += try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event_ref WHERE event_id > ?", arguments: [mark.event]) ?? 0
            n += try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM event WHERE id > ? AND outcome = 'rejected' AND reason = 'invalid_event'
                """, arguments: [mark.event]) ?? 0
            return n
        }
        XCTAssertGreaterThan(f.renewed, 0)
        XCTAssertEqual(f.rows, window + f.renewed)
        XCTAssertGreaterThan(f.seconds, 0)
        XCTAssertEqual(try s.consistencyProblems(), [])
    }

    /// --steady: a window is ingested group by group (clicks, sign-ups, payments, cancels, the
    /// rest), each its own part, and holds the same events as the default window.
    func testASteadyWindowIsTimedGroupByGroup() throws {
        let plain = try fresh(), steady = try fresh()
        var points: [HugeGrowth.Point] = []
        try HugeGrowth.measure(into: plain, marks: [2_500], window: 2_000, customers: 1_000, point: { points.append($0) })
        try HugeGrowth.measure(into: steady, marks: [2_500], window: 2_000, customers: 1_000, steady: true, point: { points.append($0) })
        guard points.count == 2 else { return XCTFail("\(points.count) points") }
        XCTAssertEqual(points[0].parts.map(\.label), ["all"])
        let labels = points[1].parts.map(\.label)
        XCTAssertEqual(labels, HugeGrowth.groupOrder.filter { labels.contains($0) })
        XCTAssertTrue(labels.contains("click") && labels.contains("conversion"))
        XCTAssertEqual(points[1].parts.map(\.events).reduce(0, +), 2_000)
        XCTAssertEqual(points[1].stored, points[0].stored)
        func dedupes(_ s: Store) throws -> [String] {
            try s.read { db in try String.fetchAll(db, sql: "SELECT dedupe FROM event ORDER BY dedupe") }
        }
        XCTAssertEqual(try dedupes(steady), try dedupes(plain))
        XCTAssertEqual(try steady.consistencyProblems(), [])
    }

    /// The steady rate weighs each group's seconds per event by the stream's mix.
    func testTheSteadyRateWeighsEachGroupByTheStreamsMix() {
        let parts = [HugeGrowth.Part(label: "click", events: 10_000, seconds: 1, checkpointSeconds: 0),
                     HugeGrowth.Part(label: "conversion", events: 1_000, seconds: 1, checkpointSeconds: 0),
                     HugeGrowth.Part(label: "cancel", events: 10, seconds: 1, checkpointSeconds: 0)]
        let c = HugeGrowth.streamMix["click"]!, v = HugeGrowth.streamMix["conversion"]!
        // The 10 cancels are too few to time: left out, the others weighed up.
        XCTAssertEqual(HugeGrowth.steadyRate(parts) { $0.seconds }, (c + v) / (c * 0.0001 + v * 0.001), accuracy: 1e-6)
        XCTAssertEqual(HugeGrowth.streamMix.values.reduce(0, +), 1, accuracy: 1e-9)
    }
}
