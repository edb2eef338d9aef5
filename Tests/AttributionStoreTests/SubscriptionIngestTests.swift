import AttributionCore
@testable import AttributionStore
import Feeds
import GRDB
import XCTest

/// Stripe and WooCommerce payloads through the feeds into the store: subscription ids and renewal
/// indexes on conversions, links from a subscription to its parent, references for triage, and
/// idempotency on the event id and on the invoice / order id.
final class SubscriptionIngestTests: StoreTestCase {
    let day: Int64 = 86_400

    func stripeEvent(_ id: String, type: String = "invoice.paid", at: Instant, invoice: String) -> String {
        #"{"id":"\#(id)","object":"event","created":\#(at.seconds),"type":"\#(type)","data":{"object":\#(invoice)}}"#
    }

    /// An invoice, in the older shape (`subscription` at the top) or the basil one.
    func invoice(_ id: String, sub: String, reason: String, paid: Int64 = 4900, tax: Int64 = 0, basil: Bool,
                 metadata: String = "{}", status: String = "paid") -> String {
        let place = basil ? #""parent":{"subscription_details":{"subscription":"\#(sub)","metadata":\#(metadata)}}"#
                          : #""subscription":"\#(sub)","subscription_details":{"metadata":\#(metadata)}"#
        let taxes = basil ? #""total_taxes":[{"amount":\#(tax)}]"# : #""tax":\#(tax)"#
        return #"{"id":"\#(id)","object":"invoice","amount_paid":\#(paid),"currency":"usd","status":"\#(status)","billing_reason":"\#(reason)","customer":"cus_1",\#(place),\#(taxes)}"#
    }

    @discardableResult
    func stripe(_ store: Store, _ records: [String], feed: StripeFeed = StripeFeed(file: "stripe.json")) throws -> IngestSummary {
        try store.ingest(records.enumerated().compactMap { feed.read(record: $0.element, line: $0.offset + 1) })
    }

    @discardableResult
    func woo(_ store: Store, _ records: [String], feed: WooCommerceFeed? = nil) throws -> IngestSummary {
        let f = feed ?? WooCommerceFeed(file: "woo.json")
        return try store.ingest(records.enumerated().compactMap { f.read(record: $0.element, line: $0.offset + 1) })
    }

    func testSchemaHasTheSubscriptionColumns() throws {
        let s = try store()
        let columns = try s.read { db in try db.columns(in: "conversion").map(\.name) }
        XCTAssertTrue(columns.contains("subscription_id") && columns.contains("renewal_index"), "\(columns)")
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
        XCTAssertEqual(Schema.version, 21)
        let plan = try s.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM conversion WHERE subscription_id = ? AND affiliate_id = ?",
                             arguments: ["sub", 1]).map { $0["detail"] as String? ?? "" }
        }
        XCTAssertTrue(plan.joined().contains("conversion_subscription"), "\(plan)")
    }

    func testAVersion2DatabaseIsMigrated() throws {
        let path = try oldDatabase(upTo: "v2-ssh-keys", """
            INSERT INTO affiliate (id, code, name, created_at) VALUES (1, 'alice', 'Alice', 0);
            INSERT INTO conversion (external_id, affiliate_id, amount_minor, currency, commission_minor, commission_currency, at)
            VALUES ('o1', 1, 100, 'USD', 10, 'USD', 0);
            PRAGMA user_version = 2;
            """)
        let s = try Store(path: path, clock: FixedClock(now))
        let row = try s.read { db in try Row.fetchOne(db, sql: "SELECT subscription_id, renewal_index FROM conversion") }
        XCTAssertEqual(row?["subscription_id"] as String?, nil)
        XCTAssertEqual(row?["renewal_index"] as Int?, nil)
        XCTAssertEqual(try s.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }, Schema.version)
    }

    func testStripeBothShapesRenewalsTrialsUnpaidAndCancel() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice"), Line.click("c2", "bob")])
        let key = #"{"customer_key":"usr_ada","click_id":"c1"}"#
        let summary = try stripe(s, [
            stripeEvent("evt_1", at: t0.adding(seconds: 60), invoice: invoice("in_1", sub: "sub_A", reason: "subscription_create",
                                                                               basil: false, metadata: key)),
            stripeEvent("evt_2", type: "invoice.payment_succeeded", at: t0.adding(seconds: 30 * day),
                        invoice: invoice("in_2", sub: "sub_A", reason: "subscription_cycle", basil: true, metadata: #"{"customer_key":"usr_ada"}"#)),
            // The same payment told twice (invoice.paid and invoice.payment_succeeded): paid once.
            stripeEvent("evt_2b", at: t0.adding(seconds: 30 * day),
                        invoice: invoice("in_2", sub: "sub_A", reason: "subscription_cycle", basil: true)),
            stripeEvent("evt_3", type: "invoice.payment_failed", at: t0.adding(seconds: 60 * day),
                        invoice: invoice("in_3", sub: "sub_A", reason: "subscription_cycle", paid: 0, basil: true, status: "open")),
            // A renewal naming only its subscription.
            stripeEvent("evt_4", at: t0.adding(seconds: 61 * day), invoice: invoice("in_3", sub: "sub_A", reason: "subscription_cycle", basil: true)),
            // A free trial for another customer, then its first paid invoice.
            stripeEvent("evt_5", at: t0.adding(seconds: 120), invoice: invoice("in_t", sub: "sub_B", reason: "subscription_create", paid: 0,
                                                                                basil: true, metadata: #"{"customer_key":"usr_bo","click_id":"c2"}"#)),
            stripeEvent("evt_6", at: t0.adding(seconds: 14 * day), invoice: invoice("in_b1", sub: "sub_B", reason: "subscription_cycle",
                                                                                     basil: true, metadata: #"{"customer_key":"usr_bo"}"#)),
            // A renewal of a subscription nobody knows.
            stripeEvent("evt_7", at: t0.adding(seconds: 15 * day), invoice: invoice("in_x", sub: "sub_X", reason: "subscription_cycle", basil: false)),
            #"{"id":"evt_8","object":"event","created":\#(t0.adding(seconds: 90 * day).seconds),"type":"customer.subscription.deleted","data":{"object":{"id":"sub_A","object":"subscription","customer":"cus_1","metadata":{}}}}"#,
            #"{"id":"evt_9","object":"event","created":1,"type":"customer.created","data":{"object":{"id":"cus_2","object":"customer"}}}"#,
            // A renewal after the cancel.
            stripeEvent("evt_10", at: t0.adding(seconds: 91 * day), invoice: invoice("in_4", sub: "sub_A", reason: "subscription_cycle", basil: true)),
        ])
        XCTAssertEqual(summary.received, 11)
        XCTAssertEqual(summary.byReason, ["duplicate_external_id": 1, "unpaid_invoice": 1, "trial_no_commission": 1, "renewal_first_seen": 1,
                                          "unknown_subscription": 1, "ignored_event_type": 1, "customer_ended": 1])
        XCTAssertEqual(summary.accepted, 6)

        let convs = try allConversions(s)
        XCTAssertEqual(convs.map(\.externalID), ["in_1", "in_2", "in_3", "in_b1"])
        XCTAssertEqual(convs.map(\.subscriptionID), ["sub_A", "sub_A", "sub_A", "sub_B"])
        XCTAssertEqual(convs.map(\.renewalIndex), [0, 1, 2, 0])
        XCTAssertEqual(convs.map(\.affiliateCode), ["alice", "alice", "alice", "bob"])
        XCTAssertEqual(convs.map(\.customerKey), ["usr_ada", "usr_ada", "usr_ada", "usr_bo"])
        XCTAssertEqual(convs.map(\.commission.minor), [490, 490, 490, 490])
        XCTAssertEqual(try customer(s, "usr_ada").status, .ended)
        XCTAssertEqual(try customer(s, "usr_bo").status, .active)
        XCTAssertEqual(try customer(s, "usr_bo").conversions, 1)

        // Triage finds the events by any identifier they carry.
        XCTAssertEqual(try allEvents(s, EventQuery(filter: "in_3")).map(\.type), ["invoice.payment_failed", "invoice.paid"])
        XCTAssertEqual(try allEvents(s, EventQuery(filter: "sub_X")).map(\.reasonCode), ["unknown_subscription"])
        XCTAssertEqual(try allEvents(s, EventQuery(filter: "evt_8")).map(\.detail), ["Paying -> Canceled"])
        XCTAssertEqual(try allEvents(s, EventQuery(filter: "cus_1")).count, 10)
        let renewal = try XCTUnwrap(try allEvents(s, EventQuery(filter: "evt_4")).first)
        XCTAssertEqual(renewal.detail, "renewal of subscription sub_A: credited to alice for customer usr_ada; renewal index 2")
        XCTAssertNil(renewal.customerKey, "the payload named no customer")
        XCTAssertEqual(renewal.customerID, try customer(s, "usr_ada").id)
        try assertConsistent(s)

        // Idempotent: the same events again change nothing.
        let before = try snapshot(s)
        let again = try stripe(s, [
            stripeEvent("evt_1", at: t0.adding(seconds: 60), invoice: invoice("in_1", sub: "sub_A", reason: "subscription_create",
                                                                               basil: false, metadata: key)),
        ])
        XCTAssertEqual(again.alreadyIngested, 1)
        XCTAssertEqual(try snapshot(s), before)
    }

    func testStripeTaxExcludedAndMetadataKeyFromTheSettings() throws {
        let s = try store()
        try s.updateSettings(try s.settings(), adapters: AdapterSettings(metadataKey: "affitor_customer_key", taxExcluded: true), who: "t")
        let a = try s.adapterSettings()
        try ingest(s, [Line.click("c1", "alice")])
        try stripe(s, [stripeEvent("evt_1", at: t0.adding(seconds: 60), invoice: invoice(
            "in_1", sub: "sub_A", reason: "subscription_create", paid: 4000, tax: 522, basil: false,
            metadata: #"{"affitor_customer_key":"usr_v","click_id":"c1"}"#))],
                   feed: StripeFeed(metadataKey: a.metadataKey, taxExcluded: a.taxExcluded))
        let v = try XCTUnwrap(try s.conversion(externalID: "in_1"))
        XCTAssertEqual(v.amount.minor, 4000)
        XCTAssertEqual(v.commission.minor, 348, "10 % of 40.00 - 5.22")
        XCTAssertEqual(v.customerKey, "usr_v")
    }

    func testWooCommerceWebhooksOneByOne() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "bob")])
        // Each webhook is its own ingest (a new feed each time): the store keeps the links.
        let parent = #"{"id":1274,"parent_id":0,"status":"processing","currency":"USD","total":"26.09","total_tax":"2.37","customer_id":3,"date_paid_gmt":"2026-01-05T10:05:00","meta_data":[{"key":"_affdesk_click_id","value":"c1"}],"order_type":"parent_order"}"#
        let subscription = #"{"id":1275,"parent_id":1274,"status":"active","customer_id":3,"billing_period":"week","billing_interval":"1","start_date_gmt":"2026-01-05T10:05:01","date_modified_gmt":"2026-02-01T00:00:00"}"#
        func renewal(_ id: Int, _ status: String, days: Int64) -> String {
            #"{"id":\#(id),"parent_id":0,"status":"\#(status)","currency":"USD","total":"22.00","total_tax":"2.00","customer_id":3,"date_created_gmt":"\#(t0.adding(seconds: days * day).iso8601.dropLast())","meta_data":[{"key":"_subscription_renewal","value":"1275"}],"order_type":"renewal_order"}"#
        }
        XCTAssertEqual(try woo(s, [parent]).accepted, 1)
        let link = try woo(s, [subscription])
        XCTAssertEqual(link.accepted, 1)
        XCTAssertEqual(try s.conversion(externalID: "wc-1274")?.subscriptionID, "wc-sub-1275")
        XCTAssertEqual(try s.conversion(externalID: "wc-1274")?.renewalIndex, 0)
        XCTAssertEqual(try woo(s, [renewal(1276, "pending", days: 7)]).byReason, ["order_not_paid": 1])
        XCTAssertEqual(try woo(s, [renewal(1276, "completed", days: 7)]).accepted, 1)
        XCTAssertEqual(try woo(s, [renewal(1277, "completed", days: 14)]).accepted, 1)
        let convs = try allConversions(s)
        XCTAssertEqual(convs.map(\.externalID), ["wc-1274", "wc-1276", "wc-1277"])
        XCTAssertEqual(convs.map(\.renewalIndex), [0, 1, 2])
        XCTAssertEqual(convs.map(\.affiliateCode), ["bob", "bob", "bob"])
        XCTAssertEqual(convs.map(\.customerKey), ["3", "3", "3"])
        XCTAssertEqual(try allEvents(s, EventQuery(filter: "1276")).map(\.outcome), [.rejected, .accepted])
        XCTAssertEqual(try allEvents(s, EventQuery(filter: "wc-sub-1275")).count, 4)
        // The subscription again (an update webhook): already on record.
        let update = subscription.replacingOccurrences(of: "\"active\"", with: "\"on-hold\"")
        XCTAssertEqual(try woo(s, [update]).accepted, 1)
        // A cancelled subscription cancels the customer.
        let cancelled = subscription.replacingOccurrences(of: "\"active\"", with: "\"cancelled\"")
        XCTAssertEqual(try woo(s, [cancelled]).accepted, 1)
        XCTAssertEqual(try customer(s, "3").status, .ended)
        try assertConsistent(s)
    }

    func testWooCommerceRenewalWithItsParentInTheSameFeed() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice")])
        // The subscription comes first, the parent is read after it, then the renewal: one file.
        let summary = try woo(s, [
            #"{"id":20,"parent_id":19,"status":"active","billing_period":"month","start_date_gmt":"2026-01-05T10:00:00"}"#,
            #"{"id":19,"status":"completed","currency":"USD","total":"10.00","date_paid_gmt":"2026-01-05T10:00:00","meta_data":[{"key":"_affdesk_click_id","value":"c1"}]}"#,
            #"{"id":21,"status":"completed","currency":"USD","total":"10.00","date_paid_gmt":"2026-02-05T10:00:00","meta_data":[{"key":"_subscription_renewal","value":"20"}],"order_type":"renewal_order"}"#,
        ])
        XCTAssertEqual(summary.byReason, ["unknown_parent_order": 1])
        XCTAssertEqual(try allConversions(s).map(\.subscriptionID), ["wc-sub-20", "wc-sub-20"])
        XCTAssertEqual(try allConversions(s).map(\.renewalIndex), [0, 1])
        XCTAssertEqual(try allConversions(s).map(\.customerKey), [nil, nil], "no customer key: one-offs by click, then by subscription")
        try assertConsistent(s)
    }

    func testDryRunAndReparseOfAStoredRenewal() throws {
        let s = try store()
        try ingest(s, [Line.click("c1", "alice")])
        try stripe(s, [stripeEvent("evt_1", at: t0.adding(seconds: 60), invoice: invoice(
            "in_1", sub: "sub_A", reason: "subscription_create", basil: true, metadata: #"{"customer_key":"u","click_id":"c1"}"#))])
        let raw = stripeEvent("evt_2", at: t0.adding(seconds: 30 * day), invoice: invoice("in_2", sub: "sub_A", reason: "subscription_cycle", basil: true))
        let ev = try XCTUnwrap(Reparse.event(source: "stripe", raw: raw, defaultCurrency: .usd))
        let d = try s.dryRun(ev)
        XCTAssertTrue(d.isAccepted)
        XCTAssertEqual(d.conversion?.renewalIndex, 1)
        XCTAssertEqual(d.conversion?.subscriptionID, "sub_A")
        XCTAssertEqual(try allConversions(s).count, 1, "a dry run writes nothing")
    }
}
