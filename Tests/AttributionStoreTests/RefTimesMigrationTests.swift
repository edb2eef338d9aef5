import AttributionCore
import Demo
@testable import AttributionStore
import Foundation
import GRDB
import XCTest

/// "v25-ref-times" on a populated database: the demo with Stripe and WooCommerce events
/// (`PaymentEvents`), taken back to version 19 as the previous affdesk left it (`event_ref` with
/// the ref and the event id only), then opened.
final class RefTimesMigrationTests: StoreTestCase {
    /// Filters naming Stripe and WooCommerce ids, exact and by prefix, and others.
    static func filters(_ s: Store) throws -> [String] {
        let invoice = try XCTUnwrap(try s.references(startingWith: "in_", limit: 1).first)
        let refund = try XCTUnwrap(try s.references(startingWith: "re_", limit: 1).first)
        return [invoice, String(invoice.prefix(5)), "in_", "ch_3", "ch_1", "sub_1", "evt_1", "cus_", "wc-1", "wc-sub-", refund, "9", "a"]
    }

    func testThePopulatedDemosReferencesGetTheirEventsTimesAndTriageFindsTheSameEvents() throws {
        let path = try tempDir() + "/demo.sqlite"
        try DemoTemplate.shared.copy(to: path)
        let before = try Store(path: path, clock: FixedClock(DemoProgram.now))
        let summary = try before.ingest(PaymentEvents(customers: 400, every: 4, months: 3).inbound())
        XCTAssertEqual(summary.byReason["invalid_event"] ?? 0, 0)
        let filters = try Self.filters(before)
        func found(_ s: Store) throws -> [[Int64]] {
            try filters.map { try s.events(EventQuery(filter: $0, order: .time), page: .first(1_000_000)).map(\.id) }
        }
        let expected = try found(before)
        let refs = try before.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event_ref") ?? 0 }
        XCTAssertGreaterThan(refs, 1_000, "the payments name their ids")
        XCTAssertGreaterThan(expected[2].count, 100, "a prefix finds many events")
        try takeBack(path, migrations: ["v25-ref-times"], toVersion: 19, undo: """
            CREATE TABLE event_ref_old (ref TEXT NOT NULL, event_id INTEGER NOT NULL REFERENCES event(id), PRIMARY KEY (ref, event_id)) WITHOUT ROWID;
            INSERT INTO event_ref_old SELECT ref, event_id FROM event_ref;
            DROP TABLE event_ref;
            ALTER TABLE event_ref_old RENAME TO event_ref;
            CREATE INDEX event_ref_event ON event_ref(event_id);
            """)
        let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
        func schema(_ s: Store) throws -> [String] {
            try s.read { db in
                try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE tbl_name = 'event_ref' AND sql IS NOT NULL ORDER BY name")
            }
        }
        XCTAssertEqual(try schema(s), try schema(emptyStore()), "the table and index a new store has")
        let (count, timed) = try s.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event_ref") ?? 0,
             try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM event_ref r JOIN event e ON e.id = r.event_id WHERE r.at IS e.at AND r.received_at = e.received_at
                """) ?? 0)
        }
        XCTAssertEqual(count, refs)
        XCTAssertEqual(timed, refs, "every reference holds its event's times")
        XCTAssertEqual(try found(s), expected)
        try assertConsistent(s)
    }

    /// `affdesk check`: a reference whose times are not its event's is a problem named.
    func testTheCheckNamesAReferenceWhoseTimesAreNotItsEvents() throws {
        let s = try store()
        let summary = try s.ingest(PaymentEvents(customers: 40, every: 4, months: 2).inbound())
        XCTAssertGreaterThan(summary.received, 10)
        try assertConsistent(s)
        let ref = try XCTUnwrap(try s.references(startingWith: "in_", limit: 1).first)
        try s.write { db in try db.execute(sql: "UPDATE event_ref SET received_at = received_at + 1 WHERE ref = ?", arguments: [ref]) }
        let problems = try s.consistencyProblems()
        XCTAssertTrue(problems.contains { $0.hasPrefix("reference \(ref) of event ") && $0.contains("holds the times") }, "\(problems)")
    }
}
