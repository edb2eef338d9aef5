import AttributionCore
import AttributionStore
import Feeds

/// The demo's commission ledger, added after `DemoProgram.build` by `affdesk demo`: refunds
/// (partial and full), a dispute of each outcome and one still open, a self-referral held for an
/// admin, payouts paid and open, and refunds of paid sales clawed back and netted in the open
/// payouts. Everything goes through the real feed and store, at the demo's fixed clock.
/// (`build` itself leaves the ledger as the conversions made it, so the dashboard's golden
/// frames, drawn from `build`, do not depend on it.)
public enum DemoLedger {
    public struct Report: Sendable {
        public var refunds: Int
        public var disputes: Int
        public var paidPayouts: Int
        public var openPayouts: Int
    }

    public static func add(into store: Store) throws -> Report {
        let ledger = try store.commissions(CommissionQuery()).filter { $0.kind == .commission && $0.amount.minor > 0 && $0.state != .voided }
        let early = ledger.filter { $0.earnedAt < Instant.parse("2026-03-01T00:00:00Z")! }
        let recent = ledger.filter { $0.earnedAt > Instant.parse("2026-11-01T00:00:00Z")! }
        guard early.count > 40, recent.count > 3 else { return Report(refunds: 0, disputes: 0, paidPayouts: 0, openPayouts: 0) }
        var lines: [String] = []
        func at(_ i: Instant) -> String { i.adding(days: 5).iso8601 }
        for (n, i) in [3, 11, 19].enumerated() {   // partial refunds: a third of the sale
            let c = early[i]
            guard let sale = try store.conversion(externalID: c.externalID)?.amount, sale.minor >= 3 else { continue }
            lines.append(#"{"type":"refund","external_id":"\#(c.externalID)","refund_id":"re_demo_p\#(n)","amount":"\#(Money(minor: sale.minor / 3, currency: sale.currency).decimalString)","currency":"\#(sale.currency.code)","at":"\#(at(c.earnedAt))"}"#)
        }
        for (n, i) in [5, 23, 31].enumerated() {   // full refunds
            lines.append(#"{"type":"refund","external_id":"\#(early[i].externalID)","refund_id":"re_demo_f\#(n)","at":"\#(at(early[i].earnedAt))"}"#)
        }
        for (id, i, statuses) in [("dp_demo_won", 7, ["opened", "won"]), ("dp_demo_lost", 13, ["opened", "lost"])] {
            for (k, s) in statuses.enumerated() {
                lines.append(#"{"type":"dispute","external_id":"\#(early[i].externalID)","dispute_id":"\#(id)","status":"\#(s)","at":"\#(early[i].earnedAt.adding(days: 3 + 10 * k).iso8601)"}"#)
            }
        }
        lines.append(#"{"type":"dispute","external_id":"\#(recent[1].externalID)","dispute_id":"dp_demo_open","status":"opened","at":"\#(recent[1].earnedAt.adding(days: 1).iso8601)"}"#)
        // A self-referral: the customer's email is the affiliate's own.
        lines += [
            #"{"type":"click","click_id":"c_demo_self","affiliate":"zoe","at":"2026-10-01T09:00:00Z"}"#,
            #"{"type":"signup","customer_key":"usr_self_zoe","click_id":"c_demo_self","email":"Zoe@partners.example","at":"2026-10-01T09:05:00Z"}"#,
            #"{"type":"conversion","external_id":"inv_self_zoe","amount":"49.00","customer_key":"usr_self_zoe","at":"2026-10-01T09:06:00Z"}"#,
        ]
        let feed = TrackingFeed(defaultCurrency: .usd, file: "demo-ledger.jsonl")
        _ = try store.ingest(lines.enumerated().compactMap { feed.read(line: $0.element, number: $0.offset + 1) })

        // Payouts through August, all paid but two; then two paid sales refunded in full, clawed
        // back and netted in September's payouts, left open.
        let admin = DemoProgram.admin
        let first = try store.createPayouts(through: Instant.parse("2026-08-31T23:59:59Z")!, minimum: Money(minor: 5_000, currency: .usd), who: admin)
        for p in first.created.dropLast(2) { _ = try store.markPayoutPaid(id: p.id, reference: "PP-DEMO-\(p.id)", who: admin) }
        let paid = try store.commissions(CommissionQuery(state: .paid))
        for (n, c) in [paid.first, paid.dropFirst(40).first].compactMap({ $0 }).enumerated() {
            _ = try store.recordRefund(externalID: c.externalID, RefundRequest(refundID: "re_demo_paid\(n)", amount: .full),
                                       at: Instant.parse("2026-09-10T10:00:00Z")!, who: admin)
        }
        let second = try store.createPayouts(through: Instant.parse("2026-09-30T23:59:59Z")!, minimum: Money(minor: 5_000, currency: .usd), who: admin)
        return Report(refunds: 8, disputes: 3, paidPayouts: max(0, first.created.count - 2), openPayouts: 2 + second.created.count)
    }
}
