import AttributionCore
import Feeds
import Foundation

/// Stripe and WooCommerce webhook events for the huge program's customers (issue 11: a
/// payment-fed program, so that `event_ref` holds millions of Stripe and WooCommerce ids).
///
/// One customer in `every` (keys `cus_0000001`… as `HugeLives` names them) pays through a
/// feed: one payer in `wooEvery` through WooCommerce, the others through Stripe. Each payer has a
/// monthly subscription over the `months` before the demo's "now", starting in one of the first
/// three, and its events in the shapes Stripe and WooCommerce send:
/// - Stripe: `invoice.paid` (`subscription_create`, then `subscription_cycle`; the customer key in
///   the subscription's metadata, basil and acacia shapes in turn) with its charge, payment
///   intent, Stripe customer, subscription and invoice number; sometimes a failed attempt first
///   (`invoice.payment_failed`), the same payment again as `invoice.payment_succeeded`, a partial
///   refund (`charge.refunded` with its `re_`), a dispute (`charge.dispute.created`, `dp_`), and
///   an end (`customer.subscription.deleted`).
/// - WooCommerce: the parent order (its `transaction_id` a Stripe charge, as the Stripe gateway
///   writes it), the subscription linking it, renewal orders, sometimes one `pending` first, and
///   a `cancelled` subscription at the end.
///
/// Ids look like a real account's (`in_1…`, `ch_3…`, `pi_3…`, `cus_…`, `sub_1…`, `evt_1…`,
/// `re_3…`, `dp_1…`, 24 base-62 characters after the prefix) and depend only on the seed, the
/// payer and the month: the same arguments always give the same lines, each feed in time order
/// payer by payer within a month.
public struct PaymentEvents: Sendable {
    public var seed: UInt64
    public var customers: Int
    public var every: Int
    public var months: Int
    public var wooEvery: Int
    /// Stripe refunds and disputes too (the ledger's events).
    public var ledger: Bool

    public init(seed: UInt64 = 1, customers: Int = HugeProgram.defaultCustomers, every: Int = 10, months: Int = 6, wooEvery: Int = 5,
                ledger: Bool = true) {
        self.seed = seed; self.customers = customers; self.every = max(1, every); self.months = max(1, months); self.wooEvery = max(1, wooEvery)
        self.ledger = ledger
    }

    public enum Feed: Sendable { case stripe, woocommerce }

    var payers: Int { customers / every }
    static let month: Int64 = 30 * 86_400
    var start: Int64 { DemoProgram.now.seconds - Int64(months) * PaymentEvents.month }

    /// Every line, feed by feed: `emit(feed, line)`; returns how many lines each feed got.
    @discardableResult
    public func generate(_ emit: (Feed, String) throws -> Void) rethrows -> (stripe: Int, woocommerce: Int) {
        var counts = (stripe: 0, woocommerce: 0)
        for m in 0..<months {
            for p in 0..<payers {
                let at = start + Int64(m) * PaymentEvents.month + Int64(p) * PaymentEvents.month / Int64(max(1, payers))
                if p % wooEvery == 0 {
                    for line in wooMonth(p, m, at: at) { try emit(.woocommerce, line); counts.woocommerce += 1 }
                } else {
                    for line in stripeMonth(p, m, at: at) { try emit(.stripe, line); counts.stripe += 1 }
                }
            }
        }
        return counts
    }

    /// Every line read as `affdesk ingest --format stripe` and `--format woocommerce` read them:
    /// the Stripe events, then the WooCommerce payloads (for tests; the bench writes files).
    public func inbound() -> [InboundEvent] {
        var stripe: [String] = [], woo: [String] = []
        generate { feed, line in if feed == .stripe { stripe.append(line) } else { woo.append(line) } }
        let s = StripeFeed(file: "stripe.jsonl"), w = WooCommerceFeed(defaultCurrency: .usd, file: "woo.jsonl")
        return stripe.enumerated().compactMap { s.read(record: $0.element, line: $0.offset + 1) }
            + woo.enumerated().compactMap { w.read(record: $0.element, line: $0.offset + 1) }
    }

    /// A payer's life: when it starts, when it ends (nil: still paying), its plan in cents.
    func life(_ p: Int) -> (first: Int, end: Int?, cents: Int64) {
        var rng = SplitMix(seed: seed &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(p) &* 0xD6E8_FEB8_6659_FD93)
        let first = Int(rng.next() % 3)
        var end: Int?
        for m in first..<months where end == nil && rng.unit() < 0.04 { end = m }
        let cents: [Int64] = [900, 1900, 2900, 4900, 9900]
        return (first, end, cents[Int(rng.next() % UInt64(cents.count))])
    }

    static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    /// A Stripe-like id: `prefix` and `count` base-62 characters from `rng`.
    static func id(_ prefix: String, _ count: Int, _ rng: inout SplitMix) -> String {
        var s = prefix
        for _ in 0..<count { s.append(base62[Int(rng.next() % 62)]) }
        return s
    }

    func rng(_ p: Int, _ m: Int, _ salt: UInt64) -> SplitMix {
        SplitMix(seed: seed ^ UInt64(p) &* 0xBF58_476D_1CE4_E5B9 ^ UInt64(m) << 40 ^ salt << 56)
    }

    func key(_ p: Int) -> String { HugeLives.customerKey(p * every + 1) }
    static func iso(_ t: Int64) -> String { Instant(seconds: t).iso8601 }

    /// One month of a Stripe payer: its invoice and what may come with it.
    func stripeMonth(_ p: Int, _ m: Int, at t: Int64) -> [String] {
        let life = life(p)
        guard m >= life.first, m <= (life.end ?? months) else { return [] }
        var who = rng(p, 0, 1)
        let customer = PaymentEvents.id("cus_", 14, &who), sub = PaymentEvents.id("sub_1", 23, &who)
        let numberPrefix = String(PaymentEvents.id("", 8, &who).uppercased())
        var r = rng(p, m, 2)
        let inv = PaymentEvents.id("in_1", 23, &r), ch = PaymentEvents.id("ch_3", 23, &r), pi = PaymentEvents.id("pi_3", 23, &r)
        func evt() -> String { PaymentEvents.id("evt_1", 23, &r) }
        let number = numberPrefix + "-" + HugeLives.pad(m - life.first + 1, 4)
        let reason = m == life.first ? "subscription_create" : "subscription_cycle"
        var out: [String] = []
        if m == life.end {
            out.append(#"{"id":"\#(evt())","object":"event","type":"customer.subscription.deleted","created":\#(t),"data":{"object":{"id":"\#(sub)","object":"subscription","customer":"\#(customer)","status":"canceled","ended_at":\#(t),"metadata":{"customer_key":"\#(key(p))"}}}}"#)
            return out
        }
        // The subscription's customer key, in the basil shape (parent) or the acacia one.
        let subscriptionPart = m % 2 == 0
            ? #""parent":{"type":"subscription_details","subscription_details":{"subscription":"\#(sub)","metadata":{"customer_key":"\#(key(p))"}}}"#
            : #""subscription":"\#(sub)","subscription_details":{"metadata":{"customer_key":"\#(key(p))"}}"#
        func invoice(_ type: String, status: String, paid: Int64, at: Int64) -> String {
            #"{"id":"\#(evt())","object":"event","api_version":"\#(m % 2 == 0 ? "2025-03-31.basil" : "2025-02-24.acacia")","type":"\#(type)","created":\#(at),"data":{"object":{"id":"\#(inv)","object":"invoice","number":"\#(number)","customer":"\#(customer)","charge":"\#(ch)","payment_intent":"\#(pi)","amount_due":\#(life.cents),"amount_paid":\#(paid),"currency":"usd","status":"\#(status)","billing_reason":"\#(reason)","created":\#(at),\#(subscriptionPart),"status_transitions":{"paid_at":\#(status == "paid" ? String(at) : "null")}}}}"#
        }
        if r.unit() < 0.02 { out.append(invoice("invoice.payment_failed", status: "open", paid: 0, at: t - 3_600)) }
        out.append(invoice("invoice.paid", status: "paid", paid: life.cents, at: t))
        if r.unit() < 0.03 { out.append(invoice("invoice.payment_succeeded", status: "paid", paid: life.cents, at: t + 2)) }
        guard ledger else { return out }
        if r.unit() < 0.02 {
            let re = PaymentEvents.id("re_3", 23, &r), at = t + 2 * 86_400
            out.append(#"{"id":"\#(evt())","object":"event","type":"charge.refunded","created":\#(at),"data":{"object":{"id":"\#(ch)","object":"charge","amount":\#(life.cents),"amount_captured":\#(life.cents),"amount_refunded":\#(life.cents / 2),"currency":"usd","customer":"\#(customer)","invoice":"\#(inv)","payment_intent":"\#(pi)","refunded":false,"refunds":{"object":"list","data":[{"id":"\#(re)","object":"refund","amount":\#(life.cents / 2),"charge":"\#(ch)","status":"succeeded"}]}}}}"#)
        }
        if r.unit() < 0.005 {
            let dp = PaymentEvents.id("dp_1", 23, &r), at = t + 5 * 86_400
            out.append(#"{"id":"\#(evt())","object":"event","type":"charge.dispute.created","created":\#(at),"data":{"object":{"id":"\#(dp)","object":"dispute","amount":\#(life.cents),"charge":"\#(ch)","payment_intent":"\#(pi)","currency":"usd","reason":"fraudulent","status":"needs_response","created":\#(at)}}}"#)
        }
        return out
    }

    /// One month of a WooCommerce payer: the parent order and its subscription, then renewals.
    func wooMonth(_ p: Int, _ m: Int, at t: Int64) -> [String] {
        let life = life(p)
        guard m >= life.first, m <= (life.end ?? months) else { return [] }
        let parent = 100_000 + p * 32 + life.first, subscription = 100_000 + p * 32 + 31, order = 100_000 + p * 32 + m
        var r = rng(p, m, 3)
        let date = String(PaymentEvents.iso(t).dropLast())
        let total = String(format: "%d.%02d", life.cents / 100, life.cents % 100)
        let meta = #"{"key":"_affdesk_customer_key","value":"\#(key(p))"}"#
        func sub(_ status: String) -> String {
            #"{"id":\#(subscription),"status":"\#(status)","billing_period":"month","billing_interval":"1","parent_id":\#(parent),"currency":"USD","total":"\#(total)","customer_id":0,"billing":{"email":"\#(key(p))@mail.example"},"start_date_gmt":"\#(date)","date_created_gmt":"\#(date)","cancelled_date_gmt":"\#(date)","meta_data":[\#(meta)]}"#
        }
        if m == life.end { return [sub("cancelled")] }
        func orderLine(_ status: String) -> String {
            let ch = PaymentEvents.id("ch_3", 23, &r)
            let kind = m == life.first ? #""order_type":"parent_order""#
                : #""order_type":"renewal_order","parent_id":0"#
            let renewal = m == life.first ? "" : #",{"key":"_subscription_renewal","value":"\#(subscription)"}"#
            return #"{"id":\#(order),"number":"\#(order)","status":"\#(status)",\#(kind),"currency":"USD","total":"\#(total)","total_tax":"0.00","customer_id":0,"billing":{"email":"\#(key(p))@mail.example"},"payment_method":"stripe","transaction_id":"\#(ch)","date_paid_gmt":"\#(date)","date_created_gmt":"\#(date)","meta_data":[\#(meta)\#(renewal)]}"#
        }
        var out: [String] = []
        if r.unit() < 0.03 { out.append(orderLine("pending")) }
        out.append(orderLine("processing"))
        if m == life.first { out.append(sub("active")) }
        return out
    }
}
