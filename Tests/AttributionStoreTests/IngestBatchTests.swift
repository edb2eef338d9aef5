import AttributionCore
@testable import AttributionStore
import Demo
import Feeds
import GRDB
import XCTest

/// The ingest decides a batch from caches and writes its rows many at a time. These tests pin
/// that down: how events are cut into transactions must change nothing in the database.
final class IngestBatchTests: StoreTestCase {
    /// Every row the ingest writes, as text, in id order.
    func dump(_ s: Store) throws -> [String] {
        try s.read { db in
            var out: [String] = []
            for (table, order) in [("affiliate", "id"), ("click", "id"), ("customer", "id"), ("conversion", "id"),
                                   ("event", "id"), ("event_ref", "ref, event_id")] {
                out += try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY \(order)").map { "\(table) \($0)" }
            }
            return out
        }
    }

    func benchStore(caps: Caps) throws -> Store {
        let s = try emptyStore()
        try s.initialize(ProgramSettings(name: "bench", caps: caps), who: "tester")
        for code in BenchEvents.affiliateCodes { _ = try s.addAffiliate(code: code, name: code, who: "tester") }
        return s
    }

    func testTheBatchSizeChangesNothingButTheSpeed() throws {
        // Clicks, trials, renewals, cancels, unknown affiliates, retried invoices and malformed
        // lines; a cap of 3 conversions so customers get capped inside and across batches.
        let lines = BenchEvents.lines(count: 2_500, seed: 11)
        var dumps: [Int: [String]] = [:]
        var summaries: [Int: IngestSummary] = [:]
        for batch in [1, 7, 97, 4096] {
            let s = try benchStore(caps: Caps(count: 3))
            summaries[batch] = try ingest(s, lines, batchSize: batch)
            dumps[batch] = try dump(s)
            XCTAssertEqual(try s.consistencyProblems(), [], "batch \(batch)")
        }
        let reference = try XCTUnwrap(dumps[4096])
        let summary = try XCTUnwrap(summaries[4096])
        // The stream exercises what the caches hold.
        for code in ["customer_capped", "customer_ended", "duplicate_external_id", "unknown_affiliate", "invalid_event"] {
            XCTAssertGreaterThan(summary.byReason[code] ?? 0, 0, code)
        }
        XCTAssertEqual(summary.received, 2_500)
        for batch in [1, 7, 97] {
            XCTAssertEqual(dumps[batch]!.count, reference.count, "batch \(batch)")
            for (a, b) in zip(dumps[batch]!, reference) where a != b {
                XCTFail("batch \(batch): \(a) != \(b)")
                break
            }
            XCTAssertEqual(summaries[batch]?.byReason, summary.byReason, "batch \(batch)")
        }
    }

    /// 300 clicks in batches of 128, where `refusal` makes the second batch fail (with `error`
    /// in its message): that batch is rolled back whole, the first stays, and once `undo` has
    /// removed the refusal the same input again records only the rest.
    func assertTheSecondBatchFailsWholeAndTheRestFollows(refusal: String, error message: String, undo: String,
                                                         file: StaticString = #filePath, line: UInt = #line) throws {
        let s = try store()
        try s.write { db in try db.execute(sql: refusal) }
        let lines = (0..<300).map { Line.click("c\($0)", "alice") }
        XCTAssertThrowsError(try ingest(s, lines, batchSize: 128), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(message), "\(error)", file: file, line: line)
        }
        XCTAssertEqual(try s.eventCount(), 128, file: file, line: line)
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM click") }, 128, file: file, line: line)
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event WHERE click_ref = 'c149'") }, 0,
                       file: file, line: line)
        try s.write { db in try db.execute(sql: undo) }
        let again = try ingest(s, lines, batchSize: 128)
        XCTAssertEqual(again.alreadyIngested, 128, file: file, line: line)
        XCTAssertEqual(again.received, 172, file: file, line: line)
        XCTAssertEqual(try s.eventCount(), 300, file: file, line: line)
        try assertConsistent(s, file: file, line: line)
    }

    func testARowThatFailsOnTheSecondThreadFailsItsBatchAndNothingElse() throws {
        // A full chunk of inbox rows is written on the ingest's second thread (`WriteBehind`).
        // When one of its rows fails, the ingest stops with SQLite's error, that batch is rolled
        // back whole, the batches before it stay, and the store takes the next ingest as usual.
        try assertTheSecondBatchFailsWholeAndTheRestFollows(refusal: """
            CREATE TRIGGER refuse_boom BEFORE INSERT ON event WHEN NEW.click_ref = 'c150'
              BEGIN SELECT RAISE(ABORT, 'boom refused'); END
            """, error: "boom refused", undo: "DROP TRIGGER refuse_boom")
    }

    func testAConstraintBrokenInTheMiddleOfAChunkFailsItsBatchWhole() throws {
        // The rows go out `INSERT OR FAIL` (no statement journal): the rows of the failing chunk
        // before the bad one are not undone by the statement itself, so the batch's rollback
        // must take them. c149 and c150 are the 22nd and 23rd rows of the second batch's first
        // chunk; the index makes the second of them break a UNIQUE constraint.
        try assertTheSecondBatchFailsWholeAndTheRestFollows(refusal: """
            CREATE UNIQUE INDEX boom ON event((click_ref IN ('c149', 'c150'))) WHERE click_ref IN ('c149', 'c150')
            """, error: "UNIQUE constraint failed", undo: "DROP INDEX boom")
    }

    func testAKeyWithQuotesAndBackslashesIsFoundByALaterBatch() throws {
        // The batch's keys reach SQLite as one JSON array: a key that needs escaping must still
        // be found, or the customer would look unknown to the next batch.
        let s = try store()
        let json = #"q\"uo\\te ü 客户 😀"#
        let key = "q\"uo\\te ü 客户 😀"
        try ingest(s, [
            Line.click("c\\\"1", "alice"),
            Line.track("trial", json, click: "c\\\"1"),
            Line.conversion("o\\\\1", "10.00", customer: json),
            Line.conversion("o\\\\1", "10.00", customer: json, extra: #","retry":1"#),
        ], batchSize: 1)
        let c = try XCTUnwrap(try s.customer(key: key))
        XCTAssertEqual(c.status, .active)
        XCTAssertEqual(c.conversions, 1)
        let outcomes = try s.events(EventQuery(), page: .first(10)).map { "\($0.outcome.rawValue) \($0.reasonCode ?? "-")" }
        XCTAssertEqual(outcomes.sorted(), ["accepted -", "accepted -", "accepted -", "rejected duplicate_external_id"])
    }

    func testTheSameEventTwiceInOneBatchIsRecordedOnce() throws {
        let s = try store()
        let click = Line.click("c1", "alice")
        let summary = try ingest(s, [click, Line.track("trial", "u1", click: "c1"), click])
        XCTAssertEqual(summary.received, 2)
        XCTAssertEqual(summary.alreadyIngested, 1)
        XCTAssertEqual(try s.eventCount(), 2)
    }

    func testAnAdminChangeBetweenBatchesIsSeenByTheNext() throws {
        let s = try store(ProgramSettings(name: "Test", model: .saas, recurring: true,
                                          commission: .percent(basisPoints: 1000), caps: Caps(count: 2)))
        try ingest(s, [Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1"),
                       Line.conversion("o1", "10.00", customer: "u1")])
        _ = try s.reassign(customerKey: "u1", toAffiliate: "bob", who: "tester")
        try ingest(s, [Line.conversion("o2", "10.00", customer: "u1"), Line.conversion("o3", "10.00", customer: "u1")])
        let byAffiliate = try s.read { db in
            try Row.fetchAll(db, sql: """
                SELECT conversion.external_id, affiliate.code FROM conversion JOIN affiliate ON affiliate.id = conversion.affiliate_id
                ORDER BY conversion.id
                """).map { "\($0[0] as String) \($0[1] as String)" }
        }
        // o2 goes to bob and caps the customer (2 commissions); o3 is refused.
        XCTAssertEqual(byAffiliate, ["o1 alice", "o2 bob"])
        XCTAssertEqual(try s.customer(key: "u1")?.status, .capped)
    }

    func testABatchUpdatesItsStoredCustomersInIdOrder() throws {
        // Renewals touch customers spread over the table: a batch writes them in id order (one
        // walk of the B-tree), not in the order its events came (issue 11, ingest speed).
        let s = try store()
        let keys = ["u1", "u2", "u3"]
        try ingest(s, keys.enumerated().flatMap { i, k in
            [Line.click("c\(i)", "alice"), Line.track("trial", k, click: "c\(i)"), Line.conversion("o\(k)", "10.00", customer: k)]
        })
        try s.write { db in
            try db.execute(sql: "CREATE TABLE updated (n INTEGER PRIMARY KEY, customer TEXT NOT NULL)")
            try db.execute(sql: "CREATE TRIGGER customer_updated AFTER UPDATE ON customer BEGIN INSERT INTO updated (customer) VALUES (NEW.key); END")
        }
        let day = t0.adding(seconds: 86_400)
        let renewals = try ingest(s, [Line.conversion("r3", "10.00", customer: "u3", day),
                                      Line.conversion("r1", "10.00", customer: "u1", day),
                                      Line.conversion("r2", "10.00", customer: "u2", day)])
        XCTAssertEqual(renewals.accepted, 3, "\(renewals.invalid)")
        let order = try s.read { db in try String.fetchAll(db, sql: "SELECT customer FROM updated ORDER BY n") }
        XCTAssertEqual(order, keys)
    }

    func testARenewalWritesOnlyTheCustomerColumnsThatChanged() throws {
        // SQLite rewrites an index whenever a column of it is SET, even to the value it had: a
        // renewal must leave out of its UPDATE the owner, the status, the currency and the first
        // commission's time, which it does not change, and its affiliate's customer count, which
        // it does not move either (issue 11, ingest speed).
        let s = try store()
        try ingest(s, [Line.click("c1", "alice"), Line.track("trial", "u1", click: "c1"),
                       Line.conversion("o1", "10.00", customer: "u1")])
        let watched = ["affiliate_id", "number", "status", "last_activity_at", "conversions", "commission_minor",
                       "commission_currency", "first_commission_at"]
        try s.write { db in
            try db.execute(sql: "CREATE TABLE column_written (name TEXT NOT NULL)")
            try db.execute(sql: """
                CREATE TRIGGER written_affiliate_customers AFTER UPDATE OF customers ON affiliate_total
                  BEGIN INSERT INTO column_written (name) VALUES ('affiliate_total.customers'); END
                """)
            for c in watched {
                try db.execute(sql: """
                    CREATE TRIGGER written_\(c) AFTER UPDATE OF \(c) ON customer
                      BEGIN INSERT INTO column_written (name) VALUES ('\(c)'); END
                    """)
            }
        }
        try ingest(s, [Line.conversion("o2", "10.00", customer: "u1", t0.adding(seconds: 86_400))])
        let written = try s.read { db in try String.fetchAll(db, sql: "SELECT name FROM column_written ORDER BY name") }
        XCTAssertEqual(written, ["commission_minor", "conversions", "last_activity_at"])
        let c = try XCTUnwrap(try s.customer(key: "u1"))
        XCTAssertEqual(c.conversions, 2)
        XCTAssertEqual(c.status, .active)

        // A cancel changes the status and nothing else it was not already writing.
        try s.write { db in try db.execute(sql: "DELETE FROM column_written") }
        try ingest(s, [Line.cancel("u1", t0.adding(seconds: 2 * 86_400))])
        let onCancel = try s.read { db in try String.fetchAll(db, sql: "SELECT name FROM column_written ORDER BY name") }
        XCTAssertEqual(onCancel, ["last_activity_at", "status"])
        XCTAssertEqual(try s.customer(key: "u1")?.status, .ended)
    }

    /// A bulk ingest's transactions, one after another, keep foreign-key checks off: each switch
    /// makes SQLite expire every prepared statement of the connection, and the 64-row INSERTs
    /// were compiled again for every batch. The next other write switches them on first: an admin
    /// write still refuses a dangling reference.
    func testBatchesKeepForeignKeysOffAndTheNextOtherWriteSwitchesThemOn() throws {
        let s = try store()
        final class Seen: @unchecked Sendable { var switches: [String] = [] }
        let seen = Seen()
        try s.pool.writeWithoutTransaction { db in
            db.trace { event in
                let sql = "\(event)"
                if sql.hasPrefix("PRAGMA foreign_keys =") { seen.switches.append(sql) }
            }
        }
        let lines = (0..<50).map { Line.click("c\($0)", "alice") }
        XCTAssertEqual(try ingest(s, lines, batchSize: 7).accepted, 50)
        XCTAssertEqual(seen.switches, ["PRAGMA foreign_keys = OFF"], "8 transactions, one switch")
        XCTAssertEqual(try s.write { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") }, true)
        XCTAssertEqual(seen.switches, ["PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"])
        XCTAssertThrowsError(try s.write { db in
            try db.execute(sql: "INSERT INTO click (click_id, affiliate_id, at) VALUES ('dangling', 999999, 0)")
        })
        _ = try ingest(s, [Line.click("c50", "bob")], batchSize: 7)
        XCTAssertEqual(seen.switches.last, "PRAGMA foreign_keys = OFF")
        XCTAssertEqual(try s.consistencyProblems(), [])
    }
}
