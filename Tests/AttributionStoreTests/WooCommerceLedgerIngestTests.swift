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

    /// A refund of an order never credited is refused `unknown_sale`, and triage says what
    /// happened and what to do; once the order is credited, the refund sent again as a tracking
    /// line with the same ids (what the hint says) applies, once. (A ledger event cannot be
    /// replayed: `Reparse` reads only attribution events.)
    func testARefundOfAnOrderNeverCreditedAppliesWhenSentAgainAfterTheOrderIsCredited() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice")])
        let feed = WooCommerceFeed(file: "woo.json")
        func woo(_ records: [String]) throws -> IngestSummary {
            try s.ingest(records.enumerated().compactMap { feed.read(record: $0.element, line: $0.offset + 1) })
        }
        let refused = try woo([order("completed", refunds: #"{"id":1401,"total":"-10.00"}"#, modified: "2026-01-06T10:00:00")])
        XCTAssertEqual(refused.byReason["unknown_sale"], 1)
        let rejected = try XCTUnwrap(try s.events(EventQuery(rejectedOnly: true)).first { $0.reasonCode == "unknown_sale" })
        let currency = try s.settings().currency
        let reparse: Reparser = { source, raw in Reparse.event(source: source, raw: raw, defaultCurrency: currency) }
        let report = try XCTUnwrap(try s.triage(eventID: rejected.id, reparse: reparse))
        let why = try XCTUnwrap(report.events.first { $0.event.id == rejected.id })
        XCTAssertEqual(why.event.reason, .unknownSale)
        XCTAssertTrue(Reason.unknownSale.sentence.contains("never ingested, or it was refused"), Reason.unknownSale.sentence)
        XCTAssertTrue(Reason.unknownSale.hint.contains("credit it first") && Reason.unknownSale.hint.contains("tracking line with the same ids"),
                      Reason.unknownSale.hint)
        // The order credited (its paid delivery), then the refund sent again as the hint says: applied once.
        XCTAssertEqual(try woo([order("processing", modified: "2026-01-05T10:00:00")]).accepted, 1)
        XCTAssertEqual(try s.commissions(CommissionQuery()).first?.amount, usd(400))
        let line = #"{"type":"refund","external_id":"wc-505","refund_id":"wc-refund-1401","amount":"10.00","at":"2026-01-06T10:00:00Z"}"#
        XCTAssertEqual(try ingest(s, [line]).accepted, 1)
        XCTAssertEqual(try s.commissions(CommissionQuery()).first?.amount, usd(300), "10.00 of 40.00 takes back 1.00 of 4.00")
        // WooCommerce sending the order again with the same refund: nothing more.
        _ = try woo([order("completed", refunds: #"{"id":1401,"total":"-10.00"}"#, modified: "2026-01-08T10:00:00")])
        XCTAssertEqual(try s.commissions(CommissionQuery()).first?.amount, usd(300), "the same refund id takes nothing more")
        try assertConsistent(s)
    }
}
