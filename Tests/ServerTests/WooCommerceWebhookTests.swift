import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import HummingbirdTesting
@testable import Server
import XCTest

/// POST /webhooks/woocommerce over real HTTP: the creation ping, a signed order, a bad signature.
final class WooCommerceWebhookTests: ServeTestCase, @unchecked Sendable {
    /// A parent order shaped like WooCommerce Subscriptions' (shared fixture wcs_order_1274).
    static let order = """
    {"id":1274,"parent_id":0,"status":"processing","currency":"USD","total":"26.09","total_tax":"2.37","customer_id":1,\
    "order_type":"parent_order","date_created_gmt":"2021-04-19T07:20:56","date_paid_gmt":"2021-04-19T07:21:00",\
    "billing":{"email":"buyer@example.com"},\
    "meta_data":[{"id":52020,"key":"is_vat_exempt","value":"no"},{"id":1,"key":"_affdesk_click_id","value":"wc-click-1"}]}
    """

    func headers(_ body: String, secret: String = ServeTestCase.wooSecret) -> [(String, String)] {
        [("X-WC-Webhook-Signature", WooCommerceSignature.header(body: Array(body.utf8), secret: secret)),
         ("X-WC-Webhook-Topic", "order.updated"), ("Content-Type", "application/json")]
    }

    func testThePingIsAnswered200AndRecordsNothing() async throws {
        let before = try events
        try await serve { client, _ in
            let r = try await client.post("/webhooks/woocommerce", "webhook_id=17",
                                          headers: [("Content-Type", "application/x-www-form-urlencoded")])
            XCTAssertEqual(r.status, 200, r.text)
            XCTAssertEqual(try self.events, before)
        }
    }

    func testASignedOrderIsCreditedOnceAndABadSignatureIs400() async throws {
        try ingestLines([#"{"type":"click","click_id":"wc-click-1","affiliate":"alice","at":"2021-04-19T07:00:00Z"}"#])
        let before = try events
        try await serve { client, _ in
            let bad = try await client.post("/webhooks/woocommerce", Self.order, headers: self.headers(Self.order, secret: "wrong_secret"))
            XCTAssertEqual(bad.status, 400, bad.text)
            XCTAssertEqual(bad.json?["error"]?.string, "signature_mismatch")
            let unsigned = try await client.post("/webhooks/woocommerce", Self.order)
            XCTAssertEqual(unsigned.status, 400)
            XCTAssertEqual(unsigned.json?["error"]?.string, "missing_signature")
            XCTAssertEqual(try self.events, before)
            let r = try await client.post("/webhooks/woocommerce", Self.order, headers: self.headers(Self.order))
            XCTAssertEqual(r.status, 200, r.text)
            XCTAssertEqual(r.json?["outcome"]?.string, "accepted", r.text)
            XCTAssertEqual(try self.count("SELECT amount_minor FROM conversion WHERE external_id = 'wc-1274'"), 2609)
            let again = try await client.post("/webhooks/woocommerce", Self.order, headers: self.headers(Self.order))
            XCTAssertEqual(again.json?["repeated"]?.bool, true)
            XCTAssertEqual(try self.conversions, 1)
        }
        XCTAssertEqual(try events, before + 1)
        XCTAssertEqual(try store.consistencyProblems(), [])
    }
}
