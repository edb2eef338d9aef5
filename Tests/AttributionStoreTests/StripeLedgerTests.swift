import AttributionCore
@testable import AttributionStore
import Feeds
import XCTest

/// Stripe refund, dispute and invoice_payment payloads, in the shapes of both API generations
/// (written after ../shared/fixtures/stripe: a partial `charge.refunded` and a basil `invoice_payment`).
enum StripeLedgerShapes {
    static func event(_ id: String, _ type: String, created: Int64 = 1767700000, _ object: String) -> String {
        #"{"id":"\#(id)","object":"event","created":\#(created),"type":"\#(type)","data":{"object":\#(object),"previous_attributes":null}}"#
    }

    /// A paid invoice: the older shape names its charge and payment intent; basil names neither.
    static func invoice(_ id: String, paid: Int64 = 4900, charge: String? = nil, intent: String? = nil) -> String {
        var s = #"{"id":"\#(id)","object":"invoice","amount_paid":\#(paid),"currency":"usd","status":"paid","billing_reason":"subscription_create","customer":"cus_1","metadata":{"customer_key":"usr_1","click_id":"c1"}"#
        if let charge { s += #","charge":"\#(charge)""# }
        if let intent { s += #","payment_intent":"\#(intent)""# }
        return s + "}"
    }

    /// A charge after refunds: `invoice` set (older API) or absent (basil); `refunds.data` listed in older versions.
    static func charge(_ id: String, invoice: String?, intent: String, amount: Int64 = 4900, refunded: Int64, refunds: [(String, Int64)] = []) -> String {
        let list = refunds.map { #"{"id":"\#($0.0)","object":"refund","amount":\#($0.1),"charge":"\#(id)","currency":"usd","status":"succeeded"}"# }
        let refundsField = refunds.isEmpty ? "" : #","refunds":{"object":"list","data":[\#(list.joined(separator: ","))],"has_more":false}"#
        let invoiceField = invoice.map { #","invoice":"\#($0)""# } ?? ""
        return #"{"id":"\#(id)","object":"charge","amount":\#(amount),"amount_captured":\#(amount),"amount_refunded":\#(refunded),"currency":"usd","customer":"cus_1","paid":true,"payment_intent":"\#(intent)","refunded":\#(refunded == amount)\#(invoiceField)\#(refundsField)}"#
    }

    static func refund(_ id: String, charge: String, intent: String, amount: Int64, status: String = "succeeded") -> String {
        #"{"id":"\#(id)","object":"refund","amount":\#(amount),"charge":"\#(charge)","created":1767800000,"currency":"usd","payment_intent":"\#(intent)","reason":"requested_by_customer","status":"\#(status)"}"#
    }

    static func dispute(_ id: String, charge: String, intent: String, status: String) -> String {
        #"{"id":"\#(id)","object":"dispute","amount":4900,"charge":"\#(charge)","currency":"usd","payment_intent":"\#(intent)","reason":"fraudulent","status":"\#(status)"}"#
    }

    static func invoicePayment(_ id: String, invoice: String, intent: String) -> String {
        #"{"id":"\#(id)","object":"invoice_payment","amount_paid":4900,"currency":"usd","invoice":"\#(invoice)","is_default":true,"payment":{"payment_intent":"\#(intent)","type":"payment_intent"},"status":"paid","status_transitions":{"paid_at":1767600000}}"#
    }
}

final class StripeLedgerFeedTests: XCTestCase {
    typealias S = StripeLedgerShapes
    let feed = StripeFeed(file: "stripe.json")
    func read(_ record: String) -> InboundEvent? { feed.read(record: record, line: 1) }
    let at = Instant(seconds: 1767700000)

    func testChargeRefundedOlderAPI() {
        let e = read(S.event("evt_r1", "charge.refunded", S.charge("ch_1", invoice: "in_1", intent: "pi_1", refunded: 1000, refunds: [("re_1", 1000)])))
        XCTAssertEqual(e?.payload, .ledger(.refund(sale: ["in_1", "ch_1", "pi_1"], refunds: [
            RefundRequest(refundID: "re_1", amount: .partial(Money(minor: 1000, currency: .usd))),
            RefundRequest(refundID: "ch_1", amount: .cumulative(Money(minor: 1000, currency: .usd))),
        ], at: at)))
        XCTAssertEqual(e?.refs, ["evt_r1", "ch_1", "in_1", "pi_1", "re_1"])
    }

    func testChargeRefundedBasil() {
        let e = read(S.event("evt_r2", "charge.refunded", S.charge("ch_2", invoice: String?.none, intent: "pi_2", refunded: 4900)))
        XCTAssertEqual(e?.payload, .ledger(.refund(sale: ["pi_2", "ch_2"], refunds: [
            RefundRequest(refundID: "ch_2", amount: .cumulative(Money(minor: 4900, currency: .usd)))], at: at)))
    }

    func testRefundObjects() {
        let e = read(S.event("evt_r3", "refund.created", S.refund("re_3", charge: "ch_3", intent: "pi_3", amount: 250)))
        XCTAssertEqual(e?.payload, .ledger(.refund(sale: ["ch_3", "pi_3"], refunds: [
            RefundRequest(refundID: "re_3", amount: .partial(Money(minor: 250, currency: .usd)))], at: Instant(seconds: 1767800000))))
        let failed = read(S.event("evt_r4", "refund.updated", S.refund("re_3", charge: "ch_3", intent: "pi_3", amount: 250, status: "failed")))
        XCTAssertEqual(failed?.payload, .ledger(.refund(sale: ["ch_3", "pi_3"], refunds: [RefundRequest(refundID: "re_3", amount: .reversed)],
                                                        at: Instant(seconds: 1767800000))), "a failed refund is reversed (RefundReversalTableTests)")
        guard case .invalid(let f, _)? = read(S.event("evt_r5", "refund.created", #"{"id":"re_5","object":"refund","charge":"ch_1","currency":"usd"}"#))?.payload
        else { return XCTFail() }
        XCTAssertEqual(f, "data.object.amount")
        guard case .invalid(let g, _)? = read(S.event("evt_r6", "charge.refunded", #"{"id":"re_6","object":"refund"}"#))?.payload
        else { return XCTFail() }
        XCTAssertEqual(g, "data.object.object")
    }

    func testDisputes() {
        let opened = read(S.event("evt_d1", "charge.dispute.created", S.dispute("dp_1", charge: "ch_1", intent: "pi_1", status: "needs_response")))
        XCTAssertEqual(opened?.payload, .ledger(.dispute(sale: ["ch_1", "pi_1"], disputeID: "dp_1", status: .opened, at: at)))
        for (stripe, ours) in [("won", DisputeStatus.won), ("warning_closed", .won), ("lost", .lost)] {
            let closed = read(S.event("evt_d2", "charge.dispute.closed", S.dispute("dp_1", charge: "ch_1", intent: "pi_1", status: stripe)))
            XCTAssertEqual(closed?.payload, .ledger(.dispute(sale: ["ch_1", "pi_1"], disputeID: "dp_1", status: ours, at: at)), stripe)
        }
        let odd = read(S.event("evt_d3", "charge.dispute.closed", S.dispute("dp_1", charge: "ch_1", intent: "pi_1", status: "under_review")))
        guard case .ignored(.ignoredEventType, _)? = odd?.payload else { return XCTFail() }
    }

    func testInvoicePaymentIsKeptForItsLinks() {
        let e = read(S.event("evt_p1", "invoice_payment.paid", S.invoicePayment("inpay_1", invoice: "in_2", intent: "pi_2")))
        XCTAssertEqual(e?.refs, ["evt_p1", "inpay_1", "in_2", "pi_2"])
        guard case .ignored(.ignoredEventType, let detail)? = e?.payload else { return XCTFail() }
        XCTAssertTrue(detail.contains("links invoice in_2 to payment pi_2"), detail)
    }
}

/// Stripe refunds and disputes through the inbox, both API generations.
final class LedgerStripeIngestTests: StoreTestCase {
    typealias S = StripeLedgerShapes

    func stripe(_ s: Store, _ records: [String]) throws -> IngestSummary {
        let feed = StripeFeed(file: "stripe.json")
        return try s.ingest(records.enumerated().compactMap { feed.read(record: $0.element, line: $0.offset + 1) })
    }

    func testRefundsAndDisputesFindTheirInvoiceInEitherAPIShape() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice")])
        let summary = try stripe(s, [
            // Older API: the invoice names its charge and payment intent; the charge names its invoice.
            S.event("evt_i1", "invoice.paid", S.invoice("in_1", charge: "ch_1", intent: "pi_1")),
            S.event("evt_r1", "charge.refunded", S.charge("ch_1", invoice: "in_1", intent: "pi_1", refunded: 1225, refunds: [("re_1", 1225)])),
            S.event("evt_r1b", "refund.created", S.refund("re_1", charge: "ch_1", intent: "pi_1", amount: 1225)),
            // Basil: the invoice names neither; invoice_payment links the payment intent; the charge has no invoice.
            S.event("evt_i2", "invoice.paid", S.invoice("in_2")),
            S.event("evt_p2", "invoice_payment.paid", S.invoicePayment("inpay_2", invoice: "in_2", intent: "pi_2")),
            S.event("evt_r2", "refund.created", S.refund("re_2", charge: "ch_2", intent: "pi_2", amount: 4900)),
            S.event("evt_r2b", "charge.refunded", S.charge("ch_2", invoice: String?.none, intent: "pi_2", refunded: 4900)),
            // Disputes: opened then won on in_3, opened then lost on in_4.
            S.event("evt_i3", "invoice.paid", S.invoice("in_3", charge: "ch_3", intent: "pi_3")),
            S.event("evt_i4", "invoice.paid", S.invoice("in_4", charge: "ch_4", intent: "pi_4")),
            S.event("evt_d3", "charge.dispute.created", S.dispute("dp_3", charge: "ch_3", intent: "pi_3", status: "needs_response")),
            S.event("evt_d4", "charge.dispute.created", S.dispute("dp_4", charge: "ch_4", intent: "pi_4", status: "needs_response")),
            S.event("evt_d3c", "charge.dispute.closed", S.dispute("dp_3", charge: "ch_3", intent: "pi_3", status: "won")),
            S.event("evt_d4c", "charge.dispute.closed", S.dispute("dp_4", charge: "ch_4", intent: "pi_4", status: "lost")),
            // A refund of a charge nothing mentions.
            S.event("evt_r9", "refund.created", S.refund("re_9", charge: "ch_9", intent: "pi_9", amount: 100)),
        ])
        XCTAssertEqual(summary.byReason["unknown_sale"], 1)
        XCTAssertEqual(summary.byReason["refund_already_applied"], 2, "refund.created after its charge.refunded, and the reverse")
        let ledger = Dictionary(uniqueKeysWithValues: try s.commissions(CommissionQuery()).map { ($0.externalID, $0) })
        // 10 % of 49.00 = 4.90; a quarter refunded takes back 1.225, rounded half up to 1.23, once.
        XCTAssertEqual(ledger["in_1"]?.amount, usd(367))
        XCTAssertEqual(ledger["in_2"]?.state, .voided)
        XCTAssertEqual(ledger["in_2"]?.reason, .refunded)
        XCTAssertEqual(ledger["in_3"]?.state, .pending)
        XCTAssertEqual(ledger["in_4"]?.state, .voided)
        XCTAssertEqual(ledger["in_4"]?.reason, .disputed)
        try assertConsistent(s)
    }
}
