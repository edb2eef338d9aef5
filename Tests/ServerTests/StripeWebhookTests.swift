import AttributionCore
@testable import AttributionStore
import Feeds
import Foundation
import HummingbirdTesting
@testable import Server
import XCTest

/// POST /webhooks/stripe over real HTTP: signed events of both API generations are recorded
/// once; a tampered body, a stale timestamp, a missing or foreign signature are refused with
/// 400 and recorded nowhere; secrets roll.
final class StripeWebhookTests: ServeTestCase, @unchecked Sendable {
    func testSignedEventsOfBothAPIGenerationsAreRecordedOnceAndAnsweredAfterTheCommit() async throws {
        try ingestLines([#"{"type":"click","click_id":"c-b","affiliate":"alice","at":"2024-09-25T00:00:00Z"}"#,
                         #"{"type":"click","click_id":"c-a","affiliate":"alice","at":"2024-09-25T00:00:00Z"}"#])
        let basil = StripeEvents.basil(event: "evt_b1", invoice: "in_b1", amount: 4900, key: "cust-b", click: "c-b")
        let acacia = StripeEvents.acacia(event: "evt_a1", invoice: "in_a1", amount: 2900, key: "cust-a", click: "c-a")
        try await serve { client, _ in
            for (body, invoice) in [(basil, "in_b1"), (acacia, "in_a1")] {
                let r = try await client.post("/webhooks/stripe", body, headers: StripeEvents.headers(body))
                XCTAssertEqual(r.status, 200, r.text)
                XCTAssertEqual(r.json?["outcome"]?.string, "accepted", r.text)
                XCTAssertEqual(r.json?["repeated"]?.bool, false)
                // The 2xx came after the commit: the conversion is there now.
                XCTAssertEqual(try self.count("SELECT COUNT(*) FROM conversion WHERE external_id = ?", [invoice]), 1)
            }
            XCTAssertEqual(try self.count("SELECT amount_minor FROM conversion WHERE external_id = 'in_b1'"), 4900)
            XCTAssertEqual(try self.count("SELECT COUNT(*) FROM event WHERE source = 'stripe' AND outcome = 'accepted'"), 2)
            // Stripe delivers again: same decision, nothing changes.
            let again = try await client.post("/webhooks/stripe", basil, headers: StripeEvents.headers(basil))
            XCTAssertEqual(again.status, 200)
            XCTAssertEqual(again.json?["repeated"]?.bool, true, again.text)
            XCTAssertEqual(again.json?["outcome"]?.string, "accepted")
            XCTAssertEqual(try self.conversions, 2)
            XCTAssertEqual(try self.count("SELECT COUNT(*) FROM event WHERE source = 'stripe'"), 2)
        }
        XCTAssertEqual(try store.consistencyProblems(), [])
    }

    func testTamperedStaleUnsignedAndForeignRequestsAre400AndRecordNothing() async throws {
        let body = StripeEvents.basil(event: "evt_t1", invoice: "in_t1", amount: 4900, key: "cust-t")
        let tampered = body.replacingOccurrences(of: "4900", with: "9900")
        let before = try events
        try await serve { client, server in
            let cases: [(String, [(String, String)], String)] = [
                (tampered, StripeEvents.headers(body), "signature_mismatch"),
                (body, StripeEvents.headers(body, t: signingTime + 10 - 301), "timestamp_outside_tolerance"),
                (body, StripeEvents.headers(body, t: signingTime + 10 + 301), "timestamp_outside_tolerance"),
                (body, [], "missing_signature"),
                (body, [("Stripe-Signature", "v1=abc")], "malformed_signature_header"),
                (body, StripeEvents.headers(body, secrets: ["whsec_someone_elses"]), "signature_mismatch"),
            ]
            for (b, h, reason) in cases {
                let r = try await client.post("/webhooks/stripe", b, headers: h)
                XCTAssertEqual(r.status, 400, r.text)
                XCTAssertEqual(r.json?["error"]?.string, reason, r.text)
                XCTAssertEqual(try self.events, before, "nothing recorded for \(reason)")
            }
            let metrics = server.metrics.text()
            XCTAssertTrue(metrics.contains(#"affdesk_signature_failures_total{source="stripe",reason="signature_mismatch"} 2"#), metrics)
            XCTAssertTrue(metrics.contains(#"route="/webhooks/stripe",status="400""#), metrics)
            // Within the tolerance, the same body is taken.
            let ok = try await client.post("/webhooks/stripe", body, headers: StripeEvents.headers(body, t: signingTime + 10 - 299))
            XCTAssertEqual(ok.status, 200, ok.text)
        }
        XCTAssertEqual(try events, before + 1)
    }

    func testASecretIsRolledWithBothActiveThenTheOldOneRemoved() async throws {
        let new = "whsec_test_rolled_secret"
        let e1 = StripeEvents.basil(event: "evt_r1", invoice: "in_r1", amount: 100, key: "k1")
        let e2 = StripeEvents.basil(event: "evt_r2", invoice: "in_r2", amount: 100, key: "k2")
        let e3 = StripeEvents.basil(event: "evt_r3", invoice: "in_r3", amount: 100, key: "k3")
        let e4 = StripeEvents.basil(event: "evt_r4", invoice: "in_r4", amount: 100, key: "k4")
        try await serve { client, _ in
            let early = try await client.post("/webhooks/stripe", e1, headers: StripeEvents.headers(e1, secrets: [new]))
            XCTAssertEqual(early.status, 400, "the new secret is not known yet")
            let added = try self.addSecret("stripe", new)
            // While rolling, Stripe signs with both: one v1 per secret.
            let both = try await client.post("/webhooks/stripe", e2, headers: StripeEvents.headers(e2, secrets: [new, Self.stripeSecret]))
            XCTAssertEqual(both.status, 200, both.text)
            let old = try await client.post("/webhooks/stripe", e3, headers: StripeEvents.headers(e3))
            XCTAssertEqual(old.status, 200, "the old secret still works until removed")
            let oldID = try self.store.webhookSecrets().first { $0.source == "stripe" && $0.id != added.id }!.id
            try self.store.removeWebhookSecret(id: oldID, who: "test")
            let stale = try await client.post("/webhooks/stripe", e4, headers: StripeEvents.headers(e4))
            XCTAssertEqual(stale.status, 400)
            let fresh = try await client.post("/webhooks/stripe", e4, headers: StripeEvents.headers(e4, secrets: [new]))
            XCTAssertEqual(fresh.status, 200)
        }
        XCTAssertEqual(try count("SELECT COUNT(*) FROM event WHERE source = 'stripe'"), 3)
        // The audit log names secrets by fingerprint, never in clear.
        let audit = try count("SELECT COUNT(*) FROM audit WHERE action LIKE 'webhook-secret.%' AND (COALESCE(after,'') || COALESCE(before,'') || COALESCE(detail,'')) LIKE ?", ["%whsec_%"])
        XCTAssertEqual(audit, 0)
        XCTAssertEqual(try count("SELECT COUNT(*) FROM audit WHERE action = 'webhook-secret.add'"), 3)
    }

    func testSecretsFromTheEnvironmentAreAcceptedBesideTheDatabases() async throws {
        let file = dir + "/stripe.secret"
        try "whsec_from_a_file\n".write(toFile: file, atomically: true, encoding: .utf8)
        let extra = try SecretSources.load(environment: ["AFFDESK_STRIPE_WEBHOOK_SECRET": "whsec_from_env_1,whsec_from_env_2",
                                                         "AFFDESK_STRIPE_WEBHOOK_SECRET_FILE": file])
        XCTAssertEqual(extra[.stripe], ["whsec_from_env_1", "whsec_from_env_2", "whsec_from_a_file"])
        XCTAssertThrowsError(try SecretSources.load(environment: ["AFFDESK_STRIPE_WEBHOOK_SECRET": "not-a-stripe-secret"])) {
            XCTAssertFalse("\($0)".contains("not-a-stripe-secret"), "the error must not repeat the secret")
        }
        let e = StripeEvents.acacia(event: "evt_env", invoice: "in_env", amount: 100, key: "kenv")
        try await serve(configuration { $0.extraSecrets = extra }) { client, _ in
            let r = try await client.post("/webhooks/stripe", e, headers: StripeEvents.headers(e, secrets: ["whsec_from_a_file"]))
            XCTAssertEqual(r.status, 200, r.text)
        }
    }
}
