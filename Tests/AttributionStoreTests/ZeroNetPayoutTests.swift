import AttributionCore
@testable import AttributionStore
import XCTest

/// A net of exactly zero (a clawback that cancels the new commissions) settles in a zero payout,
/// paid at once, instead of carrying over for ever.
final class ZeroNetPayoutTests: StoreTestCase {
    func testCommissionsAndClawbacksThatCancelOutSettle() throws {
        let s = try store()
        try s.updateLedgerSettings(LedgerSettings(holdingDays: 0), who: "t")
        try ingest(s, [Line.click("c1", "alice"), Line.conversion("o1", "100.00", click: "c1")])
        let first = try s.createPayouts(through: t0, minimum: nil, who: "t")
        _ = try s.markPayoutPaid(id: try XCTUnwrap(first.created.first).id, reference: nil, who: "t")
        _ = try s.recordRefund(externalID: "o1", RefundRequest(refundID: "re_1", amount: .full), at: t0.adding(days: 1), who: "t")
        try ingest(s, [Line.conversion("o2", "100.00", click: "c1", t0.adding(days: 2))])
        let run = try s.createPayouts(through: t0.adding(days: 3), minimum: usd(5_000), who: "t")
        XCTAssertTrue(run.carried.isEmpty, "nothing carried: \(run.carried)")
        let zero = try XCTUnwrap(run.created.first)
        XCTAssertEqual(zero.amount, usd(0))
        XCTAssertEqual(zero.state, .paid)
        XCTAssertNotNil(zero.paidAt)
        XCTAssertEqual(zero.commissions, 2)
        XCTAssertEqual(Set(try s.commissions(CommissionQuery()).map(\.state)), [.paid])
        XCTAssertTrue(try s.createPayouts(through: t0.adding(days: 4), minimum: nil, who: "t").carried.isEmpty, "and nothing left to carry")
        try assertConsistent(s)
    }
}
