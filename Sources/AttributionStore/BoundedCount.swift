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
}
