import AttributionCore
@testable import AttributionStore
import Demo
import Foundation
import GRDB
import XCTest

/// "v8-ledger" on a populated version 6 database: the demo program, built by this build and
/// taken back to version 6 (the ledger's tables and columns dropped, the migration forgotten),
/// then opened again.
final class LedgerMigrationTests: StoreTestCase {
    func testAPopulatedVersion6DatabaseGetsACommissionPerCreditedConversion() throws {
        let dir = try tempDir()
        let path = dir + "/demo.sqlite"
        try DemoTemplate.shared.copy(to: path)
        // v17 alters v8's refund table, so it runs again after it.
        try takeBack(path, migrations: ["v8-ledger", "v14-ledger-views", "v13-ledger-admin", "v17-ledger-gaps", "v18-commission-pending-days"],
                     toVersion: 6, undo: """
            DROP TABLE payout_line; DROP TABLE commission; DROP TABLE refund; DROP TABLE dispute; DROP TABLE payout;
            ALTER TABLE program DROP COLUMN holding_days;
            ALTER TABLE program DROP COLUMN approval_above_minor;
            ALTER TABLE program DROP COLUMN approval_above_currency;
            DROP TABLE affiliate_ledger_month; DROP TABLE commission_total; DROP TABLE commission_pending_day;
            """)
        let queue = try DatabaseQueue(path: path)
        let conversions = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT external_id, commission_minor, commission_currency, at, affiliate_id FROM conversion ORDER BY id")
        }
        try queue.close()
        XCTAssertGreaterThan(conversions.count, 1_000)

        let s = try Store(path: path, clock: FixedClock(DemoProgram.now))
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
        let ledger = try s.commissions(CommissionQuery())
        XCTAssertEqual(ledger.count, conversions.count, "every credited conversion is a commission")
        var pending = 0, approved = 0
        for (c, e) in zip(conversions, ledger) {
            XCTAssertEqual(e.externalID, c["external_id"] as String)
            XCTAssertEqual(e.amount, Money(minor: c["commission_minor"], currency: Currency(validated: c["commission_currency"])))
            XCTAssertEqual(e.original, e.amount)
            XCTAssertEqual(e.kind, .commission)
            XCTAssertEqual(e.earnedAt, Instant(seconds: c["at"]))
            let due = Instant(seconds: c["at"]).adding(days: 30)
            XCTAssertEqual(e.approvesAt, due)
            XCTAssertEqual(e.state, due <= DemoProgram.now ? .approved : .pending, e.externalID)
            if e.state == .pending { pending += 1 } else { approved += 1 }
        }
        XCTAssertGreaterThan(pending, 0, "the demo's last month is still in its hold")
        XCTAssertGreaterThan(approved, 0)
        let total = conversions.map { $0["commission_minor"] as Int64 }.reduce(0, +)
        XCTAssertEqual(ledger.map(\.amount.minor).reduce(0, +), total, "nothing is lost")
        XCTAssertEqual(try s.ledgerSettings(), .standard)
        try assertConsistent(s)
        // The ledger works on it: a payout of everything approved.
        let run = try s.createPayouts(through: DemoProgram.now, minimum: nil, who: "t")
        XCTAssertEqual(run.created.map(\.amount.minor).reduce(0, +),
                       ledger.filter { $0.state == .approved }.map(\.amount.minor).reduce(0, +))
        try assertConsistent(s)
    }
}
