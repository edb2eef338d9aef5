import AttributionCore
@testable import AttributionStore
import GRDB
import XCTest

/// A bulk ingest settles nothing: a program built from its history holds its commissions stored
/// pending long past their date (4.9 million in the huge demo). A refund, a dispute or an admin
/// action then settles what it changes alone; before, each first settled the whole ledger, in the
/// feed's savepoint, so the first Stripe refund of a million-customer program ran for minutes and
/// grew to gigabytes before its batch could commit. A payout run still settles every entry, a
/// slice at a time.
final class LedgerBacklogTests: StoreTestCase {
    /// `count` commissions credited 60 days before `t0` with a 30-day hold: at `now` every one is
    /// due (it stands approved) and still stored pending.
    func backlog(_ count: Int) throws -> Store {
        let s = try store()
        try s.updateLedgerSettings(LedgerSettings(holdingDays: 30), who: "t")
        let early = try Store(path: s.path, clock: FixedClock(t0.adding(days: -60)))
        try ingest(early, [Line.click("c1", "alice", t0.adding(days: -61))]
                   + (1...count).map { Line.conversion("o\($0)", "10.00", click: "c1", t0.adding(days: -60)) })
        XCTAssertEqual(try storedPending(s), count)
        return s
    }

    func storedPending(_ s: Store) throws -> Int {
        try s.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM commission WHERE state = 'pending'") ?? -1 }
    }

    func testARefundOrADisputeSettlesItsOwnSaleAlone() throws {
        let s = try backlog(40)
        // Through the feed, as `affdesk ingest` and `serve` apply it.
        let summary = try ingest(s, [#"{"type":"refund","external_id":"o7","refund_id":"re_1","amount":"2.50","at":"\#(t0.iso8601)"}"#])
        XCTAssertEqual(summary.accepted, 1)
        XCTAssertEqual(try storedPending(s), 39, "the refund wrote o7's entry alone")
        // From the command line.
        guard case .success = try s.recordRefund(externalID: "o8", RefundRequest(refundID: "re_2", amount: .partial(usd(100))), at: t0, who: "t")
        else { return XCTFail("refund refused") }
        guard case .success = try s.recordDispute(externalID: "o9", disputeID: "dp_1", .opened, at: t0, who: "t")
        else { return XCTFail("dispute refused") }
        XCTAssertEqual(try storedPending(s), 37)
        // As it stands, the ledger is what settling everything would have made it.
        let rows = try s.commissions(CommissionQuery())
        XCTAssertEqual(rows.filter { $0.state == .approved }.count, 39)
        let o1 = try XCTUnwrap(rows.first { $0.externalID == "o1" }), o7 = try XCTUnwrap(rows.first { $0.externalID == "o7" })
        XCTAssertEqual(o7.amount.minor * 4, o1.amount.minor * 3, "2.50 of 10.00 refunded: a quarter of the commission less")
        XCTAssertEqual(rows.first { $0.externalID == "o9" }?.state, .onHold)
        try assertConsistent(s)
    }

    func testAnAdminActionSettlesTheEntriesItActsOnAlone() throws {
        let s = try backlog(30)
        let ids = try s.commissions(CommissionQuery()).map(\.id)
        let results = try s.commissionAction(.hold, ids: [ids[3], ids[4]], who: "t")
        XCTAssertEqual(results.map(\.before), [.approved, .approved], "the state before is the one it stood in")
        XCTAssertEqual(try storedPending(s), 28)
        let refused = try s.commissionAction(.release, ids: [ids[5]], who: "t")
        guard case .failure = refused.first?.outcome else { return XCTFail("release of an approved entry was accepted") }
        XCTAssertEqual(refused.first?.before, .approved)
        XCTAssertEqual(try storedPending(s), 27, "a refused action still writes back the entry's standing, as before")
        try assertConsistent(s)
    }

    func testAPayoutRunSettlesEveryDueEntryASliceAtATime() throws {
        let count = Store.settleSlice + 9
        let s = try backlog(count)
        let run = try s.createPayouts(through: now, minimum: nil, who: "t")
        XCTAssertEqual(run.created.count, 1)
        XCTAssertEqual(try storedPending(s), 0)
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM commission WHERE payout_id IS NOT NULL") }, count)
        try assertConsistent(s)
    }
}
