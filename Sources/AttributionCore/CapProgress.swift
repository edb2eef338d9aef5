/// How far a customer has gone towards each cap: the numbers behind the dashboard's bars.
public struct CapProgress: Hashable, Sendable {
    public struct Dimension: Hashable, Sendable {
        public var used: Int64
        public var limit: Int64
        public var fraction: Double { limit > 0 ? min(1, Double(used) / Double(limit)) : 0 }
        public var reached: Bool { used >= limit }
    }
    /// Commissions paid of the count cap.
    public var count: Dimension?
    /// Whole days since the first commission, of the days the months cap allows.
    public var months: Dimension?
    /// Commission paid (minor units) of the amount cap.
    public var amount: Dimension?

    /// The dimension closest to its limit.
    public var tightest: Dimension? {
        [count, months, amount].compactMap { $0 }.max { $0.fraction < $1.fraction }
    }
}

extension Caps {
    /// A customer is "near" a cap from this share of it on.
    public static let nearFraction = 0.8

    public func progress(_ h: CapHistory, now: Instant) -> CapProgress {
        var p = CapProgress()
        if let n = count { p.count = .init(used: Int64(h.commissions), limit: Int64(n)) }
        if let m = months {
            // Saturating: a first commission or a months cap stored at an extreme by an older
            // build shows as a bar, never a trap.
            func days(_ from: Instant, _ to: Instant) -> Int64 {
                let (d, o) = to.seconds.subtractingReportingOverflow(from.seconds)
                return o ? (to < from ? .min : .max) / 86_400 : d / 86_400
            }
            if let first = h.firstCommissionAt {
                let total = max(1, days(first, first.adding(months: m)))
                p.months = .init(used: min(total, max(0, days(first, now))), limit: total)
            } else {
                let (limit, o) = Int64(m).multipliedReportingOverflow(by: 30)
                p.months = .init(used: 0, limit: o ? (m < 0 ? 0 : .max) : limit)
            }
        }
        if let a = amount { p.amount = .init(used: h.currency == a.currency ? h.commissionTotal : 0, limit: a.minor) }
        return p
    }

    /// The thresholds from which a customer counts as near a cap, for the caps watch list:
    /// at least this many commissions, this much commission, or a first commission this early.
    public func nearThresholds(now: Instant) -> (commissions: Int?, commissionMinor: Int64?, firstCommissionBefore: Instant?) {
        let c = count.map { Int((Double($0) * Caps.nearFraction).rounded(.up)) }
        let a = amount.map { Int64((Double($0.minor) * Caps.nearFraction).rounded(.up)) }
        let m = months.map { now.adding(months: -Int((Double($0) * Caps.nearFraction).rounded(.up))) }
        return (c, a, m)
    }
}
