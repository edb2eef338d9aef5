import AttributionCore
import GRDB

/// The amount and count of some entries in one currency.
public struct CommissionTotal: Hashable, Sendable {
    public var amount: Money
    public var count: Int
    public init(amount: Money, count: Int) { self.amount = amount; self.count = count }
}

/// The ledger's totals per selection as it stands now, per currency (by code): what the
/// Commissions tab shows above its list.
public struct CommissionTotals: Hashable, Sendable {
    public var bySelection: [CommissionSelection: [CommissionTotal]] = [:]
    public init() {}

    /// How many entries a selection holds (every currency).
    public func count(_ s: CommissionSelection) -> Int { (bySelection[s] ?? []).reduce(0) { $0 + $1.count } }
    public func totals(_ s: CommissionSelection) -> [CommissionTotal] { bySelection[s] ?? [] }

    /// Adds `minor` and `count` to a selection's total in `currency` (checked: a sum that does not
    /// fit in 64 bits is an error, never a wrapped figure).
    public mutating func add(_ s: CommissionSelection, _ currency: Currency, minor: Int64, count: Int) throws {
        var list = bySelection[s] ?? []
        if let i = list.firstIndex(where: { $0.amount.currency == currency }) {
            let (sum, overflow) = list[i].amount.minor.addingReportingOverflow(minor)
            guard !overflow else { throw StoreError.invalid(field: "commission totals", message: "the \(currency.code) total does not fit in 64 bits") }
            list[i].amount = Money(minor: sum, currency: currency)
            list[i].count += count
        } else {
            list.append(CommissionTotal(amount: Money(minor: minor, currency: currency), count: count))
            list.sort { $0.amount.currency.code < $1.amount.currency.code }
        }
        bySelection[s] = list
    }
}

extension Store {
    /// The totals per state as it stands now, without reading the ledger: the maintained
    /// `commission_total` rows (per stored state), less the stored pending entries still inside
    /// their hold, which are read from the maintained `commission_pending_day` (the days after
    /// today's: about a holding period of rows) and one day's range of `commission_pending_hold`
    /// (today's entries whose date is still ahead). A stored `pending` entry past its
    /// `approves_at` stands approved, or on hold when it needs an admin's approval
    /// (`CommissionStanding`). "All" counts every entry; its amount is every entry's but the
    /// voided ones'.
    public func commissionTotals() throws -> CommissionTotals {
        let now = clock.now()
        return try read { db in
            var t = CommissionTotals()
            for r in try Row.fetchAll(db, sql: "SELECT kind, state, needs_approval, currency, amount_minor, entries FROM commission_total WHERE entries != 0") {
                let cur = Currency(validated: r[3]), minor = Store.clampedSum(r[4]), n: Int = r[5]
                let state = CommissionState(rawValue: r[1]) ?? .onHold
                let needsApproval: Bool = r[2]
                try t.add(.all, cur, minor: state == .voided ? 0 : minor, count: n)
                if r[0] as String == EntryKind.clawback.rawValue { try t.add(.clawbacks, cur, minor: minor, count: n) }
                // Stored pending: all past its date until what is still in its hold is taken off below.
                let standing = state == .pending ? CommissionStanding.standing(needsApproval: needsApproval) : state
                try t.add(.state(standing), cur, minor: minor, count: n)
            }
            for r in try Store.pendingInHold(db, now: now) {
                let cur = Currency(validated: r[1]), minor = Store.clampedSum(r[2]), n: Int = r[3]
                try t.add(.state(CommissionStanding.standing(needsApproval: r[0])), cur, minor: -minor, count: -n)
                try t.add(.state(.pending), cur, minor: minor, count: n)
            }
            for (s, list) in t.bySelection { t.bySelection[s] = list.filter { $0.count != 0 || $0.amount.minor != 0 } }
            return t
        }
    }

    /// The stored pending entries inside their hold at `now`, per `needs_approval` and currency
    /// (amount, count): the kept days after today's, and today's still ahead (an index range).
    static func pendingInHold(_ db: Database, now: Instant) throws -> [Row] {
        let today = CommissionPendingDaySchema.day(of: now.seconds)
        // The day's last second (Int64's last when the day after it does not fit).
        let (next, overflow) = (today + 1).multipliedReportingOverflow(by: CommissionPendingDaySchema.secondsPerDay)
        let endOfToday = overflow ? Int64.max : next - 1
        return try Row.fetchAll(db, sql: pendingInHoldSQL, arguments: [today, now.seconds, endOfToday])
    }

    /// Today (days since 1970), now, today's last second.
    static let pendingInHoldSQL = """
        SELECT needs_approval, currency, TOTAL(amount_minor), SUM(entries) FROM (
          SELECT needs_approval, currency, amount_minor, entries FROM commission_pending_day WHERE day > ?
          UNION ALL
          SELECT needs_approval, currency, TOTAL(amount_minor), COUNT(*) FROM commission INDEXED BY commission_pending_hold
          WHERE \(CommissionStanding.inHold()) AND approves_at <= ? GROUP BY 1, 2)
        GROUP BY 1, 2
        """
}
