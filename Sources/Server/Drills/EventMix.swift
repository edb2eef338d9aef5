import AttributionCore
import Feeds
import Foundation

/// A deterministic mix of signed requests for load and crash drills: per customer, a click
/// (`/track/click`), a sign-up naming it (`/track/lead`), then a payment by one of three
/// routes in turn — a Stripe `invoice.paid` (signed), a WooCommerce order (signed) or a
/// tracking sale. The same requests read by the feeds give the events for the bulk ingest.
public struct EventMix: Sendable {
    public struct Request: Sendable {
        public var path: String
        public var headers: [(String, String)]
        public var body: String
    }

    public var affiliates: [String]
    public var stripeSecret: String
    public var wooSecret: String
    public var apiKey: String
    /// Unix time of the events (and of the Stripe signatures).
    public var time: Int64
    /// Distinguishes runs that share a database.
    public var runTag: String

    public init(affiliates: [String], stripeSecret: String, wooSecret: String, apiKey: String, time: Int64, runTag: String) {
        self.affiliates = affiliates; self.stripeSecret = stripeSecret; self.wooSecret = wooSecret
        self.apiKey = apiKey; self.time = time; self.runTag = runTag
    }

    public static let requestsPerCustomer = 3

    /// The requests of customer `n`, in the order they must be sent; Stripe's signature made at
    /// `signedAt` (default: now). The bodies depend only on `n`, `time` and `runTag`.
    public func customer(_ n: Int, signedAt: Int64? = nil) -> [Request] {
        let click = "clk-\(runTag)-\(n)", key = "cust-\(runTag)-\(n)", aff = affiliates[n % affiliates.count]
        let at = Instant(seconds: time).iso8601
        let bearer = [("Authorization", "Bearer " + apiKey), ("Content-Type", "application/json")]
        var out = [
            Request(path: "/track/click", headers: bearer,
                    body: #"{"type":"click","click_id":"\#(click)","affiliate":"\#(aff)","at":"\#(at)"}"#),
            Request(path: "/track/lead", headers: bearer,
                    body: #"{"type":"signup","customer_key":"\#(key)","click_id":"\#(click)","at":"\#(at)"}"#),
        ]
        switch n % 3 {
        case 0:
            let body = stripeInvoicePaid(n: n, key: key)
            out.append(Request(path: "/webhooks/stripe", headers: [
                ("Stripe-Signature", StripeSignature.header(body: Array(body.utf8), secrets: [stripeSecret],
                                                                  t: signedAt ?? Int64(Date().timeIntervalSince1970))),
                ("Content-Type", "application/json")], body: body))
        case 1:
            let body = wooOrder(n: n, key: key)
            out.append(Request(path: "/webhooks/woocommerce", headers: [
                ("X-WC-Webhook-Signature", WooCommerceSignature.header(body: Array(body.utf8), secret: wooSecret)),
                ("X-WC-Webhook-Topic", "order.updated"), ("Content-Type", "application/json")], body: body))
        default:
            out.append(Request(path: "/track/sale", headers: bearer,
                               body: #"{"type":"conversion","external_id":"sale-\#(runTag)-\#(n)","amount":"49.00","currency":"USD","customer_key":"\#(key)","at":"\#(at)"}"#))
        }
        return out
    }

    func stripeInvoicePaid(n: Int, key: String) -> String {
        """
        {"id":"evt_\(runTag)_\(n)","object":"event","api_version":"2025-03-31.basil","created":\(time),"type":"invoice.paid",\
        "data":{"object":{"id":"in_\(runTag)_\(n)","object":"invoice","amount_paid":4900,"currency":"usd","status":"paid",\
        "billing_reason":"subscription_create","created":\(time),"customer":"cus_\(runTag)_\(n)",\
        "parent":{"type":"subscription_details","subscription_details":{"subscription":"sub_\(runTag)_\(n)","metadata":{"customer_key":"\(key)"}}},\
        "status_transitions":{"paid_at":\(time)}}}}
        """
    }

    func wooOrder(n: Int, key: String) -> String {
        let date = String(Instant(seconds: time).iso8601.dropLast())   // WooCommerce's `date_paid_gmt` has no zone
        return """
        {"id":\(900_000_000 + n),"status":"processing","currency":"USD","total":"49.00","total_tax":"0.00","customer_id":0,\
        "billing":{"email":"\(key)@example.com"},"date_paid_gmt":"\(date)","date_created_gmt":"\(date)",\
        "meta_data":[{"key":"_affdesk_customer_key","value":"\(key)"},{"key":"_affdesk_run","value":"\(runTag)"}]}
        """
    }

    /// The inbox event the server makes of a request (same feeds, default settings): for the
    /// bulk ingest and for checking what the database holds.
    public static func inbound(_ r: Request, currency: Currency = .usd) -> InboundEvent? {
        switch r.path {
        case "/webhooks/stripe": return StripeFeed(file: "POST " + r.path).read(record: r.body, line: 1)
        case "/webhooks/woocommerce": return WooCommerceFeed(defaultCurrency: currency, file: "POST " + r.path).read(record: r.body, line: 1)
        default: return TrackingFeed(defaultCurrency: currency, file: "POST " + r.path).read(line: r.body, number: 1)
        }
    }
}
