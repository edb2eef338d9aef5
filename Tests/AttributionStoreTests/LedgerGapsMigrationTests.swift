import AttributionCore
@testable import AttributionStore
import Foundation
import GRDB
import XCTest

/// "v17-ledger-gaps" on a populated version 10 database: refunds recorded before it are linked to
/// the clawbacks written with them, so a refund that fails afterwards is reversed exactly.
final class LedgerGapsMigrationTests: StoreTestCase {
    func testAVersion10DatabaseLinksItsRefundsToTheirClawbacks() throws {
        let path: String
        do {
            let s = try store()
            path = s.path
            try s.updateLedgerSettings(LedgerSettings(holdingDays: 0), who: "t")
            try ingest(s, [Line.click("c1", "alice"), Line.conversion("o1", "100.00", click: "c1"), Line.conversion("o2", "50.00", click: "c1"),
                           Line.conversion("o3", "20.00", click: "c1")])
            let run = try s.createPayouts(through: t0, minimum: nil, who: "t")
            _ = try s.markPayoutPaid(id: try XCTUnwrap(run.created.first).id, reference: nil, who: "t")
            try ingest(s, [Line.conversion("o4", "30.00", click: "c1", t0.adding(days: 1))])
            for (ext, id) in [("o1", "re_1"), ("o2", "re_2"), ("o4", "re_4")] {
                _ = try s.recordRefund(externalID: ext, RefundRequest(refundID: id, amount: .full), at: t0.adding(days: 2), who: "t")
            }
        }
        // Back to version 10: the refund table as v8 made it.
        try takeBack(path, migrations: ["v17-ledger-gaps"], toVersion: 10, undo: """
            CREATE TABLE refund_v8 (
              id INTEGER PRIMARY KEY, conversion_id INTEGER NOT NULL REFERENCES conversion(id), refund_key TEXT NOT NULL,
              cumulative INTEGER NOT NULL DEFAULT 0, sale_minor INTEGER NOT NULL CHECK (sale_minor >= 0), currency TEXT NOT NULL,
              commission_minor INTEGER NOT NULL CHECK (commission_minor >= 0), reason TEXT NOT NULL, at INTEGER NOT NULL,
              UNIQUE (conversion_id, refund_key));
            INSERT INTO refund_v8 SELECT id, conversion_id, refund_key, cumulative, sale_minor, currency, commission_minor, reason, at FROM refund;
            DROP TABLE refund; ALTER TABLE refund_v8 RENAME TO refund;
            """)

        let s = try Store(path: path, clock: FixedClock(now))
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
        let links = try s.read { db in
            try Row.fetchAll(db, sql: """
                SELECT r.refund_key, c.amount_minor FROM refund r LEFT JOIN commission c ON c.id = r.clawback_id ORDER BY r.id
                """).map { ($0[0] as String, $0[1] as Int64?) }
        }
        XCTAssertEqual(links.map(\.0), ["re_1", "re_2", "re_4"])
        XCTAssertEqual(links.map(\.1), [-1_000, -500, nil], "each paid sale's refund is linked to its own clawback; o4's voided it")
        try assertConsistent(s)
        // re_2 fails: its clawback is voided, exactly; re_4 fails: o4 was voided before the migration, so an admin decides.
        _ = try s.recordRefund(externalID: "o2", RefundRequest(refundID: "re_2", amount: .reversed), at: t0.adding(days: 3), who: "t")
        _ = try s.recordRefund(externalID: "o4", RefundRequest(refundID: "re_4", amount: .reversed), at: t0.adding(days: 3), who: "t")
        let ledger = try s.commissions(CommissionQuery())
        XCTAssertEqual(ledger.filter { $0.kind == .clawback }.map { "\($0.externalID) \($0.state.rawValue)" }, ["o1 approved", "o2 voided"])
        let o4 = try XCTUnwrap(ledger.first { $0.externalID == "o4" && $0.kind == .commission })
        XCTAssertEqual(o4.state, .onHold)
        XCTAssertEqual(o4.reason, .adminHold)
        XCTAssertEqual(o4.amount, usd(300))
        try assertConsistent(s)
    }
}
