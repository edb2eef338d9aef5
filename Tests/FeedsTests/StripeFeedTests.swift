import AttributionCore
@testable import Feeds
import Foundation
import XCTest

/// Stripe payloads written for these tests in the shapes Stripe sends (trimmed to the fields that
/// matter, plus a few that do not): the invoice before API 2025-03-31 with a top-level
/// `subscription`, and the "basil" invoice with `parent.subscription_details`.
enum StripeFixtures {
    /// An `invoice.paid` event, older API shape: top-level `subscription`, `tax`, and the
    /// subscription's metadata copied into `subscription_details.metadata`.
    static let acaciaFirstPayment = """
    {
      "id": "evt_1Acacia0001",
      "object": "event",
      "api_version": "2025-02-24.acacia",
      "created": 1767607200,
      "type": "invoice.paid",
      "livemode": false,
      "data": {
        "object": {
          "id": "in_1Acacia0001",
          "object": "invoice",
          "amount_due": 4900,
          "amount_paid": 4900,
          "amount_remaining": 0,
          "billing_reason": "subscription_create",
          "charge": "ch_1Acacia0001",
          "currency": "usd",
          "customer": "cus_Acacia01",
          "customer_email": "ada@example.com",
          "lines": {
            "object": "list",
            "data": [
              {"id": "il_1", "object": "line_item", "amount": 4900, "currency": "usd", "metadata": {},
               "subscription": "sub_1Acacia01", "type": "subscription"}
            ],
            "has_more": false
          },
          "metadata": {},
          "number": "AF-0001",
          "paid": true,
          "payment_intent": "pi_1Acacia0001",
          "status": "paid",
          "status_transitions": {"finalized_at": 1767607190, "paid_at": 1767607195},
          "subscription": "sub_1Acacia01",
          "subscription_details": {"metadata": {"customer_key": "usr_ada", "click_id": "clk_ada"}},
          "subtotal": 4083,
          "tax": 817,
          "total": 4900,
          "total_tax_amounts": [{"amount": 817, "inclusive": true, "tax_rate": "txr_1"}]
        }
      }
    }
    """

    /// An `invoice.payment_succeeded` renewal, "basil" shape: the subscription and its metadata
    /// under `parent.subscription_details`, taxes in `total_taxes`.
    static let basilRenewal = """
    {
      "id": "evt_1Basil0002",
      "object": "event",
      "api_version": "2025-03-31.basil",
      "created": 1770285600,
      "type": "invoice.payment_succeeded",
      "data": {
        "object": {
          "id": "in_1Basil0002",
          "object": "invoice",
          "amount_due": 4900,
          "amount_paid": 4900,
          "amount_overpaid": 0,
          "billing_reason": "subscription_cycle",
          "currency": "usd",
          "customer": "cus_Acacia01",
          "lines": {
            "object": "list",
            "data": [
              {"id": "il_2", "object": "line_item", "amount": 4600, "currency": "usd", "metadata": {},
               "parent": {"type": "subscription_item_details",
                          "subscription_item_details": {"subscription": "sub_1Acacia01", "subscription_item": "si_1"}}}
            ]
          },
          "metadata": {},
          "parent": {
            "type": "subscription_details",
            "quote_details": null,
            "subscription_details": {"metadata": {"customer_key": "usr_ada"}, "subscription": "sub_1Acacia01"}
          },
          "status": "paid",
          "status_transitions": {"paid_at": 1770285660},
          "total": 4900,
          "total_excluding_tax": 4600,
          "total_taxes": [{"amount": 300, "tax_behavior": "exclusive", "type": "tax_rate_details"}]
        }
      }
    }
    """

    /// A $0 first invoice (a trial), basil shape.
    static let basilTrial = """
    {"id": "evt_1Trial0003", "object": "event", "api_version": "2025-03-31.basil", "created": 1767607200, "type": "invoice.paid",
     "data": {"object": {"id": "in_1Trial0003", "object": "invoice", "amount_due": 0, "amount_paid": 0, "billing_reason": "subscription_create",
       "currency": "eur", "customer": "cus_Trial03", "metadata": {},
       "parent": {"type": "subscription_details", "subscription_details": {"metadata": {"customer_key": "usr_tia", "click_id": "clk_tia"},
                  "subscription": "sub_1Trial03"}},
       "status": "paid", "status_transitions": {"paid_at": 1767607201}, "total": 0, "total_taxes": []}}}
    """

    /// A failed renewal: the invoice stays open.
    static let paymentFailed = """
    {"id": "evt_1Failed0004", "object": "event", "api_version": "2025-03-31.basil", "created": 1772964000,
     "type": "invoice.payment_failed",
     "data": {"object": {"id": "in_1Failed0004", "object": "invoice", "amount_due": 4900, "amount_paid": 0,
       "billing_reason": "subscription_cycle", "currency": "usd", "customer": "cus_Acacia01",
       "parent": {"type": "subscription_details", "subscription_details": {"metadata": {}, "subscription": "sub_1Acacia01"}},
       "status": "open", "total": 4900}, "previous_attributes": null}}
    """

    static let subscriptionDeleted = """
    {"id": "evt_1Deleted0005", "object": "event", "created": 1775642400, "type": "customer.subscription.deleted",
     "data": {"object": {"id": "sub_1Acacia01", "object": "subscription", "customer": "cus_Acacia01", "status": "canceled",
       "canceled_at": 1775642000, "ended_at": 1775642300, "metadata": {"customer_key": "usr_ada"}}}}
    """

    static let customerCreated = """
    {"id": "evt_1Customer07", "object": "event", "created": 1775642400, "type": "customer.created",
     "data": {"object": {"id": "cus_1Acacia0001", "object": "customer", "email": "ada@example.com"}}}
    """

    /// An event envelope around an invoice (built from parts, for the small variations).
    static func event(_ id: String, type: String = "invoice.paid", created: Int = 1767607200, invoice: String) -> String {
        #"{"id":"\#(id)","object":"event","created":\#(created),"type":"\#(type)","data":{"object":\#(invoice)}}"#
    }

    static func invoice(_ id: String = "in_x", paid: String = "1000", currency: String = "usd", status: String = "paid",
                        reason: String = "subscription_create", extra: String = "") -> String {
        #"{"id":"\#(id)","object":"invoice","amount_paid":\#(paid),"currency":"\#(currency)","status":"\#(status)","billing_reason":"\#(reason)"\#(extra)}"#
    }
}

final class StripeFeedTests: XCTestCase {
    let feed = StripeFeed(file: "stripe.json")

    func read(_ record: String, _ feed: StripeFeed? = nil, line: Int = 1) -> InboundEvent {
        guard let e = (feed ?? self.feed).read(record: record, line: line) else { XCTFail("blank"); return
            InboundEvent(source: "", type: "", raw: "", dedupeKey: "", payload: .invalid(field: nil, message: "blank")) }
        return e
    }

    func conversion(_ record: String, _ feed: StripeFeed? = nil, file: StaticString = #filePath, line: UInt = #line) -> Event.Conversion? {
        guard case .event(.conversion(let c)) = read(record, feed).payload else {
            XCTFail("not a conversion: \(read(record, feed).payload)", file: file, line: line)
            return nil
        }
        return c
    }

    func invalid(_ record: String, _ feed: StripeFeed? = nil, file: StaticString = #filePath, line: UInt = #line) -> (String?, String)? {
        guard case .invalid(let f, let m) = read(record, feed).payload else {
            XCTFail("not invalid: \(read(record, feed).payload)", file: file, line: line)
            return nil
        }
        return (f, m)
    }

    func usd(_ minor: Int64) -> Money { Money(minor: minor, currency: .usd) }

    // MARK: Both API shapes

    func testOlderShapeFirstPayment() {
        let e = read(StripeFixtures.acaciaFirstPayment, line: 12)
        XCTAssertEqual(e.source, "stripe")
        XCTAssertEqual(e.type, "invoice.paid")
        XCTAssertEqual(e.dedupeKey, "stripe:evt_1Acacia0001")
        XCTAssertEqual(e.file, "stripe.json")
        XCTAssertEqual(e.line, 12)
        XCTAssertEqual(e.raw, StripeFixtures.acaciaFirstPayment)
        XCTAssertEqual(e.refs, ["evt_1Acacia0001", "in_1Acacia0001", "sub_1Acacia01", "cus_Acacia01", "ch_1Acacia0001", "pi_1Acacia0001",
                                "AF-0001"])
        XCTAssertEqual(e.payload, .event(.conversion(.init(
            externalID: "in_1Acacia0001", amount: usd(4900), customerKey: "usr_ada", clickID: "clk_ada", isFirstPayment: true,
            at: Instant(seconds: 1767607195), subscriptionID: "sub_1Acacia01", isRenewal: false))))
    }

    func testBasilShapeRenewal() {
        let e = read(StripeFixtures.basilRenewal)
        XCTAssertEqual(e.type, "invoice.payment_succeeded")
        XCTAssertEqual(e.dedupeKey, "stripe:evt_1Basil0002")
        XCTAssertEqual(e.refs, ["evt_1Basil0002", "in_1Basil0002", "sub_1Acacia01", "cus_Acacia01"])
        XCTAssertEqual(e.payload, .event(.conversion(.init(
            externalID: "in_1Basil0002", amount: usd(4900), customerKey: "usr_ada", clickID: nil, isFirstPayment: false,
            at: Instant(seconds: 1770285660), subscriptionID: "sub_1Acacia01", isRenewal: true))))
    }

    func testTheSubscriptionFromALineWhenTheInvoiceNamesNone() {
        // Basil lines name the subscription in parent.subscription_item_details; older ones in `subscription`.
        let basilLine = StripeFixtures.invoice(reason: "subscription_cycle", extra: #","lines":{"data":[{"parent":{"subscription_item_details":{"subscription":"sub_L1"}}}]}"#)
        XCTAssertEqual(conversion(StripeFixtures.event("evt_l1", invoice: basilLine))?.subscriptionID, "sub_L1")
        let oldLine = StripeFixtures.invoice(reason: "subscription_cycle", extra: #","lines":{"data":[{"type":"invoiceitem","subscription":"sub_no"},{"type":"subscription","subscription":"sub_L2"}]}"#)
        XCTAssertEqual(conversion(StripeFixtures.event("evt_l2", invoice: oldLine))?.subscriptionID, "sub_L2")
        // An expanded subscription object.
        let expanded = StripeFixtures.invoice(reason: "subscription_cycle", extra: #","subscription":{"id":"sub_E","object":"subscription"}"#)
        XCTAssertEqual(conversion(StripeFixtures.event("evt_l3", invoice: expanded))?.subscriptionID, "sub_E")
    }

    func testBillingReasons() {
        func flags(_ reason: String, subscription: Bool = true) -> (Bool, Bool)? {
            let extra = subscription ? #","subscription":"sub_r""# : ""
            guard let c = conversion(StripeFixtures.event("evt_\(reason)", invoice: StripeFixtures.invoice(reason: reason, extra: extra)))
            else { return nil }
            return (c.isFirstPayment, c.isRenewal)
        }
        XCTAssertTrue(flags("subscription_create")! == (true, false))
        XCTAssertTrue(flags("subscription_cycle")! == (false, true))
        XCTAssertTrue(flags("subscription_update")! == (false, true), "a proration on a subscription is one of its payments")
        XCTAssertTrue(flags("manual", subscription: false)! == (false, false), "an invoice without subscription is a one-off")
    }

    // MARK: Metadata

    func testMetadataPlacesAndPrecedence() {
        func key(_ extra: String, _ feed: StripeFeed? = nil) -> String? {
            conversion(StripeFixtures.event("evt_m", invoice: StripeFixtures.invoice(extra: extra)), feed)?.customerKey
        }
        XCTAssertEqual(key(#","metadata":{"customer_key":"from_invoice"},"subscription_details":{"metadata":{"customer_key":"from_sub"}}"#),
                       "from_invoice")
        XCTAssertEqual(key(#","metadata":{},"parent":{"subscription_details":{"metadata":{"customer_key":"from_parent"}}}"#), "from_parent")
        XCTAssertEqual(key(#","lines":{"data":[{"metadata":{}},{"metadata":{"customer_key":"from_line"}}]}"#), "from_line")
        XCTAssertEqual(key(#","metadata":{"customer_key":""},"lines":{"data":[{"metadata":{"customer_key":"from_line"}}]}"#), "from_line",
                       "an empty value is no value")
        XCTAssertNil(key(#","metadata":{"other":"x"}"#))
        XCTAssertEqual(key(#","metadata":{"customer_key":42}"#), "42")
        // The key is the program's --metadata-key.
        let custom = StripeFeed(metadataKey: "affitor_customer_key")
        XCTAssertEqual(key(#","metadata":{"customer_key":"no","affitor_customer_key":"yes"}"#, custom), "yes")
        XCTAssertEqual(invalid(StripeFixtures.event("evt_m", invoice: StripeFixtures.invoice(extra: #","metadata":{"customer_key":"a\u0000b"}"#)))?.0,
                       "data.object.metadata.customer_key")
    }

    // MARK: Amounts and tax

    func testTaxExcludedBasis() {
        let taxFeed = StripeFeed(taxExcluded: true)
        // `tax` (older shape): 4900 - 817.
        XCTAssertEqual(conversion(StripeFixtures.acaciaFirstPayment, taxFeed)?.commissionBase, usd(4083))
        // `total_taxes` (basil): 4900 - 300.
        XCTAssertEqual(conversion(StripeFixtures.basilRenewal, taxFeed)?.commissionBase, usd(4600))
        // `total_tax_amounts` alone.
        let amounts = StripeFixtures.invoice(paid: "4000", extra: #","total_tax_amounts":[{"amount":400},{"amount":122}]"#)
        XCTAssertEqual(conversion(StripeFixtures.event("evt_t", invoice: amounts), taxFeed)?.commissionBase, usd(3478))
        // No tax, or tax included in the basis: no separate base.
        XCTAssertNil(conversion(StripeFixtures.event("evt_t", invoice: StripeFixtures.invoice(extra: #","tax":null"#)), taxFeed)?.commissionBase)
        XCTAssertNil(conversion(StripeFixtures.acaciaFirstPayment)?.commissionBase)
        XCTAssertEqual(invalid(StripeFixtures.event("evt_t", invoice: StripeFixtures.invoice(extra: #","total_taxes":[{"amount":"x"}]"#)), taxFeed)?.0,
                       "data.object.total_taxes[0].amount")
    }

    func testCurrenciesAndMinorUnits() {
        func money(_ paid: String, _ currency: String) -> Money? {
            conversion(StripeFixtures.event("evt_c", invoice: StripeFixtures.invoice(paid: paid, currency: currency)))?.amount
        }
        XCTAssertEqual(money("2000", "usd"), usd(2000))
        XCTAssertEqual(money("1500", "jpy"), Money(minor: 1500, currency: .jpy), "zero-decimal in both")
        XCTAssertEqual(money("1234", "kwd"), Money(minor: 1234, currency: Currency(validated: "KWD")), "three-decimal in both")
        XCTAssertEqual(money("50000", "isk"), Money(minor: 500, currency: Currency(validated: "ISK")), "Stripe counts ISK in hundredths")
        XCTAssertEqual(money("700", "mga"), Money(minor: 70000, currency: Currency(validated: "MGA")), "Stripe counts MGA whole")
        XCTAssertEqual(invalid(StripeFixtures.event("evt_c", invoice: StripeFixtures.invoice(paid: "50001", currency: "isk")))?.1,
                       "50001 is not a whole amount of ISK (Stripe counts ISK in hundredths)")
        XCTAssertEqual(invalid(StripeFixtures.event("evt_c", invoice: StripeFixtures.invoice(currency: "dollars")))?.0, "data.object.currency")
        XCTAssertEqual(invalid(StripeFixtures.event("evt_c", invoice: StripeFixtures.invoice(paid: #""10.00""#)))?.1,
                       "must be an integer amount in the currency's smallest unit")
        XCTAssertEqual(invalid(StripeFixtures.event("evt_c", invoice: StripeFixtures.invoice(paid: "1e3")))?.0, "data.object.amount_paid")
        XCTAssertEqual(invalid(StripeFixtures.event("evt_c", invoice: #"{"id":"in_c","object":"invoice","status":"paid","currency":"usd"}"#))?.1,
                       "missing")
    }

    // MARK: Trials, unpaid invoices, cancels, other types

    func testZeroInvoiceIsAFirstPaymentOfZero() {
        let c = conversion(StripeFixtures.basilTrial)
        XCTAssertEqual(c?.amount, Money(minor: 0, currency: .eur))
        XCTAssertEqual(c?.isFirstPayment, true, "the core logs a $0 first payment as a trial")
        XCTAssertEqual(c?.customerKey, "usr_tia")
        XCTAssertEqual(c?.clickID, "clk_tia")
        XCTAssertEqual(c?.subscriptionID, "sub_1Trial03")
    }

    func testUnpaidInvoicesAreIgnoredWithAReason() {
        let failed = read(StripeFixtures.paymentFailed)
        XCTAssertEqual(failed.type, "invoice.payment_failed")
        XCTAssertEqual(failed.dedupeKey, "stripe:evt_1Failed0004")
        XCTAssertEqual(failed.payload, .ignored(.unpaidInvoice, detail:
            #"invoice in_1Failed0004 is "open", amount_due 4900 (invoice.payment_failed): only paid invoices earn"#))
        XCTAssertEqual(failed.refs, ["evt_1Failed0004", "in_1Failed0004", "sub_1Acacia01", "cus_Acacia01"], "triage finds it by any id")
        // invoice.paid with an invoice that is not paid (a draft, say): ignored the same way.
        let draft = read(StripeFixtures.event("evt_d", invoice: StripeFixtures.invoice(status: "draft")))
        XCTAssertEqual(draft.payload, .ignored(.unpaidInvoice, detail: #"invoice in_x is "draft" (invoice.paid): only paid invoices earn"#))
        // The older `paid: true` without a status counts as paid.
        XCTAssertNotNil(conversion(StripeFixtures.event("evt_p", invoice: #"{"id":"in_p","paid":true,"amount_paid":5,"currency":"usd"}"#)))
    }

    func testSubscriptionDeletedCancels() {
        let e = read(StripeFixtures.subscriptionDeleted)
        XCTAssertEqual(e.type, "customer.subscription.deleted")
        XCTAssertEqual(e.refs, ["evt_1Deleted0005", "sub_1Acacia01", "cus_Acacia01"])
        XCTAssertEqual(e.payload, .event(.cancel(.init(customerKey: "usr_ada", subscriptionID: "sub_1Acacia01",
                                                       at: Instant(seconds: 1775642300)))))
        // Without metadata the store finds the customer by the subscription's history.
        let bare = #"{"id":"evt_x","object":"event","created":1775642400,"type":"customer.subscription.deleted","data":{"object":{"id":"sub_9","object":"subscription","customer":"cus_9"}}}"#
        XCTAssertEqual(read(bare).payload, .event(.cancel(.init(customerKey: nil, subscriptionID: "sub_9", at: Instant(seconds: 1775642400)))))
        XCTAssertEqual(invalid(#"{"id":"evt_y","object":"event","created":1,"type":"customer.subscription.deleted","data":{"object":{"id":"in_1","object":"invoice"}}}"#)?.1,
                       #"is "invoice"; customer.subscription.deleted carries a subscription"#)
    }

    func testOtherTypesAreIgnored() {
        let e = read(StripeFixtures.customerCreated)
        XCTAssertEqual(e.type, "customer.created")
        XCTAssertEqual(e.refs, ["evt_1Customer07", "cus_1Acacia0001"])
        XCTAssertEqual(e.payload, .ignored(.ignoredEventType, detail: "customer.created is not acted on: affdesk reads invoice.paid, "
                                           + "invoice.payment_succeeded, customer.subscription.deleted, refunds and disputes"))
        // Another invoice event with a paid invoice.
        XCTAssertEqual(read(StripeFixtures.event("evt_f", type: "invoice.finalized", invoice: StripeFixtures.invoice())).payload,
                       .ignored(.ignoredEventType, detail: "invoice.finalized is not acted on: invoice.paid credits invoice in_x"))
    }

    // MARK: Envelopes and malformed records

    func testABareInvoiceIsReadAsPaid() {
        let raw = StripeFixtures.invoice(extra: #","subscription":"sub_b","created":1767607200"#)
        let e = read(raw)
        XCTAssertEqual(e.type, "invoice")
        XCTAssertEqual(e.dedupeKey, "stripe:" + StableHash.hex(try! JSON.parse(raw).canonicalText))
        XCTAssertEqual(e.payload, .event(.conversion(.init(externalID: "in_x", amount: usd(1000), isFirstPayment: true,
                                                           at: Instant(seconds: 1767607200), subscriptionID: "sub_b"))))
        // The same invoice formatted differently is the same record.
        let spaced = raw.replacingOccurrences(of: ",", with: ", ")
        XCTAssertEqual(read(spaced).dedupeKey, e.dedupeKey)
    }

    func testMalformedRecords() {
        XCTAssertNil(feed.read(record: "  ", line: 1))
        let broken = read("{\"id\": ", line: 4)
        XCTAssertEqual(broken.type, "unknown")
        XCTAssertEqual(broken.invalidMessage, "stripe.json:4: not valid JSON: unexpected end at column 8")
        XCTAssertEqual(invalid("[1,2]")?.1, "a record must be a JSON object")
        XCTAssertEqual(invalid(#"{"object":"list","data":[]}"#)?.0, "object")
        XCTAssertEqual(invalid(#"{"object":{"id":"in_1","object":"invoice"},"previous_attributes":null}"#)?.0, "type",
                       "an event's data alone says not what happened")
        XCTAssertEqual(invalid(#"{"id":"evt_1","object":"event","data":{"object":{}}}"#)?.0, "type")
        XCTAssertEqual(invalid(#"{"object":"event","type":"invoice.paid","data":{"object":{}}}"#)?.0, "id")
        let noData = read(#"{"id":"evt_2","object":"event","type":"invoice.paid","created":1,"data":{}}"#)
        XCTAssertEqual(noData.dedupeKey, "stripe:evt_2")
        XCTAssertEqual(noData.payload, .invalid(field: "data.object", message: "missing: an event carries its object in data.object"))
        XCTAssertEqual(invalid(StripeFixtures.event("evt_3", invoice: #"{"object":"invoice","status":"paid"}"#))?.0, "data.object.id")
        XCTAssertEqual(invalid(StripeFixtures.event("evt_4", invoice: #"{"id":"ch_1","object":"charge","status":"paid"}"#))?.1,
                       #"is "charge"; invoice.paid carries an invoice"#)
        XCTAssertEqual(invalid(StripeFixtures.event("evt_5", invoice: StripeFixtures.invoice(extra: #","subscription":"sub\u001b[2J""#)))?.1,
                       "must not contain control characters")
        // No time anywhere.
        XCTAssertEqual(invalid(#"{"id":"evt_6","object":"event","type":"invoice.paid","data":{"object":\#(StripeFixtures.invoice())}}"#)?.0,
                       "data.object.created")
    }

    func testReparseReadsAStoredPayloadWithTheProgramsSettings() {
        XCTAssertEqual(Reparse.event(source: "stripe", raw: StripeFixtures.acaciaFirstPayment, defaultCurrency: nil),
                       .conversion(.init(externalID: "in_1Acacia0001", amount: usd(4900), customerKey: "usr_ada", clickID: "clk_ada",
                                         isFirstPayment: true, at: Instant(seconds: 1767607195), subscriptionID: "sub_1Acacia01")))
        guard case .conversion(let c)? = Reparse.event(source: "stripe", raw: StripeFixtures.acaciaFirstPayment, defaultCurrency: nil,
                                                       metadataKey: "click_id", taxExcluded: true) else { return XCTFail() }
        XCTAssertEqual(c.customerKey, "clk_ada")
        XCTAssertEqual(c.commissionBase, usd(4083))
        XCTAssertNil(Reparse.event(source: "stripe", raw: StripeFixtures.paymentFailed, defaultCurrency: nil), "ignored: no event")
        XCTAssertEqual(Reparse.event(source: "stripe", raw: StripeFixtures.subscriptionDeleted, defaultCurrency: nil)?.kind, .cancel)
        XCTAssertNil(Reparse.event(source: "paypal", raw: "{}", defaultCurrency: nil))
    }
}
