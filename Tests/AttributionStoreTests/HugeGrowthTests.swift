import AttributionCore
@testable import AttributionStore
import Demo
import Foundation
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
}
