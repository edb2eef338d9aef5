import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import GRDB
import XCTest

/// A transaction reads the affiliates its events name, on first use, not the whole table: with
/// 10,000 affiliates, reading them all for every group commit took 34 ms a group and cut `serve`
/// from about 4,000 to 640 requests/s (`bench serve --affiliates 10000`).
final class AffiliateDirectoryTests: StoreTestCase {
    final class Seen: @unchecked Sendable { var statements: [String] = [] }

    /// A program with 300 affiliates, a0 … a299, and every statement its writer runs from now on.
    func bigProgram() throws -> (Store, Seen) {
        let s = try store()
        try s.write { db in
            for i in 0..<300 {
                try db.execute(sql: "INSERT INTO affiliate (code, name, created_at) VALUES (?, ?, 0)", arguments: ["a\(i)", "A \(i)"])
            }
        }
        let seen = Seen()
        try s.pool.writeWithoutTransaction { db in db.trace { seen.statements.append("\($0)") } }
        return (s, seen)
    }

    func events(_ lines: [String]) -> [InboundEvent] {
        let feed = TrackingFeed(defaultCurrency: .usd, file: "t")
        return lines.enumerated().compactMap { feed.read(line: $0.element, number: $0.offset + 1) }
    }

    func wholeTableReads(_ seen: Seen) -> Int { seen.statements.filter { $0.contains("FROM affiliate ORDER BY id") }.count }

    func testAGroupReadsOnlyTheAffiliatesItsEventsName() throws {
        let (s, seen) = try bigProgram()
        let d = try s.ingestGroup(events([
            Line.click("k1", "a7"), Line.track("signup", "u1", click: "k1"), Line.conversion("o1", "10.00", customer: "u1"),
            Line.click("k2", "a250"), Line.track("signup", "u2", click: "k2"),
        ]))
        XCTAssertEqual(d.map(\.outcome), Array(repeating: .accepted, count: 5))
        XCTAssertEqual(wholeTableReads(seen), 0, seen.statements.joined(separator: "\n"))
        let customers = try s.read { db in
            try Row.fetchAll(db, sql: "SELECT c.key, a.code, c.number FROM customer c JOIN affiliate a ON a.id = c.affiliate_id ORDER BY c.key")
                .map { "\($0[0] as String) \($0[1] as String) #\($0[2] as Int64)" }
        }
        XCTAssertEqual(customers, ["u1 a7 #1", "u2 a250 #1"])
        // The next group goes on from the stored counter.
        _ = try s.ingestGroup(events([Line.click("k3", "a7"), Line.track("signup", "u3", click: "k3")]))
        XCTAssertEqual(try s.read { db in try Int64.fetchOne(db, sql: "SELECT number FROM customer WHERE key = 'u3'") }, 2)
        XCTAssertEqual(wholeTableReads(seen), 0)
        XCTAssertEqual(try s.consistencyProblems(), [])
    }

    /// A code not found as spelled reads the table once per transaction: a code in another case
    /// still credits its affiliate, and an unknown code is refused as before.
    func testACodeInAnotherCaseOrUnknownReadsTheTableOnceAndDecidesAsBefore() throws {
        let (s, seen) = try bigProgram()
        let d = try s.ingestGroup(events([
            Line.click("k1", "A7"), Line.click("k2", "nobody"), Line.click("k3", "NOBODY"), Line.click("k4", "a8"),
        ]))
        XCTAssertEqual(d.map(\.outcome), [.accepted, .rejected, .rejected, .accepted])
        XCTAssertEqual(d[1].reason, .unknownAffiliate)
        XCTAssertEqual(wholeTableReads(seen), 1)
        XCTAssertEqual(try s.read { db in try String.fetchOne(db, sql: "SELECT a.code FROM click c JOIN affiliate a ON a.id = c.affiliate_id WHERE c.click_id = 'k1'") }, "a7")
    }
}
