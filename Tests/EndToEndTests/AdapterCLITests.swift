import AttributionCore
import Foundation
import XCTest

/// `affdesk ingest --format stripe | woocommerce` run as a user would: Stripe events in both
/// invoice API shapes (one per line) and WooCommerce orders and a subscription (a pretty-printed
/// JSON array, on standard input), then the lists, then the same input again.
final class AdapterCLITests: CLITestCase {
    /// 2026-01-05T10:00:00Z and days after it, in epoch seconds.
    static func epoch(days: Int, seconds: Int = 0) -> Int { 1_767_607_200 + days * 86_400 + seconds }

    static func invoice(_ id: String, sub: String, reason: String, paid: Int, basil: Bool, metadata: String = "{}",
                        status: String = "paid") -> String {
        let place = basil ? #""parent":{"type":"subscription_details","subscription_details":{"subscription":"\#(sub)","metadata":\#(metadata)}}"#
                          : #""subscription":"\#(sub)","subscription_details":{"metadata":\#(metadata)}"#
        return #"{"id":"\#(id)","object":"invoice","amount_due":\#(paid),"amount_paid":\#(paid),"billing_reason":"\#(reason)","currency":"usd","customer":"cus_E2E","status":"\#(status)",\#(place)}"#
    }

    static func event(_ id: String, _ type: String, days: Int, _ object: String) -> String {
        #"{"id":"\#(id)","object":"event","api_version":"2025-03-31.basil","created":\#(epoch(days: days, seconds: 60)),"type":"\#(type)","data":{"object":\#(object)}}"#
    }

    /// Line 1: first payment, older shape. 2: renewal, basil shape. 3: a $0 trial. 4: an unpaid
    /// invoice. 5: a renewal of the trial's subscription. 6: a malformed line. 7: the first
    /// subscription is deleted.
    static let stripeLines: [String] = [
        event("evt_e2e_1", "invoice.paid", days: 0,
              invoice("in_e2e_1", sub: "sub_E2E_A", reason: "subscription_create", paid: 4900, basil: false,
                      metadata: #"{"customer_key":"usr_ada","click_id":"c1"}"#)),
        event("evt_e2e_2", "invoice.payment_succeeded", days: 30,
              invoice("in_e2e_2", sub: "sub_E2E_A", reason: "subscription_cycle", paid: 4900, basil: true)),
        event("evt_e2e_3", "invoice.paid", days: 1,
              invoice("in_e2e_3", sub: "sub_E2E_B", reason: "subscription_create", paid: 0, basil: true,
                      metadata: #"{"customer_key":"usr_bo","click_id":"c2"}"#)),
        event("evt_e2e_4", "invoice.payment_failed", days: 60,
              invoice("in_e2e_4", sub: "sub_E2E_A", reason: "subscription_cycle", paid: 0, basil: true, status: "open")),
        event("evt_e2e_5", "invoice.paid", days: 15,
              invoice("in_e2e_5", sub: "sub_E2E_B", reason: "subscription_cycle", paid: 1900, basil: true,
                      metadata: #"{"customer_key":"usr_bo"}"#)),
        #"{"id":"evt_e2e_6","object":"event","type":"invoice.paid","data":{"object":{"id":"in_e2e_6","object":"invoice","status":"paid","currency":"usd","amount_paid":"19.00"}}}"#,
        #"{"id":"evt_e2e_7","object":"event","created":\#(epoch(days: 61)),"type":"customer.subscription.deleted","data":{"object":{"id":"sub_E2E_A","object":"subscription","customer":"cus_E2E","status":"canceled","metadata":{}}}}"#,
    ]

    /// A parent order, its subscription, a paid renewal and a pending one.
    static let wooArray = """
    [
      {
        "id": 900,
        "parent_id": 0,
        "status": "processing",
        "currency": "USD",
        "total": "29.00",
        "total_tax": "2.64",
        "customer_id": 42,
        "billing": {"email": "kim@example.com"},
        "date_paid_gmt": "2026-01-05T11:00:00",
        "meta_data": [{"id": 1, "key": "_affdesk_click_id", "value": "c3"}],
        "order_type": "parent_order"
      },
      {
        "id": 901,
        "parent_id": 900,
        "status": "active",
        "customer_id": 42,
        "billing_period": "month",
        "billing_interval": "1",
        "start_date_gmt": "2026-01-05T11:00:02",
        "meta_data": []
      },
      {
        "id": 902, "parent_id": 0, "status": "completed", "currency": "USD", "total": "29.00", "total_tax": "2.64", "customer_id": 42,
        "date_paid_gmt": "2026-02-05T11:00:00", "meta_data": [{"id": 7, "key": "_subscription_renewal", "value": "901"}],
        "order_type": "renewal_order"
      },
      {
        "id": 903, "parent_id": 0, "status": "pending", "currency": "USD", "total": "29.00", "customer_id": 42,
        "date_created_gmt": "2026-03-05T11:00:00", "date_paid_gmt": null,
        "meta_data": [{"id": 8, "key": "_subscription_renewal", "value": "901"}],
        "order_type": "renewal_order"
      }
    ]
    """

    func testStripeAndWooCommerceFromTheCommandLine() throws {
        try affdesk("init", "--model", "saas", "--name", "Adapters", "--db", db)
        try affdesk("program", "set", "--recurring", "on", "--commission", "10%", "--db", db)
        try affdesk("affiliates", "add", "--code", "alice", "--name", "Alice", "--db", db)
        try affdesk("affiliates", "add", "--code", "bob", "--name", "Bob", "--db", db)
        let clicks = dir + "/clicks.jsonl"
        try """
        {"type":"click","click_id":"c1","affiliate":"alice","at":"2026-01-05T09:00:00Z"}
        {"type":"click","click_id":"c2","affiliate":"bob","at":"2026-01-05T09:00:00Z"}
        {"type":"click","click_id":"c3","affiliate":"alice","at":"2026-01-05T09:00:00Z"}

        """.write(toFile: clicks, atomically: true, encoding: .utf8)
        try affdesk("ingest", clicks, "--db", db)

        let stripe = dir + "/stripe.jsonl"
        try (AdapterCLITests.stripeLines.joined(separator: "\n") + "\n").write(toFile: stripe, atomically: true, encoding: .utf8)
        let s = try affdesk("ingest", "--format", "stripe", stripe, "--db", db)
        XCTAssertTrue(s.stdout.hasPrefix("stripe.jsonl: 7 recorded: 5 accepted, 2 rejected; 0 already ingested (unchanged)\n"), s.stdout)
        XCTAssertTrue(s.stdout.contains("  stripe.jsonl:6: data.object.amount_paid: must be an integer amount in the currency's smallest unit"),
                      s.stdout)
        for code in ["unpaid_invoice", "invalid_event", "trial_no_commission", "renewal_first_seen"] {
            XCTAssertTrue(s.stdout.contains("  \(code) "), "\(code) in\n\(s.stdout)")
        }

        let w = try affdesk("ingest", "--format", "woocommerce", "-", "--json", "--db", db, stdin: AdapterCLITests.wooArray)
        let wooSummary = try jsonObject(w)
        XCTAssertEqual(wooSummary["received"] as? Int, 4)
        XCTAssertEqual(wooSummary["accepted"] as? Int, 3)
        XCTAssertEqual(wooSummary["by_reason"] as? [String: Int], ["order_not_paid": 1])

        try checkAdapterCustomers()
        try checkAdapterConversions()
        try checkAdapterEvents()
        try checkTheSameInputAgainChangesNothing(stripe: stripe)
    }

    /// Customers: the Stripe subscription's customer was canceled, the trial paid, the
    /// WooCommerce customer (its WordPress id) paid twice.
    private func checkAdapterCustomers() throws {
        let customers = try jsonArray(try affdesk("customers", "list", "--json", "--db", db))
        let byKey = Dictionary(uniqueKeysWithValues: customers.map { ($0["customer_key"] as? String ?? "?", $0) })
        XCTAssertEqual(Set(byKey.keys), ["usr_ada", "usr_bo", "42"])
        let expected: [(String, String, String, String, Int, Int)] = [
            ("usr_ada", "alice", "ended", "Canceled", 2, 980),
            ("usr_bo", "bob", "active", "Paying", 1, 190),
            ("42", "alice", "active", "Paying", 2, 580),
        ]
        for (key, aff, status, label, conversions, commission) in expected {
            let c = try XCTUnwrap(byKey[key], key)
            XCTAssertEqual(c["affiliate"] as? String, aff, key)
            XCTAssertEqual(c["status"] as? String, status, key)
            XCTAssertEqual(c["status_label"] as? String, label, key)
            XCTAssertEqual(c["conversions"] as? Int, conversions, key)
            XCTAssertEqual(c["commission_minor"] as? Int, commission, key)
        }
    }

    /// Conversions: subscriptions and renewal indexes.
    private func checkAdapterConversions() throws {
        let conversions = try jsonArray(try affdesk("conversions", "list", "--json", "--db", db))
        let byID = Dictionary(uniqueKeysWithValues: conversions.map { ($0["external_id"] as? String ?? "?", $0) })
        let expectedConversions: [(String, String, String, Int, String, Int)] = [
            ("in_e2e_1", "usr_ada", "alice", 4900, "sub_E2E_A", 0),
            ("in_e2e_2", "usr_ada", "alice", 4900, "sub_E2E_A", 1),
            ("in_e2e_5", "usr_bo", "bob", 1900, "sub_E2E_B", 0),
            ("wc-900", "42", "alice", 2900, "wc-sub-901", 0),
            ("wc-902", "42", "alice", 2900, "wc-sub-901", 1),
        ]
        XCTAssertEqual(Set(byID.keys), Set(expectedConversions.map(\.0)))
        for (id, key, aff, amount, sub, index) in expectedConversions {
            let v = try XCTUnwrap(byID[id], id)
            XCTAssertEqual(v["customer_key"] as? String, key, id)
            XCTAssertEqual(v["affiliate"] as? String, aff, id)
            XCTAssertEqual(v["amount_minor"] as? Int, amount, id)
            XCTAssertEqual(v["currency"] as? String, "USD", id)
            XCTAssertEqual(v["subscription_id"] as? String, sub, id)
            XCTAssertEqual(v["renewal_index"] as? Int, index, id)
        }
    }

    /// Events: every payload, with its source, type, outcome and reason; Triage finds a payload
    /// by any identifier in it.
    private func checkAdapterEvents() throws {
        let events = try jsonArray(try affdesk("events", "list", "--json", "--db", db)).reversed().map { $0 }
        XCTAssertEqual(events.count, 3 + 7 + 4)
        let payments = events.dropFirst(3).map { e in
            [e["source"] as? String ?? "-", e["type"] as? String ?? "-", e["outcome"] as? String ?? "-",
             e["reason"] as? String ?? e["note"] as? String ?? "-"]
        }
        XCTAssertEqual(payments, [
            ["stripe", "invoice.paid", "accepted", "-"],
            ["stripe", "invoice.payment_succeeded", "accepted", "-"],
            ["stripe", "invoice.paid", "accepted", "trial_no_commission"],
            ["stripe", "invoice.payment_failed", "rejected", "unpaid_invoice"],
            ["stripe", "invoice.paid", "accepted", "renewal_first_seen"],
            ["stripe", "invoice.paid", "rejected", "invalid_event"],
            ["stripe", "customer.subscription.deleted", "accepted", "-"],
            ["woocommerce", "parent_order", "accepted", "-"],
            ["woocommerce", "subscription", "accepted", "-"],
            ["woocommerce", "renewal_order", "accepted", "-"],
            ["woocommerce", "renewal_order", "rejected", "order_not_paid"],
        ])
        let unpaid = events[6]
        XCTAssertEqual(unpaid["message"] as? String, Reason.unpaidInvoice.sentence)
        XCTAssertEqual(unpaid["hint"] as? String, Reason.unpaidInvoice.hint)
        XCTAssertEqual(events[8]["line"] as? Int, 6)
        XCTAssertEqual(events[8]["field"] as? String, "data.object.amount_paid")
        XCTAssertEqual(events[12]["detail"] as? String, "renewal of subscription wc-sub-901: credited to alice for customer 42; renewal index 1")
        XCTAssertEqual(events[12]["line"] as? Int, 25, "the line its array element starts on")
        XCTAssertEqual(events[13]["file"] as? String, "stdin")

        // Triage finds a payload by any identifier in it.
        let found = try jsonArray(try affdesk("events", "list", "--filter", "sub_E2E_A", "--json", "--db", db))
        XCTAssertEqual(found.count, 4)
        XCTAssertEqual(try jsonArray(try affdesk("events", "list", "--filter", "wc-903", "--json", "--db", db)).map { $0["reason"] as? String },
                       ["order_not_paid"])
    }

    /// The same input again changes nothing.
    private func checkTheSameInputAgainChangesNothing(stripe: String) throws {
        let lists = try ["customers", "conversions", "events"].map { try affdesk($0, "list", "--json", "--db", db).stdout }
        let again = try affdesk("ingest", "--format", "stripe", stripe, "--db", db)
        XCTAssertTrue(again.stdout.hasPrefix("stripe.jsonl: 0 recorded: 0 accepted, 0 rejected; 7 already ingested (unchanged)\n"), again.stdout)
        let wooAgain = try jsonObject(try affdesk("ingest", "--format", "woocommerce", "-", "--json", "--db", db, stdin: AdapterCLITests.wooArray))
        XCTAssertEqual(wooAgain["already_ingested"] as? Int, 4)
        XCTAssertEqual(wooAgain["received"] as? Int, 0)
        XCTAssertEqual(try ["customers", "conversions", "events"].map { try affdesk($0, "list", "--json", "--db", db).stdout }, lists)
    }

    func testAnUnknownFormatIsRefused() throws {
        try affdesk("init", "--db", db)
        let r = try affdeskFailing("ingest", "--format", "paypal", "-", "--db", db, stdin: "{}")
        XCTAssertTrue(r.stderr.contains(#"--format: unknown format "paypal"; expected jsonl, stripe or woocommerce"#), r.stderr)
    }
}
