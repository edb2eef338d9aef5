import AttributionCore
@testable import AttributionStore
import Feeds
import XCTest

/// Refunds that fail or are canceled, from Stripe payloads in the real shapes of
/// ../shared/fixtures/stripe (a `refund` object as listed in `payrails_charge.refunded_partial`,
/// with the `failure_reason` and `failure_balance_transaction` a failed one carries).
enum FailedRefundShapes {
    static func refund(_ id: String, charge: String, intent: String, amount: Int64, status: String) -> String {
        let failure = status == "failed"
            ? #""failure_balance_transaction":"txn_fail_\#(id)","failure_reason":"expired_or_canceled_card","#
            : ""
        return #"{"id":"\#(id)","object":"refund","amount":\#(amount),"balance_transaction":"txn_\#(id)","charge":"\#(charge)","created":1767800000,"currency":"usd",\#(failure)"metadata":{},"payment_intent":"\#(intent)","reason":"requested_by_customer","receipt_number":"3727-4811","source_transfer_reversal":null,"status":"\#(status)","transfer_reversal":null}"#
    }

    /// An older-API `charge.refunded` whose `refunds.data` lists refunds with their statuses.
    static func charge(_ id: String, invoice: String, intent: String, refunded: Int64, refunds: [(String, Int64, String)]) -> String {
        let list = refunds.map { refund($0.0, charge: id, intent: intent, amount: $0.1, status: $0.2) }
        return #"{"id":"\#(id)","object":"charge","amount":4900,"amount_captured":4900,"amount_refunded":\#(refunded),"currency":"usd","customer":"cus_1","invoice":"\#(invoice)","paid":true,"payment_intent":"\#(intent)","refunded":\#(refunded == 4900),"refunds":{"object":"list","data":[\#(list.joined(separator: ","))],"has_more":false,"total_count":\#(refunds.count)}}"#
    }
}

final class StripeRefundReversalFeedTests: XCTestCase {
    typealias S = StripeLedgerShapes
    typealias F = FailedRefundShapes
    let feed = StripeFeed(file: "stripe.json")
    func read(_ record: String) -> InboundEvent? { feed.read(record: record, line: 1) }

    func testFailedAndCanceledRefundsAreReversals() {
        let at = Instant(seconds: 1767800000)
        for (type, status) in [("refund.updated", "failed"), ("refund.updated", "canceled"), ("refund.failed", "failed"),
                               ("charge.refund.updated", "failed"), ("charge.refund.updated", "canceled")] {
            let e = read(S.event("evt_f", type, F.refund("re_3", charge: "ch_3", intent: "pi_3", amount: 250, status: status)))
            XCTAssertEqual(e?.payload, .ledger(.refund(sale: ["ch_3", "pi_3"], refunds: [RefundRequest(refundID: "re_3", amount: .reversed)], at: at)),
                           "\(type) \(status)")
        }
        // charge.refund.updated carries the refund: one that succeeded is a refund like refund.updated's.
        let ok = read(S.event("evt_g", "charge.refund.updated", F.refund("re_4", charge: "ch_4", intent: "pi_4", amount: 250, status: "succeeded")))
        XCTAssertEqual(ok?.payload, .ledger(.refund(sale: ["ch_4", "pi_4"], refunds: [RefundRequest(refundID: "re_4", amount: .partial(usd(250)))], at: at)))
        // An older charge.refunded listing a failed refund: reversed, then the cumulative total.
        let listed = read(S.event("evt_h", "charge.refunded", F.charge("ch_5", invoice: "in_5", intent: "pi_5", refunded: 0, refunds: [("re_5", 4900, "failed")])))
        guard case .ledger(.refund(_, let requests, _))? = listed?.payload else { return XCTFail("\(String(describing: listed?.payload))") }
        XCTAssertEqual(requests, [RefundRequest(refundID: "re_5", amount: .reversed), RefundRequest(refundID: "ch_5", amount: .cumulative(usd(0)))])
    }
}

final class StripeRefundReversalIngestTests: StoreTestCase {
    typealias S = StripeLedgerShapes
    typealias F = FailedRefundShapes

    func stripe(_ s: Store, _ records: [String]) throws -> IngestSummary {
        let feed = StripeFeed(file: "stripe.json")
        return try s.ingest(records.enumerated().compactMap { feed.read(record: $0.element, line: $0.offset + 1) })
    }

    func ledger(_ s: Store) throws -> [String: CommissionRow] {
        Dictionary(try s.commissions(CommissionQuery()).filter { $0.kind == .commission }.map { ($0.externalID, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func paidStore() throws -> Store {
        let s = try store()
        try s.updateLedgerSettings(LedgerSettings(holdingDays: 0), who: "t")
        try ingest(s, [Line.click("c1", "alice")])
        return s
    }

    /// A partial refund that fails gives the commission back once; a retry, and the refund's
    /// `refund.created` arriving again, change nothing.
    func testAFailedRefundGivesBackWhatItTookOnce() throws {
        let s = try paidStore()
        _ = try stripe(s, [S.event("evt_i1", "invoice.paid", S.invoice("in_1", charge: "ch_1", intent: "pi_1")),
                           S.event("evt_r1", "refund.created", F.refund("re_1", charge: "ch_1", intent: "pi_1", amount: 1225, status: "pending"))])
        XCTAssertEqual(try ledger(s)["in_1"]?.amount, usd(367))
        let summary = try stripe(s, [
            S.event("evt_r1f", "refund.updated", F.refund("re_1", charge: "ch_1", intent: "pi_1", amount: 1225, status: "failed")),
            S.event("evt_r1g", "refund.failed", F.refund("re_1", charge: "ch_1", intent: "pi_1", amount: 1225, status: "failed")),
            S.event("evt_r1h", "refund.created", F.refund("re_1", charge: "ch_1", intent: "pi_1", amount: 1225, status: "pending")),
        ])
        XCTAssertEqual(summary.byReason["refund_reversed"], 1)
        XCTAssertEqual(summary.byReason["refund_already_reversed"], 2)
        XCTAssertEqual(try ledger(s)["in_1"]?.amount, usd(490))
        XCTAssertEqual(try ledger(s)["in_1"]?.state, .approved)
        try assertConsistent(s)
    }

    /// Older API: a full refund listed in charge.refunded and counted in `amount_refunded` voided
    /// the commission; it fails (charge.refund.updated), and the charge comes again with the refund
    /// listed as failed: the commission is back where it stood, once.
    func testAFailedFullRefundCountedInACumulativeTotalRestoresTheCommission() throws {
        let s = try paidStore()
        _ = try stripe(s, [S.event("evt_i2", "invoice.paid", S.invoice("in_2", charge: "ch_2", intent: "pi_2")),
                           S.event("evt_r2", "charge.refunded", F.charge("ch_2", invoice: "in_2", intent: "pi_2", refunded: 4900,
                                                                            refunds: [("re_2", 4900, "succeeded")]))])
        XCTAssertEqual(try ledger(s)["in_2"]?.state, .voided)
        let summary = try stripe(s, [
            S.event("evt_r2f", "charge.refund.updated", F.refund("re_2", charge: "ch_2", intent: "pi_2", amount: 4900, status: "failed")),
            S.event("evt_r2g", "charge.refunded", F.charge("ch_2", invoice: "in_2", intent: "pi_2", refunded: 0, refunds: [("re_2", 4900, "failed")])),
        ])
        XCTAssertEqual(summary.rejected, 0)
        let row = try XCTUnwrap(try ledger(s)["in_2"])
        XCTAssertEqual(row.state, .approved)
        XCTAssertEqual(row.amount, usd(490))
        // A new refund after it: counted from the sale as it now stands.
        _ = try stripe(s, [S.event("evt_r3", "refund.created", F.refund("re_3", charge: "ch_2", intent: "pi_2", amount: 2450, status: "succeeded"))])
        XCTAssertEqual(try ledger(s)["in_2"]?.amount, usd(245))
        try assertConsistent(s)
    }

    /// A refund of a paid commission became a clawback; canceled before the next payout, the
    /// clawback is voided. Once a clawback was netted in a payout, the reversal is refused for an admin.
    func testAReversalOfAClawback() throws {
        let s = try paidStore()
        _ = try stripe(s, [S.event("evt_i3", "invoice.paid", S.invoice("in_3", charge: "ch_3", intent: "pi_3")),
                           S.event("evt_i4", "invoice.paid", S.invoice("in_4", charge: "ch_4", intent: "pi_4"))])
        let run = try s.createPayouts(through: Instant(seconds: 1767900000), minimum: nil, who: "t")
        _ = try s.markPayoutPaid(id: try XCTUnwrap(run.created.first).id, reference: nil, who: "t")
        _ = try stripe(s, [S.event("evt_r3", "refund.created", F.refund("re_3", charge: "ch_3", intent: "pi_3", amount: 4900, status: "pending")),
                           S.event("evt_r4", "refund.created", F.refund("re_4", charge: "ch_4", intent: "pi_4", amount: 4900, status: "pending"))])
        XCTAssertEqual(try s.commissions(CommissionQuery()).filter { $0.kind == .clawback }.map(\.amount), [usd(-490), usd(-490)])
        let canceled = try stripe(s, [S.event("evt_r3c", "refund.updated", F.refund("re_3", charge: "ch_3", intent: "pi_3", amount: 4900, status: "canceled"))])
        XCTAssertEqual(canceled.byReason["refund_reversed"], 1)
        let claws = try s.commissions(CommissionQuery()).filter { $0.kind == .clawback }
        XCTAssertEqual(claws.map(\.state), [.voided, .approved])
        XCTAssertEqual(claws.first?.reason, .refundReversed)
        // in_4's clawback is netted (with a new sale), then its refund fails: refused, nothing changed.
        try ingest(s, [Line.conversion("o5", "100.00", click: "c1", Instant(seconds: 1767950000))])
        XCTAssertEqual(try s.createPayouts(through: Instant(seconds: 1768000000), minimum: nil, who: "t").created.map(\.amount), [usd(1_000 - 490)])
        let late = try stripe(s, [S.event("evt_r4f", "refund.updated", F.refund("re_4", charge: "ch_4", intent: "pi_4", amount: 4900, status: "failed"))])
        XCTAssertEqual(late.byReason["reversal_after_payout"], 1)
        XCTAssertEqual(try s.commissions(CommissionQuery()).filter { $0.kind == .clawback }.map(\.state), [.voided, .approved])
        try assertConsistent(s)
    }
}
