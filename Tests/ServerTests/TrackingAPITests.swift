import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import HTTPTypes
import NIOCore
import HummingbirdTesting
@testable import Server
import XCTest

/// POST /track/... over real HTTP: the API key (valid, missing, revoked), the route's type, a
/// malformed body (422 naming the field), an oversized one (413), health and metrics.
final class TrackingAPITests: ServeTestCase, @unchecked Sendable {
    var bearer: [(String, String)] { [("Authorization", "Bearer " + apiKey)] }

    /// One body per route, without `type` (the route names it).
    static let bodies: [(route: String, body: String, status: Int, outcome: String?)] = [
        ("click", #"{"click_id":"c1","affiliate":"alice","at":"2024-09-25T00:00:00Z"}"#, 200, "accepted"),
        ("lead", #"{"customer_key":"k1","click_id":"c1","at":"2024-09-25T00:01:00Z"}"#, 200, "accepted"),
        ("sale", #"{"external_id":"o1","amount":"49.00","currency":"USD","customer_key":"k1","at":"2024-09-25T00:02:00Z"}"#, 200, "accepted"),
        // Today's feed has no refund type: answered with its decision (invalid), until the ledger's.
        ("refund", #"{"external_id":"o1","amount":"49.00","currency":"USD","at":"2024-09-25T00:03:00Z"}"#, 422, "rejected"),
        ("cancel", #"{"customer_key":"k1","at":"2024-09-25T00:04:00Z"}"#, 200, "accepted"),
    ]

    func testEachRouteWithAValidAMissingAndARevokedKey() async throws {
        try await serve { client, _ in
            for (route, body, status, outcome) in Self.bodies {
                let before = try self.events
                let missing = try await client.post("/track/" + route, body)
                XCTAssertEqual(missing.status, 401, route)
                XCTAssertEqual(missing.json?["error"]?.string, "missing_api_key")
                let wrong = try await client.post("/track/" + route, body, headers: [("Authorization", "Bearer afk_" + String(repeating: "0", count: 64))])
                XCTAssertEqual(wrong.status, 401, route)
                XCTAssertEqual(try self.events, before, "nothing recorded without a key")
                let r = try await client.post("/track/" + route, body, headers: self.bearer)
                XCTAssertEqual(r.status, status, "\(route): \(r.text)")
                XCTAssertEqual(r.json?["outcome"]?.string, outcome, "\(route): \(r.text)")
                XCTAssertEqual(try self.events, before + 1, route)
            }
            XCTAssertEqual(try self.count("SELECT COUNT(*) FROM click WHERE click_id = 'c1'"), 1)
            XCTAssertEqual(try self.count("SELECT status = 'ended' FROM customer WHERE key = 'k1'"), 1)
            XCTAssertEqual(try self.count("SELECT COUNT(*) FROM conversion WHERE external_id = 'o1'"), 1)
            XCTAssertEqual(try self.count("SELECT COUNT(*) FROM event WHERE type = 'signup' OR type = 'lead'"), 1)
            _ = try self.store.revokeAPIKey("website", who: "test")
            for (route, body, _, _) in Self.bodies {
                let before = try self.events
                let revoked = try await client.post("/track/" + route, body + " ", headers: self.bearer)
                XCTAssertEqual(revoked.status, 401, route)
                XCTAssertEqual(revoked.json?["error"]?.string, "invalid_api_key")
                XCTAssertEqual(try self.events, before)
            }
        }
        XCTAssertEqual(try store.consistencyProblems(), [])
    }

    func testAMalformedBodyIs422NamingTheFieldAndIsRecordedAsInvalid() async throws {
        try await serve { client, _ in
            let noAffiliate = try await client.post("/track/click", #"{"click_id":"c9","at":"2024-09-25T00:00:00Z"}"#, headers: self.bearer)
            XCTAssertEqual(noAffiliate.status, 422, noAffiliate.text)
            XCTAssertEqual(noAffiliate.json?["field"]?.string, "affiliate")
            XCTAssertEqual(noAffiliate.json?["reason"]?.string, "invalid_event")
            XCTAssertNotNil(noAffiliate.json?["hint"]?.string)
            let amount = try await client.post("/track/sale", #"{"external_id":"o9","amount":"lots","at":"2024-09-25T00:00:00Z"}"#, headers: self.bearer)
            XCTAssertEqual(amount.status, 422)
            XCTAssertEqual(amount.json?["field"]?.string, "amount", amount.text)
            let notJSON = try await client.post("/track/lead", "customer_key=k", headers: self.bearer)
            XCTAssertEqual(notJSON.status, 422)
            XCTAssertEqual(try self.count("SELECT COUNT(*) FROM event WHERE outcome = 'rejected' AND reason = 'invalid_event'"), 3)
            // A type the route does not take: refused, recorded nowhere.
            let before = try self.events
            let wrongType = try await client.post("/track/click", #"{"type":"cancel","customer_key":"k","at":"2024-09-25T00:00:00Z"}"#, headers: self.bearer)
            XCTAssertEqual(wrongType.status, 422)
            XCTAssertEqual(wrongType.json?["field"]?.string, "type")
            XCTAssertEqual(try self.events, before)
        }
    }

    func testAnOversizedBodyIs413AndRecordsNothing() async throws {
        let big = #"{"click_id":"c1","affiliate":"alice","at":"2024-09-25T00:00:00Z","pad":""# + String(repeating: "x", count: 1 << 20) + #""}"#
        try await serve(configuration()) { client, _ in
            let before = try self.events
            let r = try await client.post("/track/click", big, headers: self.bearer)
            XCTAssertEqual(r.status, 413, r.text)
            XCTAssertEqual(try self.events, before)
        }
    }

    func testHealthAndMetrics() async throws {
        try await serve { client, _ in
            let h = try await client.executeRequest(uri: "/healthz", method: .get, headers: [:], body: nil)
            XCTAssertEqual(h.status.code, 200)
            _ = try await client.post("/track/click", Self.bodies[0].body, headers: self.bearer)
            let m = try await client.executeRequest(uri: "/metrics", method: .get, headers: [:], body: nil)
            let text = String(buffer: m.body)
            XCTAssertTrue(text.contains(#"affdesk_http_requests_total{route="/track/click",status="200"} 1"#), text)
            XCTAssertTrue(text.contains(#"affdesk_events_total{source="jsonl",outcome="accepted",reason="none"} 1"#), text)
            XCTAssertTrue(text.contains("affdesk_commit_duration_seconds_bucket"), text)
            XCTAssertFalse(text.contains(self.apiKey))
        }
    }

    func testAFullQueueAnswers503WithRetryAfterAndRecordsNothing() async throws {
        try await serve(configuration { $0.commit.maxQueuedEvents = 0 }) { client, _ in
            var fields = HTTPFields()
            fields[.authorization] = "Bearer " + self.apiKey
            let r = try await client.executeRequest(uri: "/track/click", method: .post, headers: fields,
                                                    body: ByteBuffer(string: Self.bodies[0].body))
            XCTAssertEqual(r.status.code, 503)
            XCTAssertEqual(r.headers[.retryAfter], "1")
            XCTAssertEqual(try self.events, 0)
        }
    }
}
