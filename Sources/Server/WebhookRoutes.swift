import AttributionCore
import AttributionStore
import Feeds
import HTTPTypes
import Hummingbird
import Logging

/// `POST /webhooks/stripe` and `POST /webhooks/woocommerce`: the signature first (a bad one is
/// answered 400 and recorded nowhere), then the same feed as `ingest --format stripe` /
/// `woocommerce`, then the group commit; 200 with the decision once committed.
extension AffdeskServer {
    static let stripeSignature = HTTPField.Name("Stripe-Signature")!
    static let wooSignature = HTTPField.Name("X-WC-Webhook-Signature")!

    func stripeWebhook(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let body: [UInt8]
        switch await readBody(request) { case .body(let b): body = b; case .answer(let r): return r }
        let secrets = try webhookSecrets(.stripe)
        if let f = StripeSignature.verify(header: request.headers[Self.stripeSignature], body: body, secrets: secrets,
                                          now: configuration.now(), tolerance: configuration.stripeTolerance) {
            return signatureRefused(source: "stripe", f, context)
        }
        guard let event = try feeds.stripe().read(record: String(decoding: body, as: UTF8.self), line: 1) else {
            return Reply.error(.badRequest, "empty_body", "The body is empty: a Stripe event was expected.")
        }
        return await record(event, status: { _ in .ok })
    }

    func wooCommerceWebhook(_ request: Request, _ context: some RequestContext) async throws -> Response {
        let body: [UInt8]
        switch await readBody(request) { case .body(let b): body = b; case .answer(let r): return r }
        if WooCommerceSignature.isPing(body) {
            return Reply.obj([("ok", .bool(true)), ("message", .str("WooCommerce webhook ping received"))]).response(.ok)
        }
        let secrets = try webhookSecrets(.woocommerce)
        if let f = WooCommerceSignature.verify(header: request.headers[Self.wooSignature], body: body, secrets: secrets) {
            return signatureRefused(source: "woocommerce", f, context)
        }
        guard let event = try feeds.woocommerce().read(record: String(decoding: body, as: UTF8.self), line: 1) else {
            return Reply.error(.badRequest, "empty_body", "The body is empty: a WooCommerce order or subscription was expected.")
        }
        return await record(event, status: { _ in .ok })
    }

    /// The active secrets of a source: the database's, then the environment's.
    func webhookSecrets(_ source: ServeCredentials.Source) throws -> [String] {
        try store.activeWebhookSecrets(source: source) + (configuration.extraSecrets[source] ?? [])
    }

    func signatureRefused(source: String, _ f: SignatureFailure, _ context: some RequestContext) -> Response {
        metrics.signatureFailure(source: source, f)
        context.logger.warning("webhook refused", metadata: ["source": .string(source), "reason": .string(f.rawValue)])
        if f == .noSecret {
            return Reply.error(.serviceUnavailable, f.rawValue,
                               "No \(source) webhook secret is configured: add one with `affdesk webhook-secrets add --source \(source)`.",
                               headers: [.retryAfter: "60"])
        }
        return Reply.error(.badRequest, f.rawValue, SignatureMessages.sentence(f))
    }
}

enum SignatureMessages {
    static func sentence(_ f: SignatureFailure) -> String {
        switch f {
        case .missingHeader: return "The signature header is missing."
        case .malformedHeader: return "The signature header is not in the expected form."
        case .staleTimestamp: return "The signature's timestamp is too far from now (replayed or the clock is off)."
        case .mismatch: return "No signature matches the body under the configured secrets."
        case .noSecret: return "No secret is configured."
        }
    }
}
