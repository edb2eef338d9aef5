import AttributionCore
import Feeds
import XCTest

/// Tracking lines `refund` and `dispute`.
final class LedgerTrackingLineTests: XCTestCase {
    let feed = TrackingFeed(defaultCurrency: .usd, file: "events.jsonl")
    let t0 = Instant.parse("2026-01-05T10:00:00Z")!

    func ledger(_ line: String, file: StaticString = #filePath, line l: UInt = #line) -> (LedgerEvent, [String])? {
        guard let e = feed.read(line: line, number: 1), case .ledger(let le) = e.payload else {
            XCTFail("not a ledger event: \(String(describing: feed.read(line: line, number: 1)?.payload))", file: file, line: l); return nil
        }
        return (le, e.refs)
    }

    func invalid(_ line: String) -> String? {
        guard case .invalid(let f, _)? = feed.read(line: line, number: 1)?.payload else { return nil }
        return f
    }

    func testRefundLines() {
        let partial = ledger(#"{"type":"refund","external_id":"inv_1","refund_id":"re_1","amount":"10.00","at":"2026-01-05T10:00:00Z"}"#)
        XCTAssertEqual(partial?.0, .refund(sale: ["inv_1"], refunds: [RefundRequest(refundID: "re_1", amount: .partial(Money(minor: 1_000, currency: .usd)))], at: t0))
        XCTAssertEqual(partial?.1, ["inv_1", "re_1"])
        let full = ledger(#"{"type":"refund","external_id":"inv_1","refund_id":"re_2","at":"2026-01-05T10:00:00Z"}"#)
        XCTAssertEqual(full?.0, .refund(sale: ["inv_1"], refunds: [RefundRequest(refundID: "re_2", amount: .full)], at: t0))
        let yen = ledger(#"{"type":"refund","external_id":"inv_1","refund_id":7,"amount":500,"currency":"jpy","at":1767607200}"#)
        XCTAssertEqual(yen?.0, .refund(sale: ["inv_1"], refunds: [RefundRequest(refundID: "7", amount: .partial(Money(minor: 500, currency: .jpy)))], at: t0))
        XCTAssertEqual(invalid(#"{"type":"refund","external_id":"inv_1","at":"2026-01-05T10:00:00Z"}"#), "refund_id")
        XCTAssertEqual(invalid(#"{"type":"refund","refund_id":"re_1","at":"2026-01-05T10:00:00Z"}"#), "external_id")
        XCTAssertEqual(invalid(#"{"type":"refund","external_id":"inv_1","refund_id":"re_1","amount":"1.001","at":"2026-01-05T10:00:00Z"}"#), "amount")
        XCTAssertEqual(invalid(#"{"type":"refund","external_id":"inv_1","refund_id":"re_1","amount":"1.00","currency":"XYZ","at":"2026-01-05T10:00:00Z"}"#), "currency")
        XCTAssertEqual(invalid(#"{"type":"refund","external_id":"inv_1","refund_id":"re_1"}"#), "at")
    }

    /// `"status":"failed"` or `"canceled"`: the refund did not happen and is reversed; `succeeded` is a refund.
    func testFailedRefundLines() {
        for status in ["failed", "canceled"] {
            let r = ledger(#"{"type":"refund","external_id":"inv_1","refund_id":"re_1","amount":"10.00","status":"\#(status)","at":"2026-01-05T10:00:00Z"}"#)
            XCTAssertEqual(r?.0, .refund(sale: ["inv_1"], refunds: [RefundRequest(refundID: "re_1", amount: .reversed)], at: t0), status)
        }
        let ok = ledger(#"{"type":"refund","external_id":"inv_1","refund_id":"re_1","amount":"10.00","status":"succeeded","at":"2026-01-05T10:00:00Z"}"#)
        XCTAssertEqual(ok?.0, .refund(sale: ["inv_1"], refunds: [RefundRequest(refundID: "re_1", amount: .partial(Money(minor: 1_000, currency: .usd)))], at: t0))
        XCTAssertEqual(invalid(#"{"type":"refund","external_id":"inv_1","refund_id":"re_1","status":"lost","at":"2026-01-05T10:00:00Z"}"#), "status")
    }

    func testDisputeLines() {
        for status in DisputeStatus.allCases {
            let d = ledger(#"{"type":"dispute","external_id":"inv_1","dispute_id":"dp_1","status":"\#(status.rawValue)","at":"2026-01-05T10:00:00Z"}"#)
            XCTAssertEqual(d?.0, .dispute(sale: ["inv_1"], disputeID: "dp_1", status: status, at: t0))
            XCTAssertEqual(d?.1, ["inv_1", "dp_1"])
        }
        XCTAssertEqual(invalid(#"{"type":"dispute","external_id":"inv_1","dispute_id":"dp_1","status":"pending","at":"2026-01-05T10:00:00Z"}"#), "status")
        XCTAssertEqual(invalid(#"{"type":"dispute","external_id":"inv_1","dispute_id":"dp_1","at":"2026-01-05T10:00:00Z"}"#), "status")
        XCTAssertEqual(invalid(#"{"type":"dispute","external_id":"inv_1","status":"won","at":"2026-01-05T10:00:00Z"}"#), "dispute_id")
    }
}
