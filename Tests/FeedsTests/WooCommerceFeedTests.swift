import AttributionCore
@testable import Feeds
import Foundation
import XCTest

/// WooCommerce resources written for these tests in the REST / webhook shape of WooCommerce
/// Subscriptions (trimmed): a parent order, its subscription, a paid and a pending renewal.
enum WooFixtures {
    static let parentOrder = """
    {
      "id": 501,
      "parent_id": 0,
      "status": "processing",
      "currency": "USD",
      "prices_include_tax": true,
      "date_created_gmt": "2026-01-05T09:58:00",
      "date_paid_gmt": "2026-01-05T10:00:00",
      "total": "29.00",
      "total_tax": "2.64",
      "customer_id": 7,
      "billing": {"first_name": "Ada", "email": "Ada@Example.com"},
      "payment_method": "stripe",
      "transaction_id": "ch_3Woo501",
      "number": "501",
      "meta_data": [
        {"id": 1, "key": "is_vat_exempt", "value": "no"},
        {"id": 2, "key": "_affdesk_click_id", "value": "clk_w1"},
        {"id": 3, "key": "_stripe_customer_id", "value": "cus_Woo7"}
      ],
      "line_items": [{"id": 11, "name": "Monthly", "product_id": 90, "quantity": 1, "total": "26.36", "total_tax": "2.64"}],
      "order_type": "parent_order"
    }
    """

    static let subscription = """
    {
      "id": 502,
      "parent_id": 501,
      "status": "active",
      "currency": "USD",
      "total": "29.00",
      "customer_id": 7,
      "billing": {"email": "ada@example.com"},
      "billing_period": "month",
      "billing_interval": "1",
      "date_created_gmt": "2026-01-05T10:00:05",
      "start_date_gmt": "2026-01-05T10:00:05",
      "trial_end_date_gmt": "",
      "next_payment_date_gmt": "2026-02-05T10:00:05",
      "cancelled_date_gmt": "",
      "meta_data": []
    }
    """

    static func renewal(_ id: Int, status: String = "completed", subscription: String = "502", paid: String? = "2026-02-05T10:00:07",
                        total: String = "29.00", meta: String = "", parentID: Int = 0) -> String {
        """
        {"id": \(id), "parent_id": \(parentID), "status": "\(status)", "currency": "USD", "total": "\(total)", "total_tax": "2.64",
         "customer_id": 7, "billing": {"email": "ada@example.com"},
         "date_created_gmt": "2026-02-05T10:00:01", "date_paid_gmt": \(paid.map { "\"\($0)\"" } ?? "null"),
         "meta_data": [{"id": 9, "key": "_subscription_renewal", "value": "\(subscription)"}\(meta)],
         "order_type": "renewal_order"}
        """
    }

    static func order(_ id: Int, status: String = "completed", total: String = "10.00", extra: String = "", meta: String = "") -> String {
        #"{"id":\#(id),"status":"\#(status)","currency":"EUR","total":"\#(total)","date_paid_gmt":"2026-03-01T08:00:00","meta_data":[\#(meta)]\#(extra)}"#
    }
}

final class WooCommerceFeedTests: XCTestCase {
    func usd(_ minor: Int64) -> Money { Money(minor: minor, currency: .usd) }
    func eur(_ minor: Int64) -> Money { Money(minor: minor, currency: .eur) }
    let paidAt = Instant.parse("2026-01-05T10:00:00Z")!

    func read(_ feed: WooCommerceFeed, _ record: String, line: Int = 1) -> InboundEvent {
        guard let e = feed.read(record: record, line: line) else {
            XCTFail("blank")
            return InboundEvent(source: "", type: "", raw: "", dedupeKey: "", payload: .invalid(field: nil, message: "blank"))
        }
        return e
    }

    func conversion(_ feed: WooCommerceFeed, _ record: String, file: StaticString = #filePath, line: UInt = #line) -> Event.Conversion? {
        let e = read(feed, record)
        guard case .event(.conversion(let c)) = e.payload else { XCTFail("not a conversion: \(e.payload)", file: file, line: line); return nil }
        return c
    }

    func invalid(_ feed: WooCommerceFeed, _ record: String, file: StaticString = #filePath, line: UInt = #line) -> (String?, String)? {
        let e = read(feed, record)
        guard case .invalid(let f, let m) = e.payload else { XCTFail("not invalid: \(e.payload)", file: file, line: line); return nil }
        return (f, m)
    }

    // MARK: Parent orders, subscriptions, renewals

    func testParentOrderIsAFirstPayment() {
        let feed = WooCommerceFeed(file: "orders.json")
        let e = read(feed, WooFixtures.parentOrder, line: 3)
        XCTAssertEqual(e.source, "woocommerce")
        XCTAssertEqual(e.type, "parent_order")
        XCTAssertEqual(e.file, "orders.json")
        XCTAssertEqual(e.line, 3)
        XCTAssertTrue(e.dedupeKey.hasPrefix("woocommerce:parent_order:501:"), e.dedupeKey)
        XCTAssertEqual(e.refs, ["501", "wc-501", "ch_3Woo501"])
        XCTAssertEqual(e.payload, .event(.conversion(.init(
            externalID: "wc-501", amount: usd(2900), customerKey: "7", clickID: "clk_w1", isFirstPayment: true, at: paidAt))))
    }

    func testSubscriptionLinksItsParentAndTheFeedRemembersIt() {
        let feed = WooCommerceFeed()
        let sub = read(feed, WooFixtures.subscription)
        XCTAssertEqual(sub.type, "subscription")
        XCTAssertEqual(sub.refs, ["502", "wc-sub-502", "501", "wc-501"])
        XCTAssertEqual(sub.payload, .event(.subscription(.init(subscriptionID: "wc-sub-502", parentExternalID: "wc-501", customerKey: "7",
                                                               at: Instant.parse("2026-01-05T10:00:05Z")!))))
        XCTAssertEqual(feed.parentOrder, ["502": "501"])
        // The renewal names only its subscription; the feed read the subscription, so it names the parent too.
        let e = read(feed, WooFixtures.renewal(503))
        XCTAssertEqual(e.type, "renewal_order")
        XCTAssertEqual(e.refs, ["503", "wc-503", "502", "wc-sub-502", "501", "wc-501"])
        XCTAssertEqual(e.payload, .event(.conversion(.init(
            externalID: "wc-503", amount: usd(2900), customerKey: "7", clickID: nil, isFirstPayment: false,
            at: Instant.parse("2026-02-05T10:00:07Z")!, subscriptionID: "wc-sub-502", isRenewal: true, parentExternalID: "wc-501"))))
        // A parent order read after its subscription is the subscription's first payment.
        XCTAssertEqual(conversion(feed, WooFixtures.parentOrder)?.subscriptionID, "wc-sub-502")
    }

    func testARenewalOnItsOwnNamesItsParentOnlyWhenThePayloadDoes() {
        let c = conversion(WooCommerceFeed(), WooFixtures.renewal(503))
        XCTAssertEqual(c?.subscriptionID, "wc-sub-502")
        XCTAssertEqual(c?.isRenewal, true)
        XCTAssertNil(c?.parentExternalID, "the store links subscriptions it has seen")
        let hinted = conversion(WooCommerceFeed(), WooFixtures.renewal(503, meta: #",{"key":"_affdesk_parent_order_id","value":"499"}"#))
        XCTAssertEqual(hinted?.parentExternalID, "wc-499")
        XCTAssertEqual(conversion(WooCommerceFeed(), WooFixtures.renewal(503, parentID: 498))?.parentExternalID, "wc-498")
        // A switch order is a payment of its subscription too.
        let switched = WooFixtures.order(510, meta: #"{"key":"_subscription_switch","value":502}"#)
        XCTAssertEqual(conversion(WooCommerceFeed(), switched)?.subscriptionID, "wc-sub-502")
        XCTAssertEqual(read(WooCommerceFeed(), switched).type, "renewal_order")
    }

    func testOnlyPaidOrdersEarn() {
        let pending = read(WooCommerceFeed(), WooFixtures.renewal(504, status: "pending", paid: nil))
        XCTAssertEqual(pending.payload, .ignored(.orderNotPaid, detail: "renewal order 504 is pending: only processing or completed orders earn"))
        XCTAssertEqual(pending.refs, ["504", "wc-504", "502", "wc-sub-502"], "triage finds it by any id")
        // (`refunded` is a refund: see WooCommerceLedgerTests.)
        for status in ["on-hold", "failed", "cancelled", "checkout-draft"] {
            XCTAssertEqual(read(WooCommerceFeed(), WooFixtures.order(505, status: status)).payload,
                           .ignored(.orderNotPaid, detail: "order 505 is \(status): only processing or completed orders earn"), status)
        }
        for status in ["processing", "completed"] {
            XCTAssertEqual(conversion(WooCommerceFeed(), WooFixtures.order(505, status: status))?.amount, eur(1000), status)
        }
        // The same order, paid later, is a new record (its content changed).
        XCTAssertNotEqual(read(WooCommerceFeed(), WooFixtures.order(505, status: "pending")).dedupeKey,
                          read(WooCommerceFeed(), WooFixtures.order(505)).dedupeKey)
    }

    func testTrialParentIsAZeroFirstPayment() {
        let trial = WooFixtures.order(601, status: "processing", total: "0.00", extra: #","customer_id":8"#,
                                      meta: #"{"key":"_affdesk_click_id","value":"clk_t"}"#)
        let c = conversion(WooCommerceFeed(), trial)
        XCTAssertEqual(c?.amount, eur(0))
        XCTAssertEqual(c?.isFirstPayment, true)
        XCTAssertEqual(c?.clickID, "clk_t")
        XCTAssertEqual(c?.customerKey, "8")
    }

    func testCanceledOrExpiredSubscriptionsCancel() {
        for status in ["cancelled", "expired"] {
            let raw = WooFixtures.subscription.replacingOccurrences(of: #""status": "active""#, with: #""status": "\#(status)""#)
                .replacingOccurrences(of: #""cancelled_date_gmt": """#, with: #""cancelled_date_gmt": "2026-04-01T00:00:00""#)
            XCTAssertEqual(read(WooCommerceFeed(), raw).payload,
                           .event(.cancel(.init(customerKey: "7", subscriptionID: "wc-sub-502", at: Instant.parse("2026-04-01T00:00:00Z")!))),
                           status)
        }
        let onHold = WooFixtures.subscription.replacingOccurrences(of: #""status": "active""#, with: #""status": "on-hold""#)
        XCTAssertEqual(read(WooCommerceFeed(), onHold).type, "subscription")
        guard case .event(.subscription) = read(WooCommerceFeed(), onHold).payload else { return XCTFail("on-hold still links") }
        // A subscription without a parent order (created by hand) is still read: the core refuses to link it.
        let orphan = WooFixtures.subscription.replacingOccurrences(of: #""parent_id": 501"#, with: #""parent_id": 0"#)
        guard case .event(.subscription(let s)) = read(WooCommerceFeed(), orphan).payload else { return XCTFail() }
        XCTAssertNil(s.parentExternalID)
    }

    // MARK: Keys, money, times

    func testCustomerKeyFallbacks() {
        func key(_ extra: String, meta: String = "") -> String? { conversion(WooCommerceFeed(), WooFixtures.order(700, extra: extra, meta: meta))?.customerKey }
        XCTAssertEqual(key(#","customer_id":7,"billing":{"email":"a@b.example"}"#, meta: #"{"key":"_affdesk_customer_key","value":"usr_7"}"#),
                       "usr_7")
        XCTAssertEqual(key(#","customer_id":7,"billing":{"email":"a@b.example"}"#), "7")
        XCTAssertEqual(key(#","customer_id":0,"billing":{"email":" Guest@Example.COM "}"#), "guest@example.com", "a guest: the email")
        XCTAssertNil(key(#","customer_id":0,"billing":{"email":""}"#))
        XCTAssertNil(key(""))
        XCTAssertEqual(invalid(WooCommerceFeed(), WooFixtures.order(700, extra: #","customer_id":"seven""#))?.0, "customer_id")
    }

    func testAmountsTaxAndCurrency() {
        let taxFeed = WooCommerceFeed(taxExcluded: true)
        XCTAssertEqual(conversion(taxFeed, WooFixtures.parentOrder)?.commissionBase, usd(2636))
        XCTAssertNil(conversion(WooCommerceFeed(), WooFixtures.parentOrder)?.commissionBase)
        XCTAssertNil(conversion(taxFeed, WooFixtures.order(1))?.commissionBase, "no total_tax")
        // An order without a currency is in the program's.
        let noCurrency = #"{"id":9,"status":"completed","total":"1500","date_paid_gmt":"2026-03-01T08:00:00"}"#
        XCTAssertEqual(conversion(WooCommerceFeed(defaultCurrency: .jpy), noCurrency)?.amount, Money(minor: 1500, currency: .jpy))
        XCTAssertEqual(invalid(WooCommerceFeed(), noCurrency)?.0, "currency")
        XCTAssertEqual(invalid(WooCommerceFeed(), WooFixtures.order(1, total: "12.345"))?.1, #""12.345" has more than 2 decimal places for EUR"#)
        XCTAssertEqual(invalid(WooCommerceFeed(), WooFixtures.order(1, total: "free"))?.0, "total")
        let badCurrency = WooFixtures.order(1).replacingOccurrences(of: "EUR", with: "Euro")
        XCTAssertEqual(invalid(WooCommerceFeed(), badCurrency)?.0, "currency")
    }

    func testTimes() {
        // date_paid_gmt (UTC without a zone), else date_completed_gmt, else date_created_gmt.
        let completed = #"{"id":1,"status":"completed","currency":"USD","total":"1.00","date_paid_gmt":null,"date_completed_gmt":"2026-03-02T00:00:00","date_created_gmt":"2026-03-01T00:00:00"}"#
        XCTAssertEqual(conversion(WooCommerceFeed(), completed)?.at, Instant.parse("2026-03-02T00:00:00Z"))
        let offset = #"{"id":1,"status":"completed","currency":"USD","total":"1.00","date_paid_gmt":"2026-03-02T01:00:00+01:00"}"#
        XCTAssertEqual(conversion(WooCommerceFeed(), offset)?.at, Instant.parse("2026-03-02T00:00:00Z"))
        let none = #"{"id":1,"status":"completed","currency":"USD","total":"1.00"}"#
        XCTAssertEqual(invalid(WooCommerceFeed(), none)?.1, "missing (and no date_completed_gmt, date_created_gmt, date_modified_gmt either)")
        let bad = #"{"id":1,"status":"completed","currency":"USD","total":"1.00","date_paid_gmt":"yesterday"}"#
        XCTAssertEqual(invalid(WooCommerceFeed(), bad)?.0, "date_paid_gmt")
    }

    // MARK: Other payloads and malformed records

    func testOtherPayloadsAndMalformedRecords() {
        let feed = WooCommerceFeed(file: "woo.json")
        XCTAssertNil(feed.read(record: "", line: 1))
        XCTAssertEqual(read(feed, #"{"webhook_id":12}"#).payload,
                       .ignored(.ignoredEventType, detail: #"not a WooCommerce order or subscription (no "id" and "status")"#))
        XCTAssertEqual(read(feed, "{broken", line: 9).invalidMessage, "woo.json:9: not valid JSON: expected a key at column 2")
        XCTAssertEqual(invalid(feed, "42")?.1, "a record must be a JSON object")
        XCTAssertEqual(invalid(feed, #"{"id":"","status":"completed"}"#)?.0, "id")
        XCTAssertEqual(invalid(feed, #"{"id":1,"status":7}"#)?.0, "status")
        XCTAssertEqual(invalid(feed, #"{"id":1,"status":"completed","meta_data":{"k":"v"}}"#)?.0, "meta_data")
        XCTAssertEqual(invalid(feed, WooFixtures.renewal(3, meta: #",{"key":"_affdesk_parent_order_id","value":"a\u0001"}"#))?.0,
                       "meta_data._affdesk_parent_order_id")
        let badRenewal = read(feed, WooFixtures.renewal(3, total: "x"))
        XCTAssertEqual(badRenewal.type, "renewal_order")
        XCTAssertTrue(badRenewal.dedupeKey.hasPrefix("woocommerce:renewal_order:3:"), badRenewal.dedupeKey)
        // Formatting does not change the idempotency key; content does.
        let compact = try! JSON.parse(WooFixtures.parentOrder).canonicalText
        XCTAssertEqual(read(feed, compact).dedupeKey, read(feed, WooFixtures.parentOrder).dedupeKey)
        XCTAssertEqual(read(feed, compact).raw, compact, "the raw payload is kept as received")
    }

    func testReparse() {
        XCTAssertEqual(Reparse.event(source: "woocommerce", raw: WooFixtures.parentOrder, defaultCurrency: nil),
                       .conversion(.init(externalID: "wc-501", amount: usd(2900), customerKey: "7", clickID: "clk_w1", isFirstPayment: true,
                                         at: paidAt)))
        guard case .conversion(let c)? = Reparse.event(source: "woocommerce", raw: WooFixtures.parentOrder, defaultCurrency: nil,
                                                       taxExcluded: true) else { return XCTFail() }
        XCTAssertEqual(c.commissionBase, usd(2636))
        XCTAssertEqual(Reparse.event(source: "woocommerce", raw: WooFixtures.subscription, defaultCurrency: nil)?.kind, .subscription)
        XCTAssertNil(Reparse.event(source: "woocommerce", raw: WooFixtures.renewal(504, status: "pending"), defaultCurrency: nil))
    }
}
