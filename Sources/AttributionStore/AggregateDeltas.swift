import AttributionCore
import GRDB

/// The maintained aggregates (`affiliate_total`, `affiliate_month`, `event_total`, schema v7;
/// `affiliate_customer_sum`, schema v11) changed by the
/// rows a transaction writes, summed per affiliate (and month and currency) while the rows are
/// pending and written with them: one UPDATE per affiliate touched and one upsert per month
/// touched, however many rows. `PendingRows` is the only writer of customers and conversions,
/// so every change to what the aggregates count goes through here.
final class AggregateDeltas {
    private struct Total { var customers: Int64 = 0, conversions: Int64 = 0, earnings: Int64 = 0 }
    private struct MonthKey: Hashable { var affiliate: Int64, month: String, currency: String }
    private struct Month { var conversions: Int64 = 0, commission: Int64 = 0 }

    private let db: Database
    /// The program's currency: earnings count commission in it (the others are counted apart).
    private let currency: String
    private var totals: [Int64: Total] = [:]
    private struct Outcome: Hashable { var outcome: String, reason: String }
    private var events: [Outcome: Int64] = [:]
    private var upsertEvents: RawStatement?
    private var months: [MonthKey: Month] = [:]
    /// The UPDATEs of `affiliate_total`, by which of its three sums they move.
    private var updateTotals: [[Bool]: RawStatement] = [:]
    private var upsertMonth: RawStatement?
    private struct NumberKey: Hashable { var affiliate: Int64, number: Int64 }
    private struct NumberSum { var conversions: Int64 = 0, commission: Int64 = 0, currency: String? }
    private var numbers: [NumberKey: NumberSum] = [:]
    private var upsertNumber: RawStatement?

    init(_ db: Database, currency: String) { self.db = db; self.currency = currency }

    var isEmpty: Bool { totals.isEmpty && months.isEmpty && events.isEmpty && numbers.isEmpty }

    /// An inbox entry recorded with its outcome and reason.
    func event(outcome: String, reason: String?) { events[Outcome(outcome: outcome, reason: reason ?? ""), default: 0] += 1 }

    /// A customer now counted for `affiliate` (+1: created or reassigned to it; -1: moved away).
    func customer(_ affiliate: Int64, _ delta: Int64) { totals[affiliate, default: Total()].customers += delta }

    /// A customer number `affiliate` gave (a new customer, or one reassigned to it): its sums' row.
    func customerNumber(_ affiliate: Int64, _ number: Int64) {
        let key = NumberKey(affiliate: affiliate, number: number)
        if numbers[key] == nil { numbers[key] = NumberSum() }
    }

    /// A conversion credited to `affiliate` for its customer `number` (what My customers sums).
    func customerConversion(affiliate: Int64, number: Int64, commission: Money) {
        let key = NumberKey(affiliate: affiliate, number: number), code = commission.currency.code
        var n = numbers[key, default: NumberSum()]
        n.conversions += 1
        n.commission = AggregateDeltas.add(n.commission, commission.minor)
        n.currency = min(n.currency ?? code, code)
        numbers[key] = n
    }

    /// A conversion credited to `affiliate`.
    func conversion(affiliate: Int64, at: Instant, commission: Money) {
        let code = commission.currency.code
        totals[affiliate, default: Total()].conversions += 1
        if code == currency { totals[affiliate]!.earnings = AggregateDeltas.add(totals[affiliate]!.earnings, commission.minor) }
        let key = MonthKey(affiliate: affiliate, month: at.monthKey, currency: code)
        months[key, default: Month()].conversions += 1
        months[key]!.commission = AggregateDeltas.add(months[key]!.commission, commission.minor)
    }

    /// Saturating: a sum of untrusted amounts never traps.
    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (s, o) = a.addingReportingOverflow(b)
        return o ? (b > 0 ? .max : .min) : s
    }

    /// Writes the summed changes (in affiliate order, so the result does not depend on hashing).
    func flush() throws {
        if !totals.isEmpty {
            for (id, t) in totals.sorted(by: { $0.key < $1.key }) {
                // Only the sums that moved: each is indexed, and SQLite rewrites an index
                // whenever its column is SET (a renewal leaves the customer count alone).
                let sums = [t.customers, t.conversions, t.earnings]
                let moved = sums.map { $0 != 0 }
                guard moved.contains(true) else { continue }
                try updateTotal(moved).bind(all: sums.filter { $0 != 0 }.map { .int($0) } + [.int(id)]).run()
            }
            totals.removeAll(keepingCapacity: true)
        }
        if !months.isEmpty {
            if upsertMonth == nil {
                upsertMonth = try RawStatement(cached: db, """
                    INSERT INTO affiliate_month (affiliate_id, month, currency, conversions, commission_minor) VALUES (?,?,?,?,?)
                      ON CONFLICT (affiliate_id, month, currency) DO UPDATE SET conversions = conversions + excluded.conversions,
                      commission_minor = commission_minor + excluded.commission_minor
                    """)
            }
            let ordered = months.sorted { ($0.key.affiliate, $0.key.month, $0.key.currency) < ($1.key.affiliate, $1.key.month, $1.key.currency) }
            for (k, m) in ordered {
                try upsertMonth!.bind(.int(k.affiliate), .text(k.month), .text(k.currency), .int(m.conversions), .int(m.commission)).run()
            }
            months.removeAll(keepingCapacity: true)
        }
        try flushNumbers()
        if !events.isEmpty {
            if upsertEvents == nil {
                upsertEvents = try RawStatement(cached: db, """
                    INSERT INTO event_total (outcome, reason, events) VALUES (?,?,?)
                      ON CONFLICT (outcome, reason) DO UPDATE SET events = events + excluded.events
                    """)
            }
            for (k, n) in events.sorted(by: { ($0.key.outcome, $0.key.reason) < ($1.key.outcome, $1.key.reason) }) {
                try upsertEvents!.bind(.text(k.outcome), .text(k.reason), .int(n)).run()
            }
            events.removeAll(keepingCapacity: true)
        }
    }

    /// The UPDATE of the sums flagged in `moved` (customers, conversions, earnings).
    private func updateTotal(_ moved: [Bool]) throws -> RawStatement {
        if let s = updateTotals[moved] { return s }
        let set = zip(moved, ["customers", "conversions", "earnings_minor"]).filter(\.0).map { "\($0.1) = \($0.1) + ?" }
        let s = try RawStatement(cached: db, "UPDATE affiliate_total SET \(set.joined(separator: ", ")) WHERE affiliate_id = ?")
        updateTotals[moved] = s
        return s
    }

    /// The per-(affiliate, customer number) sums, in key order (`min` keeps the smallest currency,
    /// as `MIN(commission_currency)` over the conversions would).
    private func flushNumbers() throws {
        guard !numbers.isEmpty else { return }
        if upsertNumber == nil {
            upsertNumber = try RawStatement(cached: db, """
                INSERT INTO affiliate_customer_sum (affiliate_id, number, conversions, commission_minor, commission_currency)
                  VALUES (?,?,?,?,?) ON CONFLICT (affiliate_id, number) DO UPDATE SET
                  conversions = conversions + excluded.conversions, commission_minor = commission_minor + excluded.commission_minor,
                  commission_currency = COALESCE(min(commission_currency, excluded.commission_currency), commission_currency,
                                                 excluded.commission_currency)
                """)
        }
        for (k, n) in numbers.sorted(by: { ($0.key.affiliate, $0.key.number) < ($1.key.affiliate, $1.key.number) }) {
            try upsertNumber!.bind(.int(k.affiliate), .int(k.number), .int(n.conversions), .int(n.commission), .of(n.currency)).run()
        }
        numbers.removeAll(keepingCapacity: true)
    }

    /// After the program's currency changed: every affiliate's earnings, recounted in it.
    static func recountEarnings(_ db: Database, currency: String) throws {
        try db.execute(sql: """
            UPDATE affiliate_total SET earnings_minor = COALESCE((SELECT SUM(m.commission_minor) FROM affiliate_month m
              WHERE m.affiliate_id = affiliate_total.affiliate_id AND m.currency = ?), 0)
            """, arguments: [currency])
    }
}
