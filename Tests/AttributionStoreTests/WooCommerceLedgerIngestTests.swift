import AttributionCore
@testable import AttributionStore
import Feeds
import GRDB
import XCTest

/// WooCommerce refunds through the inbox: a partial refund, then the order refunded in full.
final class WooCommerceLedgerIngestTests: StoreTestCase {
    func order(_ status: String, refunds: String = "", modified: String) -> String {
        #"{"id":505,"status":"\#(status)","currency":"USD","total":"40.00","date_paid_gmt":"2026-01-05T10:00:00","date_modified_gmt":"\#(modified)","meta_data":[{"key":"_affdesk_click_id","value":"c1"}],"refunds":[\#(refunds)]}"#
    }

    func testPartialThenFull() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice")])
        let feed = WooCommerceFeed(file: "woo.json")
        let records = [
            order("processing", modified: "2026-01-05T10:00:00"),
            order("completed", refunds: #"{"id":1301,"total":"-10.00"}"#, modified: "2026-01-06T10:00:00"),
            order("refunded", refunds: #"{"id":1302,"total":"-30.00"},{"id":1301,"total":"-10.00"}"#, modified: "2026-01-07T10:00:00"),
        ]
        let summary = try s.ingest(records.enumerated().compactMap { feed.read(record: $0.element, line: $0.offset + 1) })
        XCTAssertEqual(summary.accepted, 3)
        let e = try XCTUnwrap(try s.commissions(CommissionQuery()).first)
        XCTAssertEqual(e.externalID, "wc-505")
        XCTAssertEqual(e.state, .voided)
        XCTAssertEqual(e.reason, .refunded)
        let refunds = try s.read { db in try Row.fetchAll(db, sql: "SELECT refund_key, sale_minor, commission_minor FROM refund ORDER BY id") }
        XCTAssertEqual(refunds.map { $0["refund_key"] as String }, ["wc-refund-1301", "wc-refund-1302", "wc-505:refunded"])
        XCTAssertEqual(refunds.map { $0["sale_minor"] as Int64 }, [1_000, 3_000, 0])
        XCTAssertEqual(refunds.map { $0["commission_minor"] as Int64 }.reduce(0, +), 400, "the whole 4.00 commission, once")
        try assertConsistent(s)
    }
}
