import GRDB

/// A list's size counted with bounded work: exact, or only a floor ("at least `count`") when
/// more rows may match than were looked at.
public struct BoundedCount: Hashable, Sendable {
    /// The rows counted: all of them when `exact`, else a number that certainly match.
    public var count: Int
    public var exact: Bool
    public init(count: Int, exact: Bool) { self.count = count; self.exact = exact }
}

extension Store {
    /// The Caps list's size (customers near a cap, `q.nearCaps`) with bounded work, whatever the
    /// program holds: exact up to `bound`, else a floor. Without a filter, the near-cap customers
    /// are counted from their indexes up to `bound + 1`. A filter matching few customers (at most
    /// `bound`) counts them exactly. Otherwise at most `candidates` near-cap customers are read
    /// from those indexes and the filter (and any other narrowing) tested on each: the matches
    /// found are exact when the candidates ran out first, else a floor ("1,000+" or "312+": never
    /// more than were seen). The earlier way, walking the table until `bound + 1` matched, read
    /// 150,000 rows for a one-letter filter at a million customers (0.9 s).
    public func capsCount(_ q: CustomerQuery, upTo bound: Int, candidates: Int = 10_000) throws -> BoundedCount {
        guard let near = q.nearCaps else {
            let n = try customerCount(q, upTo: bound)
            return BoundedCount(count: n, exact: n <= bound)
        }
        followMonthsCutoff(for: q)
        return try read { db in
            let match = Store.nearCapsMatch(near)
            if q.filter.isEmpty && q.status == nil && q.affiliateID == nil {
                // The kept candidates are exactly the near-cap customers when they serve the query
                // (with a months cap, with the active customers after their cutoff: disjoint).
                var ids = (sql: match.ids, arguments: match.idArguments)
                if try Store.keptCandidatesServe(db, near) { ids = ("SELECT 1 FROM cap_candidate", []) }
                else if let k = try Store.keptAndMonthsIDs(db, near) { ids = k }
                let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(ids.sql) LIMIT \(bound + 1))",
                                         arguments: StatementArguments(ids.arguments)) ?? 0
                return BoundedCount(count: n, exact: n <= bound)
            }
            if !q.filter.isEmpty, q.status == nil, q.affiliateID == nil,
               let c = try Store.keptFilterCount(db, q.filter, near, upTo: bound, candidates: max(1, candidates)) {
                return c
            }
            if !q.filter.isEmpty {
                let f = Store.customerMatch(q.filter)
                let few = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (SELECT DISTINCT * FROM (\(f.ids)) LIMIT \(bound + 1))",
                                           arguments: StatementArguments(f.idArguments)) ?? 0
                if few <= bound {
                    let n = try customerKeyset(db, q).count(db, upTo: bound)
                    return BoundedCount(count: n, exact: n <= bound)
                }
            }
            return try Store.capsCandidates(db, q, match, upTo: bound, candidates: max(1, candidates))
        }
    }

    /// Reads at most `candidates` near-cap customers from their indexes and counts those the
    /// query's filter, status and affiliate keep, stopping at `bound + 1`; when fewer pass, a
    /// second count says whether the candidates ran out (then the count is exact).
    static func capsCandidates(_ db: Database, _ q: CustomerQuery, _ near: IndexedMatch, upTo bound: Int,
                               candidates: Int) throws -> BoundedCount {
        let c = capsCandidatesSQL(q, near, candidates: candidates, upTo: bound)
        let kept = try Int.fetchOne(db, sql: c.sql, arguments: StatementArguments(c.arguments)) ?? 0
        if kept > bound { return BoundedCount(count: bound + 1, exact: false) }
        let seen = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(near.ids) LIMIT \(candidates))",
                                    arguments: StatementArguments(near.idArguments)) ?? 0
        return BoundedCount(count: kept, exact: seen < candidates)
    }

    /// The SQL of `capsCandidates` (the query-plan tests read it too): how many of the first
    /// `candidates` near-cap customers pass, up to `bound + 1`.
    static func capsCandidatesSQL(_ q: CustomerQuery, _ near: IndexedMatch, candidates: Int, upTo bound: Int)
        -> (sql: String, arguments: [DatabaseValueConvertible?]) {
        var tests: [String] = [], args: [DatabaseValueConvertible?] = []
        if !q.filter.isEmpty {
            let f = Store.customerMatch(q.filter)
            tests.append("(\(f.row))"); args += f.rowArguments
        }
        if let s = q.status { tests.append("c.status = ?"); args.append(s.rawValue) }
        if let a = q.affiliateID { tests.append("c.affiliate_id = ?"); args.append(a) }
        let pass = tests.isEmpty ? "1" : tests.joined(separator: " AND ")
        // The candidates' ranges come first in the text, the tests after.
        let sql = """
            SELECT COUNT(*) FROM (SELECT 1 FROM (\(near.ids) LIMIT \(candidates)) q CROSS JOIN customer c ON c.id = q.id
              CROSS JOIN affiliate a ON a.id = c.affiliate_id WHERE \(pass) LIMIT \(bound + 1))
            """
        return (sql, near.idArguments + args)
    }

    /// A filtered Caps count from the kept near-cap customers' index entries, when the kept table
    /// serves `near` (with a months cap, with the few after its cutoff): the keys by prefix and the
    /// matched affiliates' customers from `cap_candidate`'s own indexes, the emails by prefix from
    /// the customer's (at most `candidates` of them, each looked up in the kept table by id), and the
    /// customers after the months cutoff tested row by row (nil when those are many). Distinct, up to
    /// `bound + 1`: exact unless the emails were cut. The customer-table way read a customer row per candidate (923 pages cold).
    static func keptFilterCount(_ db: Database, _ filter: String, _ near: NearCaps, upTo bound: Int,
                                candidates: Int) throws -> BoundedCount? {
        let sql = try keptFilterCountSQL(db, filter, near, upTo: bound, candidates: candidates)
        guard let sql else { return nil }
        let n = try Int.fetchOne(db, sql: sql.count, arguments: StatementArguments(sql.arguments)) ?? 0
        if n > bound { return BoundedCount(count: bound + 1, exact: false) }
        let emails = try Int.fetchOne(db, sql: sql.emails, arguments: StatementArguments(sql.emailArguments)) ?? 0
        return BoundedCount(count: n, exact: emails < candidates)
    }

    /// The SQL of `keptFilterCount` (the query-plan tests read it too), nil when the kept table does not serve `near`.
    static func keptFilterCountSQL(_ db: Database, _ filter: String, _ near: NearCaps, upTo bound: Int, candidates: Int) throws
        -> (count: String, arguments: [DatabaseValueConvertible?], emails: String, emailArguments: [DatabaseValueConvertible?])? {
        var gap: (sql: String, arguments: [DatabaseValueConvertible?])? = nil
        if try !keptCandidatesServe(db, near) {
            // The gap's rows are tested one by one: only while they are few (a cutoff days behind
            // the threshold is the candidates' way, bounded by `candidates`).
            guard let g = try monthsGapIDs(db, near), try areFew(db, g) else { return nil }
            gap = g
        }
        let key = prefixRange("key", filter), email = prefixRange("email", filter), like = likePattern(filter)
        let emails = "SELECT id FROM customer WHERE \(email.sql) LIMIT \(candidates)"
        var parts = [
            "SELECT customer_id AS id FROM cap_candidate WHERE \(key.sql)",
            "SELECT k.customer_id FROM affiliate x CROSS JOIN cap_candidate k ON k.affiliate_id = x.id WHERE x.code LIKE ? ESCAPE '\\' OR x.name LIKE ? ESCAPE '\\'",
            "SELECT id FROM (\(emails)) WHERE id IN (SELECT customer_id FROM cap_candidate)",
        ]
        var args: [DatabaseValueConvertible?] = key.arguments + [like, like] + email.arguments
        if let g = gap {
            let m = customerMatch(filter)
            parts.append("SELECT c.id FROM (\(g.sql)) g CROSS JOIN customer c ON c.id = g.id CROSS JOIN affiliate a ON a.id = c.affiliate_id WHERE \(m.row)")
            args += g.arguments + m.rowArguments
        }
        let count = "SELECT COUNT(*) FROM (SELECT DISTINCT id FROM (\(parts.joined(separator: " UNION ALL "))) LIMIT \(bound + 1))"
        return (count, args, "SELECT COUNT(*) FROM (\(emails))", email.arguments)
    }
}
