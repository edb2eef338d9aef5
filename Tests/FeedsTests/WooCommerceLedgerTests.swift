import AttributionCore
import Feeds
import XCTest

/// WooCommerce refunds: the order's `refunds` array (negative totals) and an order arriving `refunded`.
final class WooCommerceLedgerTests: XCTestCase {
    let modified = Instant.parse("2026-03-02T09:00:00Z")!
    func eur(_ minor: Int64) -> Money { Money(minor: minor, currency: .eur) }

    static func order(_ id: Int, status: String, refunds: String) -> String {
        #"{"id":\#(id),"status":"\#(status)","currency":"EUR","total":"10.00","date_paid_gmt":"2026-03-01T08:00:00","date_modified_gmt":"2026-03-02T09:00:00","meta_data":[],"refunds":[\#(refunds)]}"#
    }

    func payload(_ record: String) -> InboundEvent.Payload? { WooCommerceFeed().read(record: record, line: 1)?.payload }

    func testAPartialRefundOfAPaidOrder() {
        let e = WooCommerceFeed().read(record: Self.order(505, status: "completed", refunds: #"{"id":1301,"reason":"damaged","total":"-2.50"}"#), line: 1)
        XCTAssertEqual(e?.payload, .ledger(.refund(sale: ["wc-505"], refunds: [RefundRequest(refundID: "wc-refund-1301", amount: .partial(eur(250)))],
                                                at: modified)))
        XCTAssertTrue(e?.refs.contains("wc-refund-1301") ?? false)
        XCTAssertEqual(e?.type, "order")
    }

    func testAnOrderArrivingRefunded() {
        XCTAssertEqual(payload(Self.order(505, status: "refunded", refunds: #"{"id":1301,"total":"-2.50"},{"id":1302,"total":"-7.50"}"#)),
                       .ledger(.refund(sale: ["wc-505"], refunds: [
                        RefundRequest(refundID: "wc-refund-1301", amount: .partial(eur(250))),
                        RefundRequest(refundID: "wc-refund-1302", amount: .partial(eur(750))),
                        RefundRequest(refundID: "wc-505:refunded", amount: .full)], at: modified)))
        XCTAssertEqual(payload(Self.order(506, status: "refunded", refunds: "")),
                       .ledger(.refund(sale: ["wc-506"], refunds: [RefundRequest(refundID: "wc-506:refunded", amount: .full)], at: modified)))
    }

    func testAPaidOrderWithoutRefundsIsStillAConversionAndBadRefundsAreNamed() {
        guard case .event(.conversion)? = payload(Self.order(507, status: "completed", refunds: "")) else { return XCTFail() }
        guard case .invalid(let f, _)? = payload(Self.order(508, status: "completed", refunds: #"{"id":1,"total":"abc"}"#)) else { return XCTFail() }
        XCTAssertEqual(f, "refunds[0].total")
        guard case .invalid(let g, _)? = payload(Self.order(508, status: "completed", refunds: #"{"total":"-1.00"}"#)) else { return XCTFail() }
        XCTAssertEqual(g, "refunds[0].id")
    }
}
