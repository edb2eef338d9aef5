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
        let header = request.headers[Self.stripeSignature], now = configuration.now(), tolerance = configuration.stripeTolerance
        if let f = try verified(.stripe, { StripeSignature.verify(header: header, body: body, secrets: $0, now: now, tolerance: tolerance) }) {
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
        let header = request.headers[Self.wooSignature]
        if let f = try verified(.woocommerce, { WooCommerceSignature.verify(header: header, body: body, secrets: $0) }) {
            return signatureRefused(source: "woocommerce", f, context)
        }
        guard let event = try feeds.woocommerce().read(record: String(decoding: body, as: UTF8.self), line: 1) else {
            return Reply.error(.badRequest, "empty_body", "The body is empty: a WooCommerce order or subscription was expected.")
        }
        return await record(event, status: { _ in .ok })
    }

    /// nil when `check` accepts the signature under the source's active secrets (the database's,
    /// then the environment's); else why not. A signature no cached secret matches is checked
    /// once more against the database's secrets as they are now (a secret just added).
    func verified(_ source: ServeCredentials.Source, _ check: ([String]) -> SignatureFailure?) throws -> SignatureFailure? {
        let extra = configuration.extraSecrets[source] ?? []
        guard let f = check(try credentials.secrets(source) + extra) else { return nil }
        guard f == .mismatch || f == .noSecret else { return f }
        return check(try credentials.secrets(source, retry: true) + extra)
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
