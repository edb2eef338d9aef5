import AttributionCore

/// A deterministic stream of mixed tracking events for the ingest benchmark: clicks, signups,
/// first payments and renewals, cancels, and a share of refusals and malformed lines.
public enum BenchEvents {
    public static let affiliateCodes = (0..<50).map { "aff\($0)" }

    /// `count` JSON lines in time order.
    public static func lines(count: Int, seed: UInt64 = 7) -> [String] {
        var rng = SplitMix(seed: seed)
        var out: [String] = []
        out.reserveCapacity(count)
        var t = Instant.parse("2025-01-01T00:00:00Z")!.seconds
        var clicks = 0, customers = 0, invoices = 0
        while out.count < count {
            t += 1 + Int64(rng.next() % 3)
            let at = Instant(seconds: t).iso8601
            let r = rng.next() % 100
            switch r {
            case 0..<30:
                clicks += 1
                out.append(#"{"type":"click","click_id":"c\#(clicks)","affiliate":"\#(affiliateCodes[Int(rng.next() % 50)])","at":"\#(at)"}"#)
            case 30..<45 where clicks > 0:
                customers += 1
                let c = clicks - Int(rng.next() % UInt64(min(clicks, 50)))
                out.append(#"{"type":"trial","customer_key":"u\#(customers)","click_id":"c\#(c)","at":"\#(at)"}"#)
            case 45..<90 where customers > 0:
                invoices += 1
                let u = customers - Int(rng.next() % UInt64(min(customers, 5_000)))
                out.append(#"{"type":"conversion","external_id":"in\#(invoices)","amount":"29.00","currency":"USD","customer_key":"u\#(u)","at":"\#(at)"}"#)
            case 90..<93 where customers > 0:
                out.append(#"{"type":"cancel","customer_key":"u\#(customers - Int(rng.next() % UInt64(customers)))","at":"\#(at)"}"#)
            case 93..<96:
                out.append(#"{"type":"click","click_id":"x\#(out.count)","affiliate":"nobody","at":"\#(at)"}"#)
            case 96..<98 where invoices > 0:
                out.append(#"{"type":"conversion","external_id":"in\#(invoices)","amount":"29.00","currency":"USD","customer_key":"u1","at":"\#(at)","retry":\#(out.count)}"#)
            case 98:
                out.append(#"{"type":"conversion","external_id":"bad\#(out.count)","amount":"abc","currency":"USD","at":"\#(at)"}"#)
            default:
                clicks += 1
                out.append(#"{"type":"click","click_id":"c\#(clicks)","affiliate":"\#(affiliateCodes[Int(rng.next() % 50)])","at":"\#(at)"}"#)
            }
        }
        return out
    }
}
