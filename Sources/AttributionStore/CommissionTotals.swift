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
    /// `commission_total` rows (per stored state), and the entries still inside their hold (a
    /// range of `commission_state`, bounded by the holding period's volume). A stored `pending`
    /// entry past its `approves_at` counts as approved, or on hold when it needs an admin's
    /// approval: the stored pending total less what is still in its hold. "All" counts every
    /// entry; its amount is every entry's but the voided ones'.
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
                // Stored pending: all past its date until the hold's range is taken off below.
                let standing = state == .pending ? (needsApproval ? CommissionState.onHold : .approved) : state
                try t.add(.state(standing), cur, minor: minor, count: n)
            }
            let inHold = try Row.fetchAll(db, sql: """
                SELECT needs_approval, currency, TOTAL(amount_minor), COUNT(*) FROM commission INDEXED BY commission_pending_hold
                WHERE state = 'pending' AND approves_at > ? GROUP BY 1, 2
                """, arguments: [now.seconds])
            for r in inHold {
                let cur = Currency(validated: r[1]), minor = Store.clampedSum(r[2]), n: Int = r[3]
                let needsApproval: Bool = r[0]
                try t.add(.state(needsApproval ? .onHold : .approved), cur, minor: -minor, count: -n)
                try t.add(.state(.pending), cur, minor: minor, count: n)
            }
            for (s, list) in t.bySelection { t.bySelection[s] = list.filter { $0.count != 0 || $0.amount.minor != 0 } }
            return t
        }
    }
}
