import AttributionCore
import Demo
@testable import AttributionStore
import Foundation
import GRDB
import XCTest

/// "v22-triage-times" on a populated database: the demo taken back to version 17, as the
/// previous affdesk left it, then opened.
final class TriageTimesMigrationTests: StoreTestCase {
    func testThePopulatedDemosIdentifierIndexesGetTheEventsTimesAndTriageFindsTheSameEvents() throws {
        let path = try tempDir() + "/demo.sqlite"
        try DemoTemplate.shared.copy(to: path)
        let filters = ["9", "inv_1", "clk_1", "a", "x@", "cus_0", "@"]
        func found(_ s: Store) throws -> [[Int64]] {
            try filters.map { try s.events(EventQuery(filter: $0, order: .time), page: .first(1_000_000)).map(\.id) }
        }
        func eventIndexes(_ s: Store) throws -> [String] {
            try s.read { db in
                try String.fetchAll(db, sql: "SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'event' AND sql IS NOT NULL ORDER BY name")
            }
        }
        let expected = try found(Store(path: path, clock: FixedClock(DemoProgram.now)))
        XCTAssertGreaterThan(expected.map(\.count).reduce(0, +), 100, "the filters find the demo's events")
        try takeBack(path, migrations: ["v22-triage-times"], toVersion: 17, undo: """
            DROP INDEX event_invalid_time;
            DROP INDEX event_customer_key; CREATE INDEX event_customer_key ON event(customer_key) WHERE customer_key IS NOT NULL;
            DROP INDEX event_external_id; CREATE INDEX event_external_id ON event(external_id) WHERE external_id IS NOT NULL;
            DROP INDEX event_click_ref; CREATE INDEX event_click_ref ON event(click_ref) WHERE click_ref IS NOT NULL;
            DROP INDEX event_customer; CREATE INDEX event_customer ON event(customer_id) WHERE customer_id IS NOT NULL;
            """)
        let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
        XCTAssertEqual(try eventIndexes(s), try eventIndexes(emptyStore()), "the indexes a new store has")
        XCTAssertEqual(try found(s), expected)
        try assertConsistent(s)
    }
}
